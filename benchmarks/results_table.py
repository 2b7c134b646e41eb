"""The README's Results table from a run: per dataset, each pipeline's score with its gain over
closed book (`none`) on the same questions and the paired permutation p-value, then prompt
tokens, LLM calls and median seconds per question; then, when `auto` is in it, where auto
settled its questions and its prompt tokens against the other pipelines'.

    python benchmarks/results_table.py ~/longdoc-runs/v3-0.5b
    python benchmarks/results_table.py ~/longdoc-runs/v3-0.5b ~/longdoc-runs/v3-auto-defaults

Several runs are merged: a later run's answers replace the earlier runs' answers to the same
questions by the same pipelines (for example `auto` re-run with other settings, against the
first run's other pipelines), and runs of one pipeline on different datasets add up.
`--questions-of RUN` keeps only the questions that RUN answered, to set a run beside one made
on a subset of its questions (for example the 1.5B model's):

    python benchmarks/results_table.py ~/longdoc-runs/v3-0.5b \
        --questions-of ~/longdoc-runs/v3-1.5b-first5
"""

from __future__ import annotations

import argparse
from pathlib import Path

from longdoc.eval.report import summarize
from longdoc.eval.results import load_results
from longdoc.eval.route_report import routing, routing_markdown


def gains(summary: dict) -> dict[tuple[str, str], tuple[float, float]]:
    """(dataset, pipeline) -> (gain over none, p) from the run's paired tests."""
    out = {}
    for t in summary["paired"]:
        if t["a"] == "none":
            out[(t["dataset"], t["b"])] = (-t["diff"], t["p"])
        elif t["b"] == "none":
            out[(t["dataset"], t["a"])] = (t["diff"], t["p"])
    return out


def merged_rows(runs: list[Path]) -> list[dict]:
    """The runs' result lines; a later run's (question, pipeline) replaces the earlier ones'."""
    rows: list[dict] = []
    for run in runs:
        later = load_results(run / "results.jsonl").rows
        replaced = {(r["qid"], r["pipeline"]) for r in later}
        rows = [r for r in rows if (r["qid"], r["pipeline"]) not in replaced] + later
    return rows


def answered_questions(run: Path) -> set[str]:
    return {r["qid"] for r in load_results(run / "results.jsonl").rows if not r.get("error")}


def main(runs: list[Path], questions_of: Path | None = None) -> None:
    rows = merged_rows(runs)
    if questions_of is not None:
        kept = answered_questions(questions_of)
        rows = [r for r in rows if r["qid"] in kept]
    summary = summarize(rows)
    pipes, table, paired = summary["pipelines"], summary["table"], gains(summary)
    print("| dataset | " + " | ".join(pipes) + " |")
    print("|---|" + "---|" * len(pipes))
    for dataset in [*summary["datasets"], "all"]:
        cells = []
        for p in pipes:
            cell = table[dataset].get(p)
            if cell is None:
                cells.append("-")
                continue
            text = f"{cell['score']:.2f}"
            if (dataset, p) in paired:
                gain, pval = paired[(dataset, p)]
                text += f" ({gain:+.2f}, p={pval:.2f})"
            cells.append(text)
        n = max(c["n"] for c in table[dataset].values())
        print(f"| {dataset} ({n}) | " + " | ".join(cells) + " |")
    for label, key, fmt in (("prompt tokens / question", "prompt_tokens", "{:,.0f}"),
                            ("LLM calls / question", "calls", "{:.1f}"),
                            ("median seconds / question", "seconds", "{:.1f}")):
        print(f"| {label} | " + " | ".join(fmt.format(table["all"][p][key]) for p in pipes)
              + " |")
    print("\n".join(routing_markdown(routing(rows))))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--questions-of", type=Path, default=None,
                        help="keep only the questions this run answered")
    args = parser.parse_args()
    main([run.expanduser() for run in args.runs],
         args.questions_of.expanduser() if args.questions_of else None)
