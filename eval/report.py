"""Turn results.jsonl into numbers: dataset x pipeline scores with 95% confidence intervals,
cost per question, paired significance between pipelines, and score by document length."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from longdoc.eval.mc_report import mc_markdown, mc_methods
from longdoc.eval.route_report import routing, routing_markdown

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
            "by_length": by_length(rows, pipelines), "mc_methods": mc_methods(rows),
            "routing": routing(rows),
            "questions": len({r["qid"] for r in rows})}


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
    """Score per document-length bucket, with the bucket's mix of datasets and, when the run has
    the closed-book baseline, each pipeline's gain over `none` on the same questions: buckets
    differ in dataset and difficulty, and the gain is what reading the document added."""
    labels = [bucket_label(low) for low, _ in LENGTH_BUCKETS]
    closed = {r["qid"]: r["score"] for r in rows if r["pipeline"] == "none"}
    out = {}
    for label in labels:
        in_bucket = [r for r in rows if bucket_label(r.get("doc_tokens", 0)) == label]
        cell: dict = {}
        for p in pipelines:
            mine = [r for r in in_bucket if r["pipeline"] == p]
            if mine:
                paired = [r["score"] - closed[r["qid"]] for r in mine if r["qid"] in closed]
                cell[p] = {"n": len(mine), "score": float(np.mean([r["score"] for r in mine])),
                           "gain_over_none": float(np.mean(paired)) if paired else None}
        if cell:
            per_question = {r["qid"]: r["dataset"] for r in in_bucket}
            out[label] = {"datasets": dict(Counter(per_question.values()).most_common()),
                          "pipelines": cell}
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
              "Score, and in brackets the gain over closed book (`none`) on the same questions.",
              "", "| length | " + " | ".join(pipes) + " | datasets |",
              "|---" * (len(pipes) + 2) + "|"]
    for label, bucket in summary["by_length"].items():
        cells = bucket["pipelines"]
        row = [_length_cell(cells[p]) if p in cells else "-" for p in pipes]
        mix = ", ".join(f"{d} {n}" for d, n in bucket["datasets"].items())
        lines.append(f"| {label} | " + " | ".join(row) + f" | {mix} |")
    lines += mc_markdown(summary.get("mc_methods", {}))
    lines += routing_markdown(summary.get("routing", {}))
    return "\n".join(lines) + "\n"


def _length_cell(cell: dict) -> str:
    gain = cell.get("gain_over_none")
    extra = f" [{gain:+.3f}]" if gain is not None else ""
    return f"{cell['score']:.3f}{extra} (n={cell['n']})"


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
        written.append(_length_plot(summary, out / "score_by_length.png"))
    return written


def _length_plot(summary: dict, path: Path) -> Path:
    """Score by length, and beside it the gain over closed book when the run has `none`."""
    import matplotlib.pyplot as plt

    buckets = summary["by_length"]
    labels = list(buckets)
    has_gain = any(c.get("gain_over_none") is not None
                   for b in buckets.values() for c in b["pipelines"].values())
    fig, axes = plt.subplots(1, 2 if has_gain else 1, figsize=(11 if has_gain else 6, 4),
                             squeeze=False)
    for i, p in enumerate(summary["pipelines"]):
        style = {"marker": "o", "label": p, "color": f"C{i % 10}"}  # same colour in both panels
        cells = [buckets[b]["pipelines"].get(p, {}) for b in labels]
        axes[0][0].plot(labels, [c.get("score", np.nan) for c in cells], **style)
        if has_gain and p != "none":
            gains = [c.get("gain_over_none") for c in cells]
            axes[0][1].plot(labels, [np.nan if g is None else g for g in gains], **style)
    axes[0][0].set_title("Score by document length")
    axes[0][0].set_ylabel("score")
    if has_gain:
        axes[0][1].axhline(0.0, color="grey", linewidth=0.8)
        axes[0][1].set_title("Gain over closed book (same questions)")
        axes[0][1].set_ylabel("score − none")
    axes[0][0].legend()
    for ax in axes[0]:
        ax.set_xlabel("document length (tokens)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
