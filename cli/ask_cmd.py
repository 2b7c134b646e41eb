"""`longdoc ask`: one question through one pipeline, streamed, with citations and usage."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from longdoc.cli.common import (
    IndexOpt,
    JsonOpt,
    LibraryOpt,
    console,
    err_console,
    handles_errors,
    open_library,
    print_json,
)
from longdoc.cli.progress import tree_progress
from longdoc.cli.render import citations_panel, truncation_note, usage_line
from longdoc.cli.runtime import (
    CtxOpt,
    GpuOpt,
    MaxTokOpt,
    ModelOpt,
    ModelSettings,
    RagTokensOpt,
    SeedOpt,
    StateCacheOpt,
    TempOpt,
    ThreadsOpt,
    TreeModeOpt,
    open_session,
    pipeline_options,
)
from longdoc.indexers.errors import LongdocError
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.registry import PIPELINES, get_pipeline


@handles_errors
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    pipeline: Annotated[str, typer.Option(
        "--pipeline", "-p", help=f"One of: {', '.join(PIPELINES)}.")] = "rag",
    doc: Annotated[Optional[list[str]], typer.Option(
        "--doc", "-d", help="Limit to this document (id, title or file name); repeatable.")]
    = None,
    rag_tokens: RagTokensOpt = 1536, tree_mode: TreeModeOpt = "collapsed",
    model: ModelOpt = None, ctx: CtxOpt = None, gpu_layers: GpuOpt = None,
    threads: ThreadsOpt = None, seed: SeedOpt = 0, temperature: TempOpt = 0.0,
    max_tokens: MaxTokOpt = 256, state_cache_mb: StateCacheOpt = 2048,
    index: IndexOpt = None, library: LibraryOpt = None, json_out: JsonOpt = False,
) -> None:
    """Answer a question from the indexed documents."""
    if not question.strip():
        raise LongdocError("the question is empty")
    runner = get_pipeline(pipeline)
    pipeline_options(rag_tokens, tree_mode)  # validate before loading anything
    lib = open_library(index, library)
    doc_ids, titles, llm = open_session(lib, doc, ModelSettings(
        model, ctx, gpu_layers, threads, seed, temperature, state_cache_mb), quiet=json_out)

    def stream(piece: str) -> None:
        sys.stdout.write(piece)
        sys.stdout.flush()

    with tree_progress(titles, enabled=not json_out) as progress:
        context = AskContext(lib, llm, doc_ids, on_token=None if json_out else stream,
                             answer_tokens=max_tokens,
                             options=pipeline_options(rag_tokens, tree_mode, progress))
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
