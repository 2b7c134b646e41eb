"""`longdoc compare`: one question through several pipelines with one loaded model, side by side."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from longdoc.cli.answering import run_pipelines
from longdoc.cli.common import (
    ChromaOpt,
    IndexOpt,
    JsonOpt,
    LibraryOpt,
    console,
    handles_errors,
    open_library,
    print_json,
)
from longdoc.cli.options import answer_options, model_options
from longdoc.cli.render import trace_lines
from longdoc.cli.runtime import open_session
from longdoc.core.errors import LongdocError
from longdoc.eval.metrics import numbers_in, token_containment, token_f1
from longdoc.llm.settings import ModelSettings
from longdoc.pipelines.answer import Answer
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import get_pipeline, parse_pipelines

AGREE_F1 = 0.5  # two answers "agree" when their token F1 reaches this…
AGREE_CONTAINED = 0.8  # …or when this share of the shorter one's words is in the longer one


def answers_agree(first: str, second: str) -> bool:
    """Token F1 alone splits a terse correct answer ("1963") from a full sentence saying the
    same thing, so a short answer whose words the longer answer contains also agrees.

    Numbers decide before words: "10,000 escudos" and "42,000 escudos" share most words
    but never agree."""
    if not numbers_compatible(first, second):
        return False
    if token_f1(first, second) >= AGREE_F1:
        return True
    return token_containment(first, second) >= AGREE_CONTAINED


def numbers_compatible(first: str, second: str) -> bool:
    """False when both answers state numbers and those of the one with fewer are not all among
    the other's ("1963" fits "in 1963, aged 40"; "10,000" does not fit "42,000")."""
    a, b = set(numbers_in(first)), set(numbers_in(second))
    if not a or not b:
        return True
    return a <= b or b <= a


def agreement_groups(answers: list[Answer]) -> list[list[str]]:
    """Pipelines grouped by agreeing answers (`answers_agree` with someone in the group)."""
    groups: list[list[int]] = []
    for i, answer in enumerate(answers):
        for group in groups:
            if any(answers_agree(answer.text, answers[j].text) for j in group):
                group.append(i)
                break
        else:
            groups.append([i])
    groups.sort(key=len, reverse=True)
    return [[answers[i].pipeline for i in g] for g in groups]


@handles_errors
@model_options
@answer_options()
def compare(
    question: Annotated[str, typer.Argument(help="Your question.")],
    pipelines: Annotated[str, typer.Option(
        "--pipelines", "-p", help="'all' or a comma-separated list (none,full,rag,coa,tree).")]
    = "all",
    doc: Annotated[Optional[list[str]], typer.Option(
        "--doc", "-d", help="Limit to this document; repeatable.")] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Show each pipeline's working.")]
    = False,
    index: IndexOpt = None, library: LibraryOpt = None, chroma: ChromaOpt = None,
    json_out: JsonOpt = False,
    *, settings: ModelSettings, options: PipelineOptions,
) -> None:
    """Run the same question through several pipelines and show the answers side by side."""
    if not question.strip():
        raise LongdocError("the question is empty")
    names = parse_pipelines(pipelines)
    lib = open_library(index, library, chroma)
    doc_ids, _titles, llm = open_session(lib, doc, settings, json_out,
                                         [get_pipeline(n) for n in names], options)
    context = AskContext(lib, llm, doc_ids, options)
    answers = run_pipelines(names, question, context, announce=not json_out)
    if json_out:
        print_json({"question": question, "answers": [a.to_dict() for a in answers],
                    "agreement": agreement_groups(answers)})
        return
    print_comparison(question, answers, trace)


def print_comparison(question: str, answers: list[Answer], trace: bool = False) -> None:
    """The answers side by side, which pipelines agree, and (with `trace`) their working."""
    groups = agreement_groups(answers)
    console.print(_table(question, answers, groups))
    if len(groups) > 1:
        parts = " | ".join(", ".join(g) for g in groups)
        console.print(f"[bold yellow]The answers disagree.[/] Groups of agreeing pipelines: "
                      f"{parts}")
    else:
        console.print("[green]All pipelines give compatible answers.[/]")
    if trace:
        for answer in answers:
            console.print(Panel("\n".join(trace_lines(answer)) or "(nothing to show)",
                                title=f"trace: {answer.pipeline}", title_align="left"))


def _table(question: str, answers: list[Answer], groups: list[list[str]]) -> Table:
    majority = set(groups[0]) if groups else set()
    table = Table(title=question, title_justify="left", show_lines=True)
    table.add_column("pipeline", no_wrap=True)
    table.add_column("answer", ratio=3)
    table.add_column("citations", ratio=1)
    for col in ("prompt tok", "calls", "time"):
        table.add_column(col, justify="right", no_wrap=True)
    for a in answers:
        style = "" if a.pipeline in majority or len(groups) == 1 else "yellow"
        cites = ", ".join(dict.fromkeys(c.pages_label() for c in a.citations)) or "-"
        text = escape(a.text) + (f"\n[dim](kept {a.kept_fraction:.0%} of the text)[/]"
                         if a.kept_fraction is not None and a.kept_fraction < 1 else "")
        table.add_row(a.pipeline, f"[{style}]{text}[/]" if style else text, cites,
                      f"{a.usage.prompt_tokens:,}", str(a.usage.calls),
                      f"{a.timings.total_s:.1f} s")
    return table
