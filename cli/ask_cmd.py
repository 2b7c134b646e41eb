"""`longdoc ask`: one question through one pipeline, streamed, with citations and usage."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from longdoc.cli.answering import answer_question, show_answer_details
from longdoc.cli.common import (
    ChromaOpt,
    IndexOpt,
    JsonOpt,
    LibraryOpt,
    handles_errors,
    open_library,
    print_json,
)
from longdoc.cli.config import setting
from longdoc.cli.options import answer_options, model_options
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
    pipeline: Annotated[Optional[str], typer.Option(
        "--pipeline", "-p", help=f"One of: {', '.join(PIPELINES)} (default: rag, or as "
        "configured: longdoc config).", show_default=False)] = None,
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
    pipeline = str(setting("pipeline", pipeline))
    runner = get_pipeline(pipeline)  # an unknown name fails before the model loads
    lib = open_library(index, library, chroma)
    doc_ids, _titles, llm = open_session(lib, doc, settings, json_out, [runner], options)
    context = AskContext(lib, llm, doc_ids, options)
    answer = answer_question(pipeline, question, context, stream=not json_out)
    if json_out:
        print_json(answer.to_dict())
        return
    show_answer_details(answer)
