"""`longdoc docs` (what is indexed) and `longdoc forget` (remove documents from the library)."""

from __future__ import annotations

import textwrap
from dataclasses import asdict
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from longdoc.cli.common import (
    IndexOpt,
    JsonOpt,
    LibraryOpt,
    console,
    handles_errors,
    open_library,
    print_json,
)
from longdoc.indexers.forget import forget_documents
from longdoc.indexers.manifest import DocRecord

ID_CHARS = 8  # enough to tell documents apart, and accepted by --doc and forget (6 or more)
TITLE_LINES = 2
MIN_TITLE_WIDTH = 16
MAX_TITLE_WIDTH = 64


def _cells(d: DocRecord, wide: bool) -> list[str]:
    when = d.ingested_at.replace("T", " ")[:16 if wide else 10]
    words = [f"{d.words:,}"] if wide else []
    pages = f"{d.pages} ({len(d.ocr_pages)} OCR)" if d.ocr_pages else str(d.pages)
    return [d.doc_id[:ID_CHARS], d.kind, pages, *words, f"{d.tokens:,}",
            str(d.chunks), when]


def _clip(title: str, width: int) -> str:
    """The title wrapped to `width`, at most TITLE_LINES lines (the last one cut with …)."""
    lines = textwrap.wrap(title, width, break_long_words=True) or [""]
    if len(lines) > TITLE_LINES:
        last = " ".join(lines[TITLE_LINES - 1:])
        lines = lines[:TITLE_LINES - 1] + [last[:width - 1] + "…"]
    return "\n".join(lines)


def docs_table(records: list[DocRecord], title: str, width: int) -> Table:
    """The documents as a table that fits `width` columns: every column but the title keeps
    its width, and each title takes at most two lines (words and the time of day are left
    out below 100 columns)."""
    wide = width >= 100
    heads = ["id", "type", "pages", *(["words"] if wide else []), "tokens", "chunks",
             "ingested"]
    rows = [_cells(d, wide) for d in records]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    # box.SIMPLE without edges: one space of padding each side, one divider between columns
    used = sum(w + 2 for w in widths) + len(widths)
    title_width = min(MAX_TITLE_WIDTH, max(MIN_TITLE_WIDTH, width - used - 2))
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    for i, head in enumerate(heads):
        table.add_column(head, no_wrap=True, justify="left" if head in {
            "id", "type", "ingested"} else "right", min_width=widths[i])
        if head == "id":
            table.add_column("title", width=title_width)
    for d, cells in zip(records, rows, strict=True):
        table.add_row(cells[0], escape(_clip(d.title, title_width)), *cells[1:])
    return table


def print_docs(records: list[DocRecord], title: str, out: Console) -> None:
    out.print(docs_table(records, title, out.width))
    out.print("[dim]tokens are counted with the embedder's tokenizer (MiniLM word pieces)[/]")


@handles_errors
def docs(index: IndexOpt = None, library: LibraryOpt = None, json_out: JsonOpt = False) -> None:
    """List what is indexed: id, title, type, pages, words, tokens, chunks, when."""
    lib = open_library(index, library)
    records = lib.documents()
    if json_out:
        print_json({"library": str(lib.root), "documents": [asdict(d) for d in records]})
        return
    print_docs(records, escape(f"{len(records)} documents in {lib.root}"), console)


@handles_errors
def forget(
    refs: Annotated[list[str], typer.Argument(
        metavar="DOC...", help="Documents to remove: id (or a prefix of 6+ characters), title, "
        "file name or path, as `longdoc docs` lists them.")],
    index: IndexOpt = None, library: LibraryOpt = None, json_out: JsonOpt = False,
) -> None:
    """Remove documents from the library: their chunks, vectors, trees and cached model states
    (their files are left alone; ingesting a file again brings its document back)."""
    from longdoc.llm.settings import state_dir
    from longdoc.llm.state_cache import StateCache

    lib = open_library(index, library)
    gone = forget_documents(lib, refs)
    cache = StateCache(state_dir())
    states = [cache.remove_text(g.text) if g.text else (0, 0) for g in gone]
    if json_out:
        print_json({"library": str(lib.root), "forgotten": [
            {**asdict(g.record), "states_removed": n, "state_bytes_removed": size}
            for g, (n, size) in zip(gone, states, strict=True)]})
        return
    for g, (n, size) in zip(gone, states, strict=True):
        note = f"; {n} cached model state{'s' * (n != 1)} ({size / 2**20:,.0f} MB)" if n else ""
        console.print(f"forgot {g.record.doc_id[:ID_CHARS]} '{escape(g.record.title)}' "
                      f"({g.record.chunks} chunks{note})", highlight=False, soft_wrap=True)
    console.print(f"[dim]{len(lib.manifest.documents)} documents left in {lib.root}[/]",
                  highlight=False)
