"""`longdoc report`: summarise evaluation runs, and compare them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from longdoc.cli.common import console, err_console, handles_errors
from longdoc.core.errors import LongdocError
from longdoc.eval.report import markdown, plots, summarize
from longdoc.eval.results import load_results


def warn_problems(problems: list[str]) -> None:
    """Print the bad lines found in a run's results (they were skipped, not lost)."""
    for problem in problems:
        err_console.print(f"[yellow]warning: {escape(problem)}[/]", highlight=False,
                          soft_wrap=True)


def write_report(out: Path, warn: bool = False) -> dict:
    results = load_results(out / "results.jsonl")
    if warn:
        warn_problems(results.problems)
    rows = results.rows
    if not rows:
        raise LongdocError(f"{out} holds no results yet")
    summary = summarize(rows)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "report.md").write_text(markdown(summary, f"Evaluation run {out.name}"))
    written = plots(summary, out)
    console.print(summary_table(summary, out.name))
    console.print(f"[dim]wrote {out / 'summary.json'}, {out / 'report.md'}"
                  + "".join(f", {p.name}" for p in written) + "[/]")
    return summary


def summary_table(summary: dict, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("dataset")
    for p in summary["pipelines"]:
        table.add_column(p, justify="right")
    for d, cells in summary["table"].items():
        table.add_row(d, *[_score_cell(cells[p]) if p in cells else "-"
                           for p in summary["pipelines"]])
    cost = summary["table"].get("all", {})
    table.add_row("[dim]prompt tok/q[/]", *[f"[dim]{cost[p]['prompt_tokens']:,.0f}[/]"
                                            if p in cost else "-" for p in summary["pipelines"]])
    table.add_row("[dim]median s/q[/]", *[f"[dim]{cost[p]['seconds']:.1f}[/]"
                                          if p in cost else "-" for p in summary["pipelines"]])
    return table


def _score_cell(cell: dict) -> str:
    low, high = cell["ci95"]
    return f"{cell['score']:.3f} ±{(high - low) / 2:.2f}"


@handles_errors
def report(runs: Annotated[list[Path], typer.Argument(help="Run folders to report on.")]) -> None:
    """Report on one or more evaluation runs (and compare them)."""
    summaries = {}
    for run in runs:
        if not (run / "results.jsonl").exists():
            raise LongdocError(f"{run} is not an evaluation run (no results.jsonl)")
        name = run.name if run.name not in summaries else str(run)
        summaries[name] = write_report(run, warn=True)
    if len(summaries) > 1:
        pipes = list(dict.fromkeys(p for s in summaries.values() for p in s["pipelines"]))
        table = Table(title="Runs compared (all datasets)", title_justify="left")
        table.add_column("run")
        for p in pipes:
            table.add_column(p, justify="right")
        for name, s in summaries.items():
            cells = s["table"].get("all", {})
            table.add_row(name, *[f"{cells[p]['score']:.3f}" if p in cells else "-"
                                  for p in pipes])
        console.print(table)
