"""One question answered in the terminal, shared by `ask`, `compare` and `chat`: the answer
streamed as it is generated, then its citations and the usage line."""

from __future__ import annotations

import sys

from longdoc.cli.common import console, err_console
from longdoc.cli.progress import tree_progress
from longdoc.cli.render import citations_panel, truncation_note, usage_line
from longdoc.pipelines.answer import Answer
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.registry import get_pipeline


def write_piece(piece: str) -> None:
    """Stream one piece of the answer to stdout as soon as the model produces it."""
    sys.stdout.write(piece)
    sys.stdout.flush()


def answer_question(pipeline: str, question: str, context: AskContext,
                    stream: bool = True) -> Answer:
    """`question` through `pipeline`, streamed to stdout when `stream` (tree builds show a
    progress bar on stderr then); `context` keeps its documents for the next question."""
    runner = get_pipeline(pipeline)
    with tree_progress(context.titles(), enabled=stream) as progress:
        context.on_token = write_piece if stream else None
        context.tree_progress = progress
        try:
            return runner.answer(question, context)
        finally:
            context.on_token, context.tree_progress = None, None


def show_answer_details(answer: Answer) -> None:
    """What follows a streamed answer: its truncation note, citations and usage line."""
    sys.stdout.write("\n")
    note = truncation_note(answer)
    if note:
        err_console.print(f"[yellow]{note}[/]")
    console.print(citations_panel(answer))
    console.print(f"[dim]{usage_line(answer)}[/]", highlight=False)


def run_pipelines(names: list[str], question: str, context: AskContext,
                  announce: bool = True) -> list[Answer]:
    """The same question through each pipeline in turn, on one model and one library."""
    answers = []
    with tree_progress(context.titles(), enabled=announce) as progress:
        context.tree_progress = progress
        try:
            for name in names:
                if announce:
                    err_console.print(f"[dim]running {name}…[/]")
                answers.append(get_pipeline(name).answer(question, context))
        finally:
            context.tree_progress = None
    return answers
