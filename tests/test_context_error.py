"""A context that cannot be allocated is reported as such, with what would fit (not blamed on
the GGUF file)."""

from __future__ import annotations

from pathlib import Path

import llama_cpp
import pytest

from longdoc.core.errors import LongdocError
from longdoc.llm import llama as backend
from longdoc.llm.model_store import ModelRef

METADATA = {"general.architecture": "qwen2", "qwen2.context_length": "32768",
            "qwen2.block_count": "24", "qwen2.attention.head_count": "14",
            "qwen2.attention.head_count_kv": "2", "qwen2.embedding_length": "896"}


def _load(monkeypatch, message: str, n_ctx: int):
    def refuse(*args, **kwargs):
        raise ValueError(message)

    monkeypatch.setattr(backend, "read_metadata", lambda path: dict(METADATA))
    monkeypatch.setattr(llama_cpp, "Llama", refuse)
    ref = ModelRef(Path("/models/m.gguf"), "id", "qwen2.5-coder-0.5b")
    with pytest.raises(LongdocError) as err:
        backend.LlamaCppLLM(ref, n_ctx=n_ctx)
    return str(err.value)


def test_a_context_that_cannot_be_allocated(monkeypatch):
    message = _load(monkeypatch, "Failed to create llama_context", 10_000_000)
    assert "GGUF" not in message and "truncated" not in message
    assert message.startswith("cannot allocate a context of 10,000,000 tokens")
    # 24 layers x 2 KV heads x 64 dims x (K and V) x 2 bytes = 12,288 bytes a token
    assert "12,288 bytes a token" in message and "114.4 GiB" in message
    fits = int(message.split("--ctx ")[1].split()[0])
    assert 512 <= fits <= 32768


def test_a_bad_model_file_is_still_blamed_on_the_file(monkeypatch):
    message = _load(monkeypatch, "Failed to load model from file: /models/m.gguf", 4096)
    assert "not a valid GGUF file or truncated" in message
