"""A few sentences through a BERT sentence encoder in numpy, for questions at ask time.

Importing sentence-transformers (torch, transformers, scikit-learn) takes about 6 s on this
project's 2-core machine, longer than the whole rest of a cold `ask -p rag` before its prompt.
A question is one short text, so the same weights run here in numpy (already loaded with
llama-cpp-python) in a few milliseconds. Only the layout sentence-transformers gives
all-MiniLM-L6-v2 is supported: a BERT, mean pooling, normalised; anything else returns None
from `load` and the caller keeps sentence-transformers. tests/test_numpy_bert.py checks the
vectors against sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# Abramowitz & Stegun 7.1.26: erf to 1.5e-7, below float32's resolution near 1.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def erf(x: np.ndarray) -> np.ndarray:
    t = 1.0 / (1.0 + _ERF_P * np.abs(x))
    poly = t * (_ERF_A[0] + t * (_ERF_A[1] + t * (_ERF_A[2] + t * (_ERF_A[3] + t * _ERF_A[4]))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x)."""
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _supported(folder: Path) -> dict | None:
    """BERT config of a mean-pooled, normalised sentence-transformers folder, else None."""
    try:
        config = json.loads((folder / "config.json").read_text())
        modules = [m["type"].rsplit(".", 1)[-1]
                   for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        st_config = json.loads((folder / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    wanted = modules == ["Transformer", "Pooling", "Normalize"]
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        v for k, v in pooling.items() if k.startswith("pooling_mode_") and
        k != "pooling_mode_mean_tokens")
    if not (wanted and mean_only and config.get("model_type") == "bert"
            and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (folder / "model.safetensors").exists()):
        return None
    return {**config, "max_seq_length": int(st_config.get("max_seq_length", 256))}


class NumpyBert:
    def __init__(self, folder: Path, config: dict) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.weights = load_file(str(folder / "model.safetensors"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(config["max_seq_length"])
        self.tokenizer.no_padding()

    @classmethod
    def load(cls, folder: Path) -> NumpyBert | None:
        config = _supported(folder)
        return cls(folder, config) if config else None

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self._w(f"{name}.weight").T + self._w(f"{name}.bias")

    def _attention(self, x: np.ndarray, layer: str) -> np.ndarray:
        n, width = x.shape
        size = width // self.heads

        def split(name: str) -> np.ndarray:  # (heads, tokens, size)
            return self._linear(x, f"{layer}.attention.self.{name}").reshape(
                n, self.heads, size).transpose(1, 0, 2)

        q, k, v = split("query"), split("key"), split("value")
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        mixed = (scores / scores.sum(-1, keepdims=True)) @ v
        return mixed.transpose(1, 0, 2).reshape(n, width)

    def _encode_one(self, ids: list[int]) -> np.ndarray:
        w = self._w
        x = (w("embeddings.word_embeddings.weight")[ids]
             + w("embeddings.position_embeddings.weight")[:len(ids)]
             + w("embeddings.token_type_embeddings.weight")[0])
        x = layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"),
                       self.eps)
        for i in range(self.layers):
            layer = f"encoder.layer.{i}"
            attended = self._linear(self._attention(x, layer), f"{layer}.attention.output.dense")
            x = layer_norm(attended + x, w(f"{layer}.attention.output.LayerNorm.weight"),
                           w(f"{layer}.attention.output.LayerNorm.bias"), self.eps)
            inner = gelu(self._linear(x, f"{layer}.intermediate.dense"))
            x = layer_norm(self._linear(inner, f"{layer}.output.dense") + x,
                           w(f"{layer}.output.LayerNorm.weight"),
                           w(f"{layer}.output.LayerNorm.bias"), self.eps)
        pooled = x.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit vectors, one per text (each text alone, so no padding is needed)."""
        return [self._encode_one(self.tokenizer.encode(t).ids).tolist() for t in texts]
