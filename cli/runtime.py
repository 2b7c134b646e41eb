"""Model options shared by `ask`, `compare` and `eval`, and loading the model once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from longdoc.cli.common import err_console
from longdoc.indexers.errors import LongdocError
from longdoc.indexers.library import Library
from longdoc.pipelines.model_store import DEFAULT_MODEL, cache_home, resolve_model
from longdoc.pipelines.state_cache import DEFAULT_MAX_BYTES, StateCache

ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", "-m",
    help=f"GGUF path or short name (default {DEFAULT_MODEL}; see: longdoc models).",
    show_default=False)]
CtxOpt = Annotated[Optional[int], typer.Option(
    "--ctx", help="Context size in tokens (default: trained context, capped by memory and 32k).",
    show_default=False)]
GpuOpt = Annotated[Optional[int], typer.Option(
    "--gpu-layers", help="Layers to offload to the GPU (-1: all; default all when the "
    "llama-cpp-python build supports a GPU, else 0).", show_default=False)]
ThreadsOpt = Annotated[Optional[int], typer.Option("--threads", help="CPU threads.",
                                                   show_default=False)]
SeedOpt = Annotated[int, typer.Option("--seed", help="Sampling seed.")]
TempOpt = Annotated[float, typer.Option("--temperature", help="0 = greedy (deterministic).")]
MaxTokOpt = Annotated[int, typer.Option("--max-tokens", help="Longest answer in tokens.")]
StateCacheOpt = Annotated[int, typer.Option(
    "--state-cache-mb", help="Disk cache of document KV states (0 turns it off).")]


@dataclass
class ModelSettings:
    model: str | None = None
    ctx: int | None = None
    gpu_layers: int | None = None
    threads: int | None = None
    seed: int = 0
    temperature: float = 0.0
    state_cache_mb: int = DEFAULT_MAX_BYTES >> 20


def load_llm(settings: ModelSettings, quiet: bool = False):
    from longdoc.pipelines.llama_llm import LlamaCppLLM

    if settings.ctx is not None and settings.ctx < 256:
        raise LongdocError(f"--ctx {settings.ctx} is too small (at least 256 tokens)")
    ref = resolve_model(settings.model)
    cache = None
    if settings.state_cache_mb > 0:
        cache = StateCache(cache_home() / "states", settings.state_cache_mb << 20)
    llm = LlamaCppLLM(ref, n_ctx=settings.ctx, n_threads=settings.threads,
                      n_gpu_layers=settings.gpu_layers, seed=settings.seed,
                      temperature=settings.temperature, state_cache=cache)
    if not quiet:
        err_console.print(f"[dim]model {llm.name} · context {llm.context_size:,} tokens · "
                          f"{llm.offload_summary()}[/]", highlight=False)
    return llm


def select_documents(library: Library, refs: list[str] | None) -> list[str]:
    library.require_documents()
    if not refs:
        return [d.doc_id for d in library.documents()]
    return list(dict.fromkeys(library.resolve_doc(r).doc_id for r in refs))

RagTokensOpt = Annotated[int, typer.Option(
    "--rag-tokens", help="rag and tree: tokens of retrieved text.")]
TreeModeOpt = Annotated[str, typer.Option(
    "--tree-mode", help="tree: 'collapsed' (retrieve over all levels) or 'navigate'.")]


def pipeline_options(rag_tokens: int, tree_mode: str, tree_progress=None) -> dict:
    if tree_mode not in {"collapsed", "navigate"}:
        raise LongdocError(f"--tree-mode must be 'collapsed' or 'navigate', not '{tree_mode}'")
    if rag_tokens < 64:
        raise LongdocError(f"--rag-tokens must be at least 64 (got {rag_tokens})")
    options = {"rag_tokens": rag_tokens, "tree_mode": tree_mode}
    if tree_progress is not None:
        options["tree_progress"] = tree_progress
    return options


def open_session(library: Library, refs: list[str] | None, settings: ModelSettings,
                 quiet: bool):
    """What `ask` and `compare` start with: the documents to read, their titles, the model."""
    doc_ids = select_documents(library, refs)
    llm = load_llm(settings, quiet=quiet)
    titles = {d: library.manifest.documents[d].title for d in doc_ids}
    return doc_ids, titles, llm
