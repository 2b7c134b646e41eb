"""Replay `auto`'s routing policies on a finished run: every margin and escalation order
against the best single pipeline, overall and per dataset, with auto's prompt tokens against
`full`'s (documents that fit the window) and `coa`'s (documents over it), and the policy the
rule in `route_replay.choose` picks.

    python benchmarks/auto_policies.py ~/longdoc-runs/v3-0.5b

The run must hold `auto`, `rag` and the fallbacks (`--pipelines none,full,rag,coa,tree,auto`).
"""

from __future__ import annotations

import json
import sys
from itertools import product
from pathlib import Path

from longdoc.eval.results import load_results
from longdoc.eval.route_replay import Outcome, Policy, Replayed, choose, first_steps, replay
from longdoc.eval.route_report import fitting_questions

MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
FALLBACKS = ("full", "tree", "coa")


def single_means(rows: list[dict], qids: set[str]) -> dict[str, dict[str, float]]:
    """{pipeline: {dataset or 'all': mean score}} over the questions auto answered."""
    out: dict[str, dict[str, list[float]]] = {}
    for r in rows:
        if r["qid"] in qids and r["pipeline"] not in ("auto", "none"):
            cell = out.setdefault(r["pipeline"], {})
            cell.setdefault(r["dataset"], []).append(r["score"])
            cell.setdefault("all", []).append(r["score"])
    return {p: {d: sum(v) / len(v) for d, v in by.items()} for p, by in out.items()}


def token_ratio(rows: list[dict], result: Replayed, kind: str, against: str) -> float | None:
    fits = fitting_questions(rows)
    mine = [s.qid for s in first_steps(rows) if (s.qid in fits) == (kind == "fits")]
    theirs = {r["qid"]: r["usage"]["prompt_tokens"] for r in rows
              if r["pipeline"] == against and r.get("usage")}
    total = sum(theirs.get(q, 0) for q in mine)
    return sum(result.tokens.get(kind, [])) / total if total else None


def main(run: Path) -> None:
    rows = [r for r in load_results(run / "results.jsonl").rows if not r.get("error")]
    run_margin = json.loads((run / "run.json").read_text())["settings"]["auto_margin"]
    qids = {s.qid for s in first_steps(rows)}
    singles = single_means(rows, qids)
    datasets = sorted({r["dataset"] for r in rows if r["qid"] in qids})
    best = {d: max(s.get(d, 0.0) for s in singles.values()) for d in [*datasets, "all"]}
    print(f"{len(qids)} questions; best single pipeline: "
          + ", ".join(f"{d} {best[d]:.3f}" for d in ["all", *datasets]))
    print("| margin | fits → | over → | all | worst dataset gap | escalated | tokens/full (fits)"
          " | tokens/coa (over) | approx |")
    print("|---|---|---|---|---|---|---|---|---|")
    outcomes = []
    for margin, fits, over in product(MARGINS, FALLBACKS, FALLBACKS):
        result = replay(rows, Policy(margin, fits, over), run_margin)
        if result is None:
            continue
        outcome = Outcome(result.policy, result.mean(),
                          min(result.mean(d) - best[d] for d in datasets),
                          token_ratio(rows, result, "fits", "full"),
                          token_ratio(rows, result, "over", "coa"))
        outcomes.append(outcome)
        shown = ["-" if v is None else f"{v:.2f}" for v in (outcome.fits_ratio,
                                                           outcome.over_ratio)]
        print(f"| {margin:.2f} | {fits} | {over} | {outcome.score:.3f} | "
              f"{outcome.worst_gap:+.3f} | {result.escalated / result.n:.0%} | {shown[0]} | "
              f"{shown[1]} | {result.approximate} |")
    # tree's tokens leave out building the tree, and auto does not build one: for documents
    # that fit, a tree is there only if someone built it, so those policies are shown, not chosen
    chosen = choose([o for o in outcomes if o.policy.fits != "tree"])
    print("chosen (best score within 50% of full's and coa's tokens): "
          + (chosen.policy.label() if chosen else "none is within the token targets"))
    if chosen and not _over_fallback_matters(outcomes):
        print("  (no question past the window escalated under any policy: the fallback there "
              "is not measured by this run)")


def _over_fallback_matters(outcomes: list[Outcome]) -> bool:
    """Whether any two policies that differ only in `over` scored or cost differently."""
    seen: dict[tuple, set] = {}
    for o in outcomes:
        key = (o.policy.margin, o.policy.fits)
        seen.setdefault(key, set()).add((round(o.score, 6), o.over_ratio))
    return any(len(v) > 1 for v in seen.values())


if __name__ == "__main__":
    main(Path(sys.argv[1]).expanduser())
