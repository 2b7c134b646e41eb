"""Answer metrics as small pure functions (LongBench / L-Eval / SQuAD style)."""

from __future__ import annotations

import re
import string
from collections import Counter

from longdoc.core.text import LETTERS

ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, golds: list[str]) -> float:
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in golds))


def token_f1(prediction: str, gold: str) -> float:
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(gold).split()
    if not pred_tokens or not gold_tokens:
        return float(pred_tokens == gold_tokens)
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_containment(first: str, second: str) -> float:
    """Share of the shorter answer's normalised tokens found in the longer one (0 if either
    is empty)."""
    a, b = normalize_answer(first).split(), normalize_answer(second).split()
    if not a or not b:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    common = Counter(short) & Counter(long_)
    return sum(common.values()) / len(short)


def max_token_f1(prediction: str, golds: list[str]) -> float:
    return max((token_f1(prediction, g) for g in golds), default=0.0)




def parse_choices(prediction: str, options: list[str]) -> str:
    """The option letters a free-form answer picks, e.g. 'B' or 'AC'; '' when none is clear.

    Tried in order: an explicit letter ("Answer: B", "(B)", "B." or "B)" at the start, "option
    B"), then the options' texts quoted in the answer.
    """
    valid = LETTERS[:len(options)]
    text = prediction.strip()
    patterns = [
        rf"(?:answer|option|choice)s?\s*(?:is|are|:)?\s*\(?([{valid}](?:\s*(?:,|and|&)?\s*[{valid}])*)\b",
        rf"^\(?([{valid}](?:\s*(?:,|and|&)\s*[{valid}])*)(?=[).:,\s]|$)",
        rf"^([{valid}]+)$",
        rf"\(([{valid}])\)",
    ]
    for pattern in patterns:
        match = re.search(pattern, text, flags=re.IGNORECASE if pattern == patterns[0] else 0)
        if match:
            letters = re.sub(r"[^A-Za-z]|and", "", match.group(1)).upper()
            return "".join(sorted(set(letters) & set(valid)))
    said = normalize_answer(prediction)
    hits = [LETTERS[i] for i, opt in enumerate(options)
            if normalize_answer(opt) and normalize_answer(opt) in said]
    return "".join(hits)


def choice_score(predicted: str, gold: str) -> float:
    """L-Eval's exam rule: all options right = 1; a strict subset of the right ones (one or more
    missed, none wrong) = 0.25; anything wrong = 0."""
    pred, want = set(predicted.upper()), set(gold.upper())
    if not pred:
        return 0.0
    if pred == want:
        return 1.0
    if pred < want:
        return 0.25
    return 0.0


def rouge_l(prediction: str, golds: list[str]) -> float:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return max((scorer.score(g, prediction)["rougeL"].fmeasure for g in golds), default=0.0)


NUMBER = re.compile(r"-?\d[\d,]*\.?\d*")


def numbers_in(text: str) -> list[float]:
    out = []
    for raw in NUMBER.findall(text):
        try:
            out.append(float(raw.replace(",", "").rstrip(".")))
        except ValueError:
            continue
    return out


def numeric_match(prediction: str, golds: list[str], rel_tol: float = 0.01) -> float:
    """1 when every number of some gold answer appears in the prediction (within rel_tol)."""
    predicted = numbers_in(prediction)
    for gold in golds:
        wanted = numbers_in(gold)
        if wanted and all(any(abs(p - w) <= rel_tol * max(abs(w), 1e-9) for p in predicted)
                          for w in wanted):
            return 1.0
    return 0.0
