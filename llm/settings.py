"""How a model is chosen and loaded: one settings record and the factory every command uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.llm.model_store import cache_home, resolve_model
from longdoc.llm.protocol import LLM
from longdoc.llm.state_cache import DEFAULT_MAX_BYTES, StateCache

MIN_CTX = 256


@dataclass
class ModelSettings:
    """Everything that decides which model runs and how; each default lives here only."""

    model: str | None = None  # GGUF path or known short name; None: the default model
    ctx: int | None = None  # None: the trained context, capped by memory and 32k
    gpu_layers: int | None = None  # None: all when the build offloads, else 0
    threads: int | None = None
    seed: int = 0
    temperature: float = 0.0
    state_cache_mb: int = DEFAULT_MAX_BYTES >> 20
    # where KV states are kept; None: the user's cache. An evaluation keeps its own, so its
    # many documents never evict the states of the documents a user asks about.
    state_dir: Path | None = None
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


def load_llm(settings: ModelSettings) -> LLM:
    """The model `settings` name: loaded by llama.cpp in this process, or, with `server`,
    reached over HTTP."""
    from longdoc.llm.llama import LlamaCppLLM

    settings.validate()
    if settings.server:
        if len(settings.server) > 1:
            raise LongdocError("only eval spreads over several --server URLs; give one")
        return load_server(settings, settings.server[0])
    ref = resolve_model(settings.model)
    cache = None
    if settings.state_cache_mb > 0:
        cache = StateCache(settings.state_dir or cache_home() / "states",
                           settings.state_cache_mb << 20)
    return LlamaCppLLM(ref, n_ctx=settings.ctx, n_threads=settings.threads,
                       n_gpu_layers=settings.gpu_layers, seed=settings.seed,
                       temperature=settings.temperature, state_cache=cache)


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
