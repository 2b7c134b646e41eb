"""How a model is chosen and loaded: one settings record and the factory every command uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.llm.model_store import cache_home, resolve_model
from longdoc.llm.protocol import LLM
from longdoc.llm.state_cache import DEFAULT_MAX_BYTES, StateCache

MIN_CTX = 256
KV_TYPES = ("f16", "q8_0")  # llama.cpp KV cache types offered (q8_0 needs flash attention)
SIZED_CTX_STEP = 1024  # a context sized to the work is rounded up to this…
SIZED_CTX_MIN = 2048  # …and is at least this


@dataclass
class ModelSettings:
    """Everything that decides which model runs and how; each default lives here only."""

    model: str | None = None  # GGUF path or known short name; None: the default model
    # None: sized to the work when the command says what it needs (load_llm's `needed`),
    # else the trained context, capped by memory and 32k
    ctx: int | None = None
    gpu_layers: int | None = None  # None: all when the build offloads, else 0
    threads: int | None = None
    seed: int = 0
    temperature: float = 0.0
    state_cache_mb: int = DEFAULT_MAX_BYTES >> 20
    # where KV states are kept; None: the user's cache. An evaluation keeps its own, so its
    # many documents never evict the states of the documents a user asks about.
    state_dir: Path | None = None
    # llama.cpp speed settings; defaults from benchmarks/llama_settings.py (README "Performance")
    flash_attn: bool = True
    n_batch: int = 512
    kv_type: str = "f16"
    # OpenAI-compatible model servers (base URLs); none: the model runs in this process.
    # Only `eval` spreads over several; every other command takes one.
    server: list[str] | None = None

    def validate(self) -> None:
        if self.ctx is not None and self.ctx < MIN_CTX:
            raise LongdocError(f"--ctx {self.ctx} is too small (at least {MIN_CTX} tokens)")
        if self.temperature < 0:
            raise LongdocError(f"--temperature must be 0 or more (got {self.temperature})")
        if self.state_cache_mb < 0:
            raise LongdocError(f"--state-cache-mb must be 0 or more (got {self.state_cache_mb})")
        if self.n_batch < 32:
            raise LongdocError(f"--n-batch must be at least 32 (got {self.n_batch})")
        if self.kv_type not in KV_TYPES:
            raise LongdocError(f"--kv-type must be one of {', '.join(KV_TYPES)}, "
                               f"not '{self.kv_type}'")
        if self.kv_type != "f16" and not self.flash_attn:
            raise LongdocError(f"--kv-type {self.kv_type} needs flash attention "
                               "(leave out --no-flash-attn)")


def state_dir() -> Path:
    """Where the KV states of the documents a user asks about are kept."""
    return cache_home() / "states"


def load_llm(settings: ModelSettings, needed: int | None = None) -> LLM:
    """The model `settings` name: loaded by llama.cpp in this process, or, with `server`,
    reached over HTTP.

    `needed`: the most tokens the command's longest prompt and answer take; without --ctx the
    context is sized to it (less memory and a faster start than the whole trained context)."""
    from longdoc.llm.llama import LlamaCppLLM

    settings.validate()
    if settings.server:
        if len(settings.server) > 1:
            raise LongdocError("only eval spreads over several --server URLs; give one")
        return load_server(settings, settings.server[0])
    ref = resolve_model(settings.model)
    cache = None
    if settings.state_cache_mb > 0:
        cache = StateCache(settings.state_dir or state_dir(), settings.state_cache_mb << 20)
    n_ctx = settings.ctx
    if n_ctx is None and needed is not None:
        n_ctx = sized_context(needed, context_for(settings))
    return LlamaCppLLM(ref, n_ctx=n_ctx, n_threads=settings.threads,
                       n_gpu_layers=settings.gpu_layers, seed=settings.seed,
                       temperature=settings.temperature, state_cache=cache,
                       n_batch=settings.n_batch, flash_attn=settings.flash_attn,
                       kv_type=settings.kv_type)


def sized_context(needed: int, largest: int) -> int:
    """`needed` tokens rounded up to a step (at least SIZED_CTX_MIN), at most `largest`."""
    steps = -(-max(needed, SIZED_CTX_MIN) // SIZED_CTX_STEP)
    return min(largest, steps * SIZED_CTX_STEP)


def context_for(settings: ModelSettings) -> int:
    """The context a load of `settings` would get, read from the GGUF without loading weights."""
    from longdoc.llm.gguf import default_context as from_metadata
    from longdoc.llm.gguf import read_metadata

    settings.validate()
    if settings.ctx:
        return settings.ctx
    return from_metadata(read_metadata(resolve_model(settings.model).path))


def trained_context(path: Path) -> int | None:
    """The context a GGUF was trained for, or None when the file cannot be read."""
    from longdoc.llm.gguf import read_metadata

    try:
        metadata = read_metadata(path)
    except LongdocError:
        return None
    arch = metadata.get("general.architecture", "llama")
    return int(metadata.get(f"{arch}.context_length", 0) or 0) or None


def load_server(settings: ModelSettings, url: str) -> LLM:
    """The model served at `url` (an OpenAI-compatible base URL)."""
    from longdoc.llm.server import ServerLLM

    settings.validate()
    return ServerLLM(url, model=settings.model, local_gguf=lambda: _local_gguf(settings.model),
                     ctx=settings.ctx, temperature=settings.temperature, seed=settings.seed)


def _local_gguf(model: str | None) -> Path | None:
    """The GGUF `model` names on this machine (its chat template is read), if it is here."""
    try:
        return resolve_model(model).path
    except LongdocError:
        return None
