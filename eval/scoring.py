"""Which metric scores which answer type, and how a question is put to a pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from longdoc.eval.datasets import EvalQuestion
from longdoc.eval.metrics import (
    LETTERS,
    choice_score,
    exact_match,
    max_token_f1,
    numeric_match,
    parse_choices,
    rouge_l,
)

PROMPT_VERSION = "eval-prompt-v2"


@dataclass
class Score:
    value: float
    metric: str
    extra: dict


MC_MODES = ("likelihood", "generate")


def pose(q: EvalQuestion, mc_mode: str = "likelihood") -> str:
    """The question text a pipeline receives. Multiple choice scored by likelihood is posed
    cloze-style, without the options: listed options let the model copy any of them, and the
    copy, not the content, then decides (measured on dev leval_tpo)."""
    if not q.options or choices_for(q, mc_mode):
        return q.question
    listed = "\n".join(f"{LETTERS[i]}. {opt}" for i, opt in enumerate(q.options))
    if q.answer_type == "multiple_select":
        how = "Several options may be correct: answer with all their letters."
    else:
        how = "Answer with the letter of the correct option."
    return f"{q.question}\nOptions:\n{listed}\n{how}"


def choices_for(q: EvalQuestion, mc_mode: str) -> list[str] | None:
    """Options to score by likelihood (single-answer multiple choice only), else None."""
    if mc_mode == "likelihood" and q.options and q.answer_type == "multiple_choice":
        return list(q.options)
    return None


def score(q: EvalQuestion, prediction: str) -> Score:
    if q.options:
        picked = parse_choices(prediction, q.options)
        return Score(choice_score(picked, q.gold_letters), "exam",
                     {"picked": picked, "gold": q.gold_letters})
    if q.answer_type == "extractive":
        return Score(max_token_f1(prediction, q.answers), "f1",
                     {"em": exact_match(prediction, q.answers),
                      "numeric": numeric_match(prediction, q.answers)})
    return Score(rouge_l(prediction, q.answers), "rougeL",
                 {"f1": max_token_f1(prediction, q.answers),
                  "numeric": numeric_match(prediction, q.answers)})
