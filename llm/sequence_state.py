"""One sequence's KV cells saved to and loaded from a file (llama.cpp's per-sequence state
files, which hold only the KV cells, no logits): how a document prefix outlives a process."""

from __future__ import annotations

import ctypes
from pathlib import Path


def save_sequence(llama, path: Path, tokens: list[int]) -> bool:
    """Write the cells of `tokens` (sequence 0 of `llama`'s context) to `path`."""
    import llama_cpp

    array = (llama_cpp.llama_token * len(tokens))(*tokens)
    written = llama_cpp.llama_state_seq_save_file(llama._ctx.ctx, str(path).encode(), 0, array,
                                                  len(tokens))
    return written > 0


def load_sequence(llama, path: Path, expected: list[int], context_size: int) -> bool:
    """Load the cells saved in `path` if they are those of `expected`; else leave the context
    empty and say so."""
    import llama_cpp

    llama._ctx.kv_cache_seq_rm(-1, 0, -1)
    llama.reset()
    out = (llama_cpp.llama_token * context_size)()
    count = ctypes.c_size_t(0)
    read = llama_cpp.llama_state_seq_load_file(llama._ctx.ctx, str(path).encode(), 0, out,
                                               context_size, ctypes.byref(count))
    n = count.value
    if read == 0 or n != len(expected) or list(out[:n]) != list(expected):
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        llama.reset()
        return False
    llama.input_ids[:n] = expected
    llama.n_tokens = n
    return True
