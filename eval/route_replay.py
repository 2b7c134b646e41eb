"""`auto`'s routing policies replayed on a finished run, without the model.

A run that answered every question with `auto` and with the pipelines it can escalate to holds
what each policy would have done: rag's first step (its answer, and for multiple choice its
margin) is in auto's route, and each fallback's answer is that pipeline's own result line. So
the margin and the escalation order can be chosen from measurements on the whole sample, as
issue 11 asks, and checked again on any later run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from longdoc.eval.metrics import choice_score
from longdoc.eval.route_report import fitting_questions

MARGIN_IN_REASON = re.compile(r"margin (\d+(?:\.\d+)?) <")


@dataclass(frozen=True)
class Policy:
    margin: float  # multiple choice: escalate below this gap between the two likeliest options
    fits: str  # where a question goes when rag cannot answer and its documents fit the window
    over: str  # ... and when they do not

    def label(self) -> str:
        return f"margin {self.margin:.2f}, fits → {self.fits}, over → {self.over}"


@dataclass
class Replayed:
    policy: Policy
    scores: dict[str, list[float]] = field(default_factory=dict)  # dataset -> scores
    escalated: int = 0
    tokens: dict[str, list[int]] = field(default_factory=dict)  # "fits"/"over" -> auto's
    approximate: int = 0  # rag-step picks taken from the rag pipeline's line, not auto's own

    def mean(self, dataset: str | None = None) -> float:
        values = [s for d, v in self.scores.items() if dataset in (None, d) for s in v]
        return sum(values) / len(values) if values else 0.0

    @property
    def n(self) -> int:
        return sum(len(v) for v in self.scores.values())


@dataclass
class FirstStep:
    """rag's first step of one question, as auto recorded it."""

    qid: str
    dataset: str
    choice: bool  # multiple choice (escalated by margin) or free text (by rag's words)
    margin: float | None  # None: free text, or a margin the run did not record
    settled: bool  # in the run
    score: float | None  # the step's own answer's score; None when not recoverable
    tokens: int
    approximate: bool = False


def first_steps(rows: list[dict]) -> list[FirstStep]:
    """rag's step of every routed auto answer."""
    rag_rows = {r["qid"]: r for r in rows if r["pipeline"] == "rag" and not r.get("error")}
    steps = []
    for r in rows:
        if r["pipeline"] != "auto" or not r.get("route") or r.get("error"):
            continue
        step, settled = r["route"][0], len(r["route"]) == 1
        margin = step.get("margin")
        if margin is None and not settled:
            found = MARGIN_IN_REASON.search(step["reason"])
            margin = float(found.group(1)) if found else None
        score, approximate = _step_score(r, step, settled, rag_rows.get(r["qid"]))
        steps.append(FirstStep(r["qid"], r["dataset"], r.get("answer_type") == "multiple_choice",
                               margin, settled, score, step["prompt_tokens"], approximate))
    return steps


def _step_score(row: dict, step: dict, settled: bool, rag_row: dict | None):
    if settled:
        return row["score"], False
    if row.get("answer_type") != "multiple_choice":
        return None, False  # rag wrote that it cannot answer: settled under no policy
    if step.get("answer"):
        return choice_score(step["answer"][:1], row["gold"][0]), False
    if rag_row is not None:  # an older run: rag's own pick, without auto's extra instruction
        return choice_score(rag_row["answer"][:1], row["gold"][0]), True
    return None, False


def replay(rows: list[dict], policy: Policy, run_margin: float) -> Replayed | None:
    """What `policy` would have scored and cost on the run (made with auto's margin
    `run_margin`); None when the run cannot tell (a margin it did not record, or a fallback
    it did not run)."""
    answers = {(r["qid"], r["pipeline"]): r for r in rows if not r.get("error")}
    fits = fitting_questions(rows)
    out = Replayed(policy)
    for step in first_steps(rows):
        escalate = escalates(step, policy.margin, run_margin)
        if escalate is None or (not escalate and step.score is None):
            return None
        tokens, score = step.tokens, step.score
        if escalate:
            fallback = answers.get((step.qid, policy.fits if step.qid in fits else policy.over))
            if fallback is None or not fallback.get("usage"):
                return None
            tokens += fallback["usage"]["prompt_tokens"]
            score = fallback["score"]
            out.escalated += 1
        else:
            out.approximate += step.approximate
        out.scores.setdefault(step.dataset, []).append(score)
        out.tokens.setdefault("fits" if step.qid in fits else "over", []).append(tokens)
    return out if out.n else None


def escalates(step: FirstStep, least: float, run_margin: float) -> bool | None:
    """Whether a policy with margin `least` sends this question on; None when the run cannot
    tell (a settled question's margin unrecorded, and `least` above the run's)."""
    if not step.choice:
        return not step.settled  # rag's words decide, whatever the margin
    if step.margin is not None:
        return step.margin < least
    return False if step.settled and least <= run_margin else None


@dataclass(frozen=True)
class Outcome:
    """One replayed policy, as issue 11's targets judge it."""

    policy: Policy
    score: float  # mean over every routed question
    worst_gap: float  # the lowest per-dataset score minus that dataset's best single pipeline
    fits_ratio: float | None  # auto's prompt tokens / full's, documents that fit the window
    over_ratio: float | None  # ... / coa's, documents over it

    def within_tokens(self, share: float) -> bool:
        return all(r is None or r <= share for r in (self.fits_ratio, self.over_ratio))


def choose(outcomes: list[Outcome], token_share: float = 0.5) -> Outcome | None:
    """The rule the defaults are chosen by (written down before the complete v3 run was read):
    of the policies within the token targets, the best score over all questions; ties go to
    the cheaper policy, then the lower margin. None when no policy is within the targets."""
    allowed = [o for o in outcomes if o.within_tokens(token_share)]

    def cost(o: Outcome) -> float:
        return (o.fits_ratio or 0.0) + (o.over_ratio or 0.0)

    return max(allowed, key=lambda o: (round(o.score, 6), -cost(o), -o.policy.margin),
               default=None)
