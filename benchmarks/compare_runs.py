"""Do two evaluation runs answer alike? For a setting that should not change answers (the KV
cache type, flash attention, the batch size): the share of identical answers and picks. For one
that should (`--retrieve-per-option`, a prompt): the paired score difference and its p-value.

    .venv/bin/python benchmarks/compare_runs.py RUN_A RUN_B

Pairs result lines by (question, pipeline); prints, per pipeline, identical answers, identical
multiple-choice picks, the mean score of each run with the paired difference (B − A) and its
permutation p, and the median seconds per question; where both runs recorded every
multiple-choice method's pick (`--mc-all`), the same paired comparison for each method.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from longdoc.eval.metrics import choice_score
from longdoc.eval.report import paired_permutation_p
from longdoc.eval.results import load_results


def _rows(run: Path) -> dict[tuple[str, str], dict]:
    return {(r["qid"], r["pipeline"]): r for r in load_results(run / "results.jsonl").rows
            if not r.get("error")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args()
    a, b = _rows(args.a), _rows(args.b)
    both = sorted(a.keys() & b.keys())
    print(f"{len(both)} answers in both runs ({args.a.name} | {args.b.name})")
    for pipeline in dict.fromkeys(p for _, p in both):
        keys = [k for k in both if k[1] == pipeline]
        same = sum(a[k]["answer"].strip() == b[k]["answer"].strip() for k in keys)
        mc = [k for k in keys if a[k].get("mc_picks") and b[k].get("mc_picks")]
        same_pick = sum(a[k]["mc_picks"] == b[k]["mc_picks"] for k in mc)
        scores = _paired([a[k]["score"] for k in keys], [b[k]["score"] for k in keys])
        secs_a = statistics.median(a[k]["timings"]["total_s"] for k in keys)
        secs_b = statistics.median(b[k]["timings"]["total_s"] for k in keys)
        print(f"{pipeline}: identical answers {same}/{len(keys)}; identical picks (every "
              f"method) {same_pick}/{len(mc)}; score {scores}; median "
              f"seconds {secs_a:.1f} | {secs_b:.1f}")
        _print_methods([a[k] for k in mc], [b[k] for k in mc])


def _print_methods(rows_a: list[dict], rows_b: list[dict]) -> None:
    """Each multiple-choice method's score in both runs, paired over the same questions."""
    modes = sorted({m for r in rows_a for m in r["mc_picks"]}
                   & {m for r in rows_b for m in r["mc_picks"]})
    for mode in modes:
        pairs = [(choice_score(ra["mc_picks"][mode], ra["gold"][0]),
                  choice_score(rb["mc_picks"][mode], rb["gold"][0]))
                 for ra, rb in zip(rows_a, rows_b, strict=True)
                 if mode in ra["mc_picks"] and mode in rb["mc_picks"]]
        scores = _paired([x for x, _ in pairs], [y for _, y in pairs], f", n={len(pairs)}")
        print(f"  {mode}: {scores}")


def _paired(scores_a: list[float], scores_b: list[float], more: str = "") -> str:
    """"A | B (B − A, p=…)": the two means and the paired permutation p of their difference."""
    mean_a, mean_b = statistics.mean(scores_a), statistics.mean(scores_b)
    p = paired_permutation_p(scores_b, scores_a)
    return f"{mean_a:.3f} | {mean_b:.3f} ({mean_b - mean_a:+.3f}, p={p:.2f}{more})"


if __name__ == "__main__":
    main()
