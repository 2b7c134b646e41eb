"""Which metric scores which answer type, and how a question is put to a pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from longdoc.core.text import with_options
from longdoc.eval.datasets import EvalQuestion
from longdoc.eval.metrics import (
    choice_score,
    exact_match,
    max_token_f1,
    numeric_match,
    parse_choices,
    rouge_l,
)
from longdoc.pipelines.options import MC_MODES as PIPELINE_MC_MODES

PROMPT_VERSION = "eval-prompt-v3"


@dataclass
class Score:
    value: float
    metric: str
    extra: dict


MC_MODES = (*PIPELINE_MC_MODES, "generate")  # generate: the letter the model writes


def pose(q: EvalQuestion, mc_mode: str = "likelihood") -> str:
    """The question text a pipeline receives. Options scored by the model are passed
    separately (`choices_for`); only `generate` lists them in the question."""
    if not q.options or choices_for(q, mc_mode):
        return q.question
    if q.answer_type == "multiple_select":
        how = "Several options may be correct: answer with all their letters."
    else:
        how = "Answer with the letter of the correct option."
    return f"{with_options(q.question, q.options)}\n{how}"


def choices_for(q: EvalQuestion, mc_mode: str) -> list[str] | None:
    """Options the model scores (single-answer multiple choice only), else None."""
    if mc_mode != "generate" and q.options and q.answer_type == "multiple_choice":
        return list(q.options)
    return None


def style_for(q: EvalQuestion, style: str) -> str:
    """`auto`: the shortest phrase for extractive questions (short gold spans), else full."""
    if style != "auto":
        return style
    return "concise" if q.answer_type == "extractive" else "full"


def _choice(q: EvalQuestion, prediction: str) -> Score:
    picked = parse_choices(prediction, q.options or [])
    return Score(choice_score(picked, q.gold_letters), "exam",
                 {"picked": picked, "gold": q.gold_letters})


def _extractive(q: EvalQuestion, prediction: str) -> Score:
    return Score(max_token_f1(prediction, q.answers), "f1",
                 {"em": exact_match(prediction, q.answers),
                  "numeric": numeric_match(prediction, q.answers)})


def _free_text(q: EvalQuestion, prediction: str) -> Score:
    return Score(rouge_l(prediction, q.answers), "rougeL",
                 {"f1": max_token_f1(prediction, q.answers),
                  "numeric": numeric_match(prediction, q.answers)})


# answer type -> how an answer of that type is scored (LongBench's dataset-to-metric table)
METRIC_FOR: dict[str, Callable[[EvalQuestion, str], Score]] = {
    "multiple_choice": _choice,
    "multiple_select": _choice,
    "extractive": _extractive,
    "free_text": _free_text,
}


def score(q: EvalQuestion, prediction: str) -> Score:
    """Score `prediction` with the metric of the question's answer type (options: exam)."""
    metric = _choice if q.options else METRIC_FOR.get(q.answer_type, _free_text)
    return metric(q, prediction)
