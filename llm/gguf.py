"""What a GGUF file says about itself, read without loading its weights: metadata, the
context it was trained for, and how much memory its KV cache takes per token."""

from __future__ import annotations

import json
import os
from pathlib import Path

from longdoc.core.errors import LongdocError

MAX_DEFAULT_CTX = 32768


def read_metadata(path: Path) -> dict:
    """The GGUF's metadata (architecture, context, chat template), without loading weights;
    kept as JSON beside longdoc's cache, since reading the vocabulary takes about 0.5 s."""
    from longdoc.core.files import write_json_atomic
    from longdoc.llm.model_store import cache_home, file_id

    try:
        key = file_id(Path(path))
    except OSError:
        return _probe_metadata(path)  # says what is wrong with the path
    kept = cache_home() / "gguf-metadata" / f"{key[:32]}.json"
    try:
        metadata = json.loads(kept.read_text())
        if isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values()):
            return metadata
    except (OSError, ValueError):
        pass
    metadata = _probe_metadata(path)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(kept, metadata)
    except OSError:
        pass  # a read-only cache only costs the next command the probe
    return metadata


def _probe_metadata(path: Path) -> dict:
    from llama_cpp import Llama
    from llama_cpp._utils import suppress_stdout_stderr

    try:
        with suppress_stdout_stderr(disable=False):
            probe = Llama(str(path), vocab_only=True, verbose=False)
    except (ValueError, OSError) as exc:
        raise LongdocError(f"cannot load model {path}: not a valid GGUF file or "
                           f"truncated ({exc})") from None
    return dict(probe.metadata)


def chat_formatter(llama, metadata: dict, name: str):
    """The GGUF's own chat template (Jinja2, as llama-cpp-python renders it) for a loaded
    `Llama` (a vocab-only one will do: only its special tokens' text is read)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = metadata.get("tokenizer.chat_template")
    if not template:
        raise LongdocError(f"model {name} has no chat template in its GGUF; "
                           "use an instruct/chat model")
    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    eos = llama._model.token_get_text(eos_id) if eos_id != -1 else ""
    bos = llama._model.token_get_text(bos_id) if bos_id != -1 else ""
    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos,
                               stop_token_ids=[eos_id])


def kv_bytes_per_token(metadata: dict) -> int:
    """K and V of every layer in f16."""
    arch = metadata.get("general.architecture", "llama")
    layers = int(metadata.get(f"{arch}.block_count", 32) or 32)
    heads = int(metadata.get(f"{arch}.attention.head_count", 32) or 32)
    heads_kv = int(metadata.get(f"{arch}.attention.head_count_kv", heads) or heads)
    width = int(metadata.get(f"{arch}.embedding_length", 4096) or 4096)
    return 2 * layers * heads_kv * (width // max(heads, 1)) * 2


def free_memory() -> int:
    """Bytes of memory free now (8 GiB when the system does not say)."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 8 << 30


def default_context(metadata: dict) -> int:
    """The trained context, capped at 32k and by what the KV cache may take of free memory."""
    arch = metadata.get("general.architecture", "llama")
    trained = int(metadata.get(f"{arch}.context_length", 4096) or 4096)
    by_memory = int(free_memory() * 0.4 // max(kv_bytes_per_token(metadata), 1))
    n_ctx = min(trained, MAX_DEFAULT_CTX, by_memory)
    return max(512, n_ctx // 256 * 256)


def context_too_large(metadata: dict, n_ctx: int) -> LongdocError:
    """The error for a context whose KV cache could not be allocated, with one that fits."""
    per_token = kv_bytes_per_token(metadata)
    arch = metadata.get("general.architecture", "llama")
    fits = default_context({**metadata, f"{arch}.context_length": 1 << 40})
    return LongdocError(
        f"cannot allocate a context of {n_ctx:,} tokens: its KV cache alone needs about "
        f"{per_token * n_ctx / 2**30:,.1f} GiB ({per_token:,} bytes a token), more than this "
        f"machine can give; --ctx {fits} would fit (or leave --ctx out)")
