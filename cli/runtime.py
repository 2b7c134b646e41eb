"""Loading the model and choosing documents: what `ask`, `compare` and `eval` start with."""

from __future__ import annotations

from longdoc.cli.common import err_console
from longdoc.indexers.library import Library
from longdoc.llm.protocol import LLM
from longdoc.llm.settings import ModelSettings
from longdoc.llm.settings import load_llm as load_backend


def load_llm(settings: ModelSettings, quiet: bool = False) -> LLM:
    """The model, loaded once; says on stderr what was loaded and where it runs."""
    llm = load_backend(settings)
    if not quiet:
        err_console.print(f"[dim]model {llm.name} · context {llm.context_size:,} tokens · "
                          f"{llm.offload_summary()}[/]", highlight=False)
    return llm


def select_documents(library: Library, refs: list[str] | None) -> list[str]:
    library.require_documents()
    if not refs:
        return [d.doc_id for d in library.documents()]
    return list(dict.fromkeys(library.resolve_doc(r).doc_id for r in refs))


def open_session(library: Library, refs: list[str] | None, settings: ModelSettings,
                 quiet: bool) -> tuple[list[str], dict[str, str], LLM]:
    """The documents to read, their titles, and the model."""
    doc_ids = select_documents(library, refs)
    llm = load_llm(settings, quiet=quiet)
    titles = {d: library.manifest.documents[d].title for d in doc_ids}
    return doc_ids, titles, llm
