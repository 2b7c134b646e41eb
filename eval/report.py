"""Turn results.jsonl into numbers: dataset x pipeline scores with 95% confidence intervals,
cost per question, paired significance between pipelines, and score by document length."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import numpy as np

LENGTH_BUCKETS = [(0, 2000), (2000, 4000), (4000, 8000), (8000, 16000), (16000, None)]
BOOTSTRAP = 2000


def bootstrap_ci(values: list[float], seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean."""
    if len(values) < 2:
        v = values[0] if values else float("nan")
        return v, v
    rng = np.random.default_rng(seed)
    data = np.asarray(values, dtype=float)
    means = data[rng.integers(0, len(data), (BOOTSTRAP, len(data)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_permutation_p(a: list[float], b: list[float], seed: int = 0) -> float:
    """Two-sided p-value of the mean paired difference, by random sign flips."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if len(diff) == 0 or not diff.any():
        return 1.0
    observed = abs(diff.mean())
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(BOOTSTRAP, len(diff)))
    flipped = np.abs((signs * diff).mean(axis=1))
    return float((np.sum(flipped >= observed - 1e-12) + 1) / (BOOTSTRAP + 1))


def bucket_label(tokens: int) -> str:
    for low, high in LENGTH_BUCKETS:
        if high is None or tokens < high:
            return f"{low // 1000}k+" if high is None else f"{low // 1000}-{high // 1000}k"
    return "?"


def _cell(rows: list[dict]) -> dict:
    scores = [r["score"] for r in rows]
    low, high = bootstrap_ci(scores)
    usage = [r.get("usage") or {} for r in rows]
    timings = [r.get("timings") or {} for r in rows]
    judged = [r["judge"]["score"] for r in rows
              if r.get("judge") and r["judge"]["score"] is not None]
    return {
        "judge": float(np.mean(judged)) if judged else None, "judged": len(judged),
        "judge_failures": sum(1 for r in rows if (r.get("judge") or {}).get("failed")),
        "n": len(rows), "score": float(np.mean(scores)) if scores else None,
        "ci95": [low, high],
        "prompt_tokens": float(np.mean([u.get("prompt_tokens", 0) for u in usage])),
        "calls": float(np.mean([u.get("calls", 0) for u in usage])),
        # median: robust to a question that waited on something else (a paused run, a swap)
        "seconds": float(np.median([t.get("total_s", 0.0) for t in timings])),
        "errors": sum(1 for r in rows if r.get("error")),
    }


def summarize(rows: list[dict]) -> dict:
    pipelines = list(dict.fromkeys(r["pipeline"] for r in rows))
    datasets = sorted({r["dataset"] for r in rows})
    table = defaultdict(dict)
    for d, p in itertools.product(datasets + ["all"], pipelines):
        cell_rows = [r for r in rows if r["pipeline"] == p and d in ("all", r["dataset"])]
        if cell_rows:
            table[d][p] = _cell(cell_rows)
    return {"pipelines": pipelines, "datasets": datasets, "table": dict(table),
            "paired": paired_tests(rows, pipelines, datasets + ["all"]),
            "by_length": by_length(rows, pipelines), "questions": len({r["qid"] for r in rows})}


def paired_tests(rows: list[dict], pipelines: list[str], datasets: list[str]) -> list[dict]:
    by_key = {(r["qid"], r["pipeline"]): r["score"] for r in rows}
    out = []
    for d in datasets:
        qids = sorted({r["qid"] for r in rows if d in ("all", r["dataset"])})
        for a, b in itertools.combinations(pipelines, 2):
            both = [q for q in qids if (q, a) in by_key and (q, b) in by_key]
            if len(both) < 2:
                continue
            sa, sb = [by_key[(q, a)] for q in both], [by_key[(q, b)] for q in both]
            p = paired_permutation_p(sa, sb)
            out.append({"dataset": d, "a": a, "b": b, "n": len(both),
                        "diff": float(np.mean(sa) - np.mean(sb)), "p": p,
                        "significant": p < 0.05})
    return out


def by_length(rows: list[dict], pipelines: list[str]) -> dict:
    labels = [bucket_label(low) for low, _ in LENGTH_BUCKETS]
    out = {}
    for label in labels:
        cell = {}
        for p in pipelines:
            scores = [r["score"] for r in rows
                      if r["pipeline"] == p and bucket_label(r.get("doc_tokens", 0)) == label]
            if scores:
                cell[p] = {"n": len(scores), "score": float(np.mean(scores))}
        if cell:
            out[label] = cell
    return out


def markdown(summary: dict, title: str) -> str:
    pipes = summary["pipelines"]
    lines = [f"# {title}", "", f"{summary['questions']} questions.", "",
             "## Score by dataset (mean, 95% bootstrap CI)", "",
             "| dataset | " + " | ".join(pipes) + " |", "|---" * (len(pipes) + 1) + "|"]
    for d, cells in summary["table"].items():
        row = [f"{cells[p]['score']:.3f} [{cells[p]['ci95'][0]:.2f}, {cells[p]['ci95'][1]:.2f}]"
               f" (n={cells[p]['n']})" if p in cells else "-" for p in pipes]
        lines.append(f"| {d} | " + " | ".join(row) + " |")
    lines += ["", "## Cost per question (all datasets)", "",
              "| pipeline | prompt tokens (mean) | LLM calls (mean) | seconds (median) | errors |",
              "|---|---|---|---|---|"]
    for p, c in summary["table"].get("all", {}).items():
        lines.append(f"| {p} | {c['prompt_tokens']:,.0f} | {c['calls']:.1f} | "
                     f"{c['seconds']:.1f} | {c['errors']} |")
    judged = {p: c for p, c in summary["table"].get("all", {}).items() if c.get("judged")}
    if judged:
        lines += ["", "## LLM judge on free-text answers (1 correct, 0.5 partial, 0 wrong)", "",
                  "| pipeline | judge score | judged | judge failures |", "|---|---|---|---|"]
        for p, c in judged.items():
            lines.append(f"| {p} | {c['judge']:.3f} | {c['judged']} | {c['judge_failures']} |")
    lines += ["", "## Paired differences (permutation test, p < 0.05 marked *)", "",
              "| dataset | a − b | diff | p | n |", "|---|---|---|---|---|"]
    for t in summary["paired"]:
        mark = " *" if t["significant"] else ""
        lines.append(f"| {t['dataset']} | {t['a']} − {t['b']} | {t['diff']:+.3f}{mark} | "
                     f"{t['p']:.3f} | {t['n']} |")
    lines += ["", "## Score by document length (tokens)", "",
              "| length | " + " | ".join(pipes) + " |", "|---" * (len(pipes) + 1) + "|"]
    for label, cells in summary["by_length"].items():
        row = [f"{cells[p]['score']:.3f} (n={cells[p]['n']})" if p in cells else "-"
               for p in pipes]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def plots(summary: dict, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    cells = summary["table"].get("all", {})
    if cells:
        fig, ax = plt.subplots(figsize=(6, 4))
        for p, c in cells.items():
            ax.errorbar(c["prompt_tokens"], c["score"], fmt="o",
                        yerr=[[c["score"] - c["ci95"][0]], [c["ci95"][1] - c["score"]]])
            ax.annotate(p, (c["prompt_tokens"], c["score"]), textcoords="offset points",
                        xytext=(5, 5))
        ax.set_xlabel("average prompt tokens per question")
        ax.set_ylabel("score (all datasets)")
        ax.set_title("Score against cost")
        fig.tight_layout()
        written.append(out / "score_vs_tokens.png")
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)
    if summary["by_length"]:
        labels = list(summary["by_length"])
        fig, ax = plt.subplots(figsize=(6, 4))
        for p in summary["pipelines"]:
            ys = [summary["by_length"][b].get(p, {}).get("score", np.nan) for b in labels]
            ax.plot(labels, ys, marker="o", label=p)
        ax.set_xlabel("document length (tokens)")
        ax.set_ylabel("score")
        ax.set_title("Score by document length")
        ax.legend()
        fig.tight_layout()
        written.append(out / "score_by_length.png")
        fig.savefig(written[-1], dpi=120)
        plt.close(fig)
    return written
