"""Loading the model and choosing documents: what `ask`, `compare` and `eval` start with."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from rich.markup import escape

from longdoc.cli.common import err_console
from longdoc.core.errors import LongdocError
from longdoc.indexers.library import Library
from longdoc.llm.model_store import DEFAULT_MODEL
from longdoc.llm.protocol import LLM
from longdoc.llm.settings import ModelSettings, load_server
from longdoc.llm.settings import load_llm as load_backend
from longdoc.pipelines.base import Pipeline
from longdoc.pipelines.options import PipelineOptions


def load_llm(settings: ModelSettings, quiet: bool = False, needed: int | None = None) -> LLM:
    """The model, loaded once; says on stderr what was loaded and where it runs. `needed`:
    the context the work takes (see llm.settings.load_llm)."""
    llm = load_backend(settings, needed)
    if not quiet:
        _say_loaded(llm)
    return llm


def load_server_llm(settings: ModelSettings, url: str) -> LLM:
    """The model at one server of several (eval spreads documents over them)."""
    llm = load_server(settings, url)
    _say_loaded(llm)
    return llm


def _say_loaded(llm: LLM) -> None:
    err_console.print(f"[dim]model {llm.name} · context {llm.context_size:,} tokens · "
                      f"{llm.offload_summary()}[/]", highlight=False)


def warn_generated_choice(llm: LLM) -> None:
    if not getattr(llm, "scores_prompts", True):
        err_console.print("[yellow]warning: the model server returns no usable prompt "
                          "log-probabilities; multiple choice is answered by generating the "
                          "letter (the generate mode)[/]", highlight=False, soft_wrap=True)


def select_documents(library: Library, refs: list[str] | None) -> list[str]:
    """The documents asked for, less those whose stored data is damaged (each left out with
    a one-line warning, so one bad file does not stop every question)."""
    library.require_documents()
    if not refs:
        wanted = [d.doc_id for d in library.documents()]
    else:
        wanted = list(dict.fromkeys(library.resolve_doc(r).doc_id for r in refs))
    readable = []
    for doc_id in wanted:
        why = library.damaged(doc_id)
        if why:
            err_console.print(f"[yellow]warning: {escape(why)}; left out[/]", highlight=False,
                              soft_wrap=True)
        else:
            readable.append(doc_id)
    if not readable:
        raise LongdocError("no readable document left to answer from (see the warnings)")
    return readable


def warn_missing_vectors(library: Library, doc_ids: list[str],
                         counts: Counter | None = None) -> None:
    """Say which documents have fewer vectors than chunks (rag then ranks them by BM25
    alone); a vector store that cannot be read is an error naming its file. `counts`: the
    vectors per document when already read."""
    counts = library.vectors.counts_by_doc() if counts is None else counts
    for doc_id in doc_ids:
        record = library.manifest.documents[doc_id]
        if counts.get(doc_id, 0) < record.chunks:
            err_console.print(
                f"[yellow]warning: '{escape(record.title)}' has {counts.get(doc_id, 0)} of "
                f"{record.chunks} vectors in {library.vectors.where}: its chunks are ranked "
                "by BM25 alone; run longdoc ingest on its file to re-embed them[/]",
                highlight=False, soft_wrap=True)


def window_needed(library: Library, doc_ids: list[str], pipelines: list[Pipeline],
                  options: PipelineOptions) -> int:
    """The context the longest prompt of these pipelines over these documents takes."""
    doc_tokens = sum(library.manifest.documents[d].tokens for d in doc_ids)
    return max(p.window_needed(doc_tokens, options) for p in pipelines)


def open_session(library: Library, refs: list[str] | None, settings: ModelSettings,
                 quiet: bool, pipelines: list[Pipeline], options: PipelineOptions,
                 sized: bool = True) -> tuple[list[str], dict[str, str], LLM]:
    """The documents to read, their titles, and the model, its context sized to what the
    pipelines need of these documents (unless --ctx says otherwise, or not `sized`)."""
    doc_ids = select_documents(library, refs)
    sizing = options.for_model(settings.model or DEFAULT_MODEL)
    needed = window_needed(library, doc_ids, pipelines, sizing) if sized else None
    if not any(p.uses_vectors for p in pipelines):
        llm = load_llm(settings, quiet=quiet, needed=needed)
    else:
        # chromadb's import and open (about 1.5 s of Python) run while llama.cpp loads the
        # weights with the GIL released: a cold `ask -p rag` starts sooner
        with ThreadPoolExecutor(1) as pool:
            counts = pool.submit(library.vectors.counts_by_doc)
            try:
                llm = load_llm(settings, quiet=quiet, needed=needed)
            except LongdocError:
                counts.result()  # a library that cannot be read is said first, as before
                raise
            warn_missing_vectors(library, doc_ids, counts.result())
    titles = {d: library.manifest.documents[d].title for d in doc_ids}
    return doc_ids, titles, llm
