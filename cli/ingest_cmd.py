"""`longdoc ingest` and `longdoc docs`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from longdoc.cli.common import (
    ChromaOpt,
    IndexOpt,
    JsonOpt,
    LibraryOpt,
    console,
    err_console,
    handles_errors,
    open_library,
    print_json,
)
from longdoc.cli.options import model_options
from longdoc.cli.progress import tree_progress
from longdoc.cli.runtime import load_llm
from longdoc.indexers.chunking import ChunkSettings
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest import FileResult, IngestReport
from longdoc.indexers.ingest import ingest as run_ingest
from longdoc.llm.settings import ModelSettings

STATUS_STYLE = {"added": "green", "updated": "cyan", "unchanged": "dim", "duplicate": "dim",
                "failed": "red", "skipped": "yellow", "removed": "magenta", "repaired": "cyan"}


class RichIngestProgress:
    """Two bars: files parsed (with the current file) and chunks embedded (with ETA)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.files = progress.add_task("Parsing", total=None)
        self.chunks = progress.add_task("Embedding", total=0)

    def files_found(self, n: int) -> None:
        self.progress.update(self.files, total=n)

    def file_started(self, path: Path) -> None:
        self.progress.update(self.files, description=f"Parsing {path.name[:40]}")

    def file_done(self, result: FileResult) -> None:
        self.progress.advance(self.files)

    def chunks_queued(self, n: int) -> None:
        task = self.progress.tasks[self.chunks]
        self.progress.update(self.chunks, total=(task.total or 0) + n)

    def chunks_embedded(self, n: int) -> None:
        self.progress.advance(self.chunks, n)


@handles_errors
@model_options
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively).")],
    prune: Annotated[bool, typer.Option(help="Remove indexed files under PATHS that are gone.")]
    = False,
    chunk_size: Annotated[Optional[int], typer.Option(
        help="Chunk size in embedder tokens (new libraries; default 200).")] = None,
    chunk_overlap: Annotated[Optional[int], typer.Option(
        help="Overlap between chunks in embedder tokens (default 40).")] = None,
    build_trees: Annotated[bool, typer.Option(
        "--build-trees", help="Also build the tree of summaries of every document now.")]
    = False,
    index: IndexOpt = None,
    library: LibraryOpt = None,
    chroma: ChromaOpt = None,
    json_out: JsonOpt = False,
    *, settings: ModelSettings,
) -> None:
    """Index PDFs, text and Markdown files; unchanged files are skipped."""
    lib = open_library(index, library, chroma)
    settings = None
    if chunk_size is not None or chunk_overlap is not None:
        settings = ChunkSettings(chunk_size or ChunkSettings.size,
                                 ChunkSettings.overlap if chunk_overlap is None else chunk_overlap)
        settings.validate()
    embedder = Embedder()
    with Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console,
                  transient=json_out, disable=json_out) as bar:
        report = run_ingest(lib, paths, embedder, settings, prune=prune,
                            progress=RichIngestProgress(bar))
    if build_trees and report.indexed_any:
        _build_trees(lib, embedder, settings, quiet=json_out)
    if json_out:
        print_json({**asdict(report), "indexed_any": report.indexed_any})
    else:
        _print_report(report)
    if not report.indexed_any:
        raise typer.Exit(2)


def _build_trees(lib, embedder: Embedder, settings: ModelSettings, quiet: bool) -> None:
    from longdoc.pipelines.options import PipelineOptions
    from longdoc.pipelines.tree import TreeOfSummaries
    from longdoc.pipelines.tree_builder import build_tree

    # a context sized to the summaries' prompts, not the whole trained window
    llm = load_llm(settings, quiet=quiet,
                   needed=TreeOfSummaries().window_needed(0, PipelineOptions()))
    lib.reload()
    titles = {d.doc_id: d.title for d in lib.documents()}
    with tree_progress(titles, enabled=not quiet) as progress:
        for doc_id in titles:
            build_tree(lib, doc_id, llm, embedder, on_node=progress(doc_id))
    if not quiet:
        console.print(f"trees of summaries ready for {len(titles)} documents ({llm.name})")


def _print_report(report: IngestReport) -> None:
    table = Table(title=f"Ingest into {report.library}", title_justify="left")
    for col in ("file", "status", "pages", "chunks", "note"):
        table.add_column(col, justify="right" if col in {"pages", "chunks"} else "left")
    for r in report.results:
        style = STATUS_STYLE.get(r.status, "")
        table.add_row(Path(r.path).name, f"[{style}]{r.status}[/]", str(r.pages or ""),
                      str(r.chunks or ""), r.reason)
    console.print(table)
    counts = ", ".join(f"{report.count(s)} {s}" for s in STATUS_STYLE if report.count(s))
    console.print(f"{counts or 'nothing to do'}; {report.embedded_chunks} chunks embedded "
                  f"in {report.seconds:.1f} s")
