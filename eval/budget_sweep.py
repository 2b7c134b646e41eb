"""The rule `rag`'s retrieval budget (`--rag-tokens`) default is chosen by, from a sweep of runs
that differ only in that budget (benchmarks/rag_budget_curve.py prints the sweep and the pick)."""

from __future__ import annotations

from dataclasses import dataclass

# One question of the 75 in the dev sample moves a mean score by 1/75 = 0.013: a budget less
# than that below the best is as good as the best on this sample.
SAME_SCORE = 0.01


@dataclass(frozen=True)
class BudgetPoint:
    budget: int  # --rag-tokens
    score: float  # mean over the questions every run answered


def choose_budget(points: list[BudgetPoint], same_score: float = SAME_SCORE) -> BudgetPoint:
    """The best mean score over all questions, or the smallest budget that scores within
    `same_score` of it: reading more must pay for itself. Written down after the 768 and 1,536
    runs were read and before the 3,072 and 6,144 runs were."""
    if not points:
        raise ValueError("no budget to choose from")
    best = max(point.score for point in points)
    return min((p for p in points if p.score >= best - same_score), key=lambda p: p.budget)
