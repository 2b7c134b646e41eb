"""Multiple-choice methods compared on the same answers: every method's pick is recorded in a
result line (`mc_picks`, with `--mc-all`), so one run scores each method, its gain over closed
book, and how often reading left the closed-book pick unchanged."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from longdoc.eval.metrics import choice_score


def mc_methods(rows: list[dict]) -> dict:
    """{dataset or 'all': {pipeline: {mode: {score, gain_over_none, same_as_none, n}}}}."""
    picked = [r for r in rows if r.get("mc_picks") and not r.get("error")]
    closed = {(r["qid"], m): letter for r in picked if r["pipeline"] == "none"
              for m, letter in r["mc_picks"].items()}
    out: dict = defaultdict(lambda: defaultdict(dict))
    datasets = sorted({r["dataset"] for r in picked})
    for dataset in [*datasets, "all"]:
        mine = [r for r in picked if dataset in ("all", r["dataset"])]
        for pipeline in dict.fromkeys(r["pipeline"] for r in mine):
            these = [r for r in mine if r["pipeline"] == pipeline]
            modes = sorted({m for r in these for m in r["mc_picks"]})
            for mode in modes:
                out[dataset][pipeline][mode] = _cell(these, mode, closed)
    return {d: dict(p) for d, p in out.items()}


def _cell(rows: list[dict], mode: str, closed: dict) -> dict:
    scored = [r for r in rows if mode in r["mc_picks"]]
    scores = [choice_score(r["mc_picks"][mode], r["gold"][0]) for r in scored]
    base = [(r, closed[(r["qid"], mode)]) for r in scored if (r["qid"], mode) in closed]
    gains = [choice_score(r["mc_picks"][mode], r["gold"][0]) - choice_score(c, r["gold"][0])
             for r, c in base]
    return {"n": len(scores), "score": float(np.mean(scores)),
            "gain_over_none": float(np.mean(gains)) if gains else None,
            "same_as_none": sum(1 for r, c in base if r["mc_picks"][mode] == c)}


def mc_markdown(methods: dict) -> list[str]:
    if not methods:
        return []
    lines = ["", "## Multiple choice by method (same answers; gain over closed book; picks "
                 "equal to closed book's)", "",
             "| dataset | pipeline | method | score | gain | same as none | n |",
             "|---|---|---|---|---|---|---|"]
    for dataset, pipelines in methods.items():
        for pipeline, modes in pipelines.items():
            for mode, c in modes.items():
                gain = "-" if c["gain_over_none"] is None else f"{c['gain_over_none']:+.3f}"
                lines.append(f"| {dataset} | {pipeline} | {mode} | {c['score']:.3f} | {gain} | "
                             f"{c['same_as_none']} | {c['n']} |")
    return lines
