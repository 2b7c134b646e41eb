"""How `auto` routed an evaluation's questions: the share settled at each step, the score of
each share, and auto's prompt tokens against the single pipelines' on the same questions."""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def routing(rows: list[dict]) -> dict:
    """{'routes': {route: {n, share, score}}, 'tokens': {pipeline: auto's prompt tokens / its}}
    over the auto rows that recorded their route; empty without any."""
    routed = [r for r in rows if r["pipeline"] == "auto" and r.get("route") and not r.get("error")]
    if not routed:
        return {}
    by_route: dict[str, list[float]] = defaultdict(list)
    for r in routed:
        by_route[" → ".join(step["pipeline"] for step in r["route"])].append(r["score"])
    routes = {route: {"n": len(scores), "share": len(scores) / len(routed),
                      "score": float(np.mean(scores))}
              for route, scores in sorted(by_route.items(), key=lambda kv: -len(kv[1]))}
    fits = fitting_questions(rows)
    by_fit = {"documents that fit the window": [r for r in routed if r["qid"] in fits],
              "documents over the window": [r for r in routed if r["qid"] not in fits]}
    return {"routes": routes, "tokens": _token_ratios(rows, routed),
            "tokens_by_fit": {k: _token_ratios(rows, v) for k, v in by_fit.items() if v}}


def fitting_questions(rows: list[dict]) -> set[str]:
    """Questions whose documents `full` read whole (its kept fraction is 1)."""
    return {r["qid"] for r in rows if r["pipeline"] == "full" and r.get("kept_fraction") == 1.0}


def _token_ratios(rows: list[dict], routed: list[dict]) -> dict[str, float]:
    """auto's prompt tokens / each single pipeline's, summed over the questions both answered."""
    auto = {r["qid"]: r["usage"]["prompt_tokens"] for r in routed if r.get("usage")}
    ratios = {}
    for pipeline in dict.fromkeys(r["pipeline"] for r in rows):
        if pipeline in ("auto", "none"):
            continue
        theirs = {r["qid"]: r["usage"]["prompt_tokens"] for r in rows
                  if r["pipeline"] == pipeline and r.get("usage") and r["qid"] in auto}
        if theirs and sum(theirs.values()):
            ratios[pipeline] = sum(auto[q] for q in theirs) / sum(theirs.values())
    return ratios


def routing_markdown(summary: dict) -> list[str]:
    if not summary:
        return []
    lines = ["", "## auto: where questions were settled", "",
             "| route | questions | share | score |", "|---|---|---|---|"]
    for route, c in summary["routes"].items():
        lines.append(f"| {route} | {c['n']} | {c['share']:.0%} | {c['score']:.3f} |")
    if summary["tokens"]:
        ratios = ", ".join(f"{p} {v:.2f}" for p, v in summary["tokens"].items())
        lines += ["", f"auto's prompt tokens against each pipeline's on the same questions: "
                      f"{ratios}."]
    for fit, by_pipeline in summary.get("tokens_by_fit", {}).items():
        ratios = ", ".join(f"{p} {v:.2f}" for p, v in by_pipeline.items())
        lines.append(f"- {fit}: {ratios or 'no pair'}")
    return lines
