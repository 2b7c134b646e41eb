"""`rag`'s score against its retrieval budget (`--rag-tokens`), from runs that differ only in it:
per dataset and over all questions, each budget's mean score, prompt tokens and median seconds,
and its paired difference from the baseline budget with the permutation p-value.

    python benchmarks/rag_budget_curve.py --baseline 1536 RUN_768 RUN_1536 RUN_3072 RUN_6144

Only the questions every run answered with `rag` are compared. OP-RAG (Yu et al. 2024) found
quality rising, then falling, with the amount retrieved; this is the curve to choose from,
and the last line is the budget `eval/budget_sweep.choose_budget`'s rule picks from it.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from longdoc.eval.budget_sweep import SAME_SCORE, BudgetPoint, choose_budget
from longdoc.eval.report import paired_permutation_p
from longdoc.eval.results import load_results


def rag_rows(run: Path) -> tuple[int, dict[str, dict]]:
    budget = json.loads((run / "run.json").read_text())["settings"]["rag_tokens"]
    rows = {r["qid"]: r for r in load_results(run / "results.jsonl").rows
            if r["pipeline"] == "rag" and not r.get("error")}
    return budget, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--baseline", type=int, default=1536)
    args = parser.parse_args()
    by_budget = dict(sorted(rag_rows(run.expanduser()) for run in args.runs))
    if args.baseline not in by_budget:
        raise SystemExit(f"no run with --rag-tokens {args.baseline}")
    common = set.intersection(*(set(rows) for rows in by_budget.values()))
    base = by_budget[args.baseline]
    datasets = sorted({base[q]["dataset"] for q in common})
    print(f"{len(common)} questions answered by every run")
    print("| dataset | rag tokens | score | diff | p | prompt tokens | median s |")
    print("|---|---|---|---|---|---|---|")
    overall: list[BudgetPoint] = []
    for dataset in [*datasets, "all"]:
        qids = sorted(q for q in common if dataset in ("all", base[q]["dataset"]))
        for budget, rows in by_budget.items():
            mine = [rows[q]["score"] for q in qids]
            theirs = [base[q]["score"] for q in qids]
            diff = statistics.mean(mine) - statistics.mean(theirs)
            p = "-" if budget == args.baseline else f"{paired_permutation_p(mine, theirs):.3f}"
            tokens = statistics.mean(rows[q]["usage"]["prompt_tokens"] for q in qids)
            seconds = statistics.median(rows[q]["timings"]["total_s"] for q in qids)
            print(f"| {dataset} ({len(qids)}) | {budget:,} | {statistics.mean(mine):.3f} | "
                  f"{diff:+.3f} | {p} | {tokens:,.0f} | {seconds:.1f} |")
            if dataset == "all":
                overall.append(BudgetPoint(budget, statistics.mean(mine)))
    pick = choose_budget(overall)
    print(f"\nthe rule's pick (best score over all, or the smallest budget within "
          f"{SAME_SCORE} of it): --rag-tokens {pick.budget:,} ({pick.score:.3f})")


if __name__ == "__main__":
    main()
