"""`longdoc ask`: one question through one pipeline, streamed, with citations and usage."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

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
from longdoc.cli.options import answer_options, model_options
from longdoc.cli.progress import tree_progress
from longdoc.cli.render import citations_panel, truncation_note, usage_line
from longdoc.cli.runtime import open_session
from longdoc.core.errors import LongdocError
from longdoc.llm.settings import ModelSettings
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import PIPELINES, get_pipeline


@handles_errors
@model_options
@answer_options()
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    pipeline: Annotated[str, typer.Option(
        "--pipeline", "-p", help=f"One of: {', '.join(PIPELINES)}.")] = "rag",
    doc: Annotated[Optional[list[str]], typer.Option(
        "--doc", "-d", help="Limit to this document (id, title or file name); repeatable.")]
    = None,
    index: IndexOpt = None, library: LibraryOpt = None, chroma: ChromaOpt = None,
    json_out: JsonOpt = False,
    *, settings: ModelSettings, options: PipelineOptions,
) -> None:
    """Answer a question from the indexed documents."""
    if not question.strip():
        raise LongdocError("the question is empty")
    runner = get_pipeline(pipeline)
    lib = open_library(index, library, chroma)
    doc_ids, titles, llm = open_session(lib, doc, settings, quiet=json_out,
                                        uses_vectors=pipeline == "rag")

    def stream(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    with tree_progress(titles, enabled=not json_out) as progress:
        context = AskContext(lib, llm, doc_ids, options,
                             on_token=None if json_out else stream, tree_progress=progress)
        answer = runner.answer(question, context)
    if json_out:
        print_json(answer.to_dict())
        return
    sys.stdout.write("\n")
    note = truncation_note(answer)
    if note:
        err_console.print(f"[yellow]{note}[/]")
    console.print(citations_panel(answer))
    console.print(f"[dim]{usage_line(answer)}[/]", highlight=False)
