"""Metrics on worked examples."""

from __future__ import annotations

import pytest

from longdoc.eval.metrics import choice_score, numeric_match, parse_choices, rouge_l

OPTS = ["to study human form", "to earn money", "to buy a horse", "to meet a friend"]


@pytest.mark.parametrize("reply, letters", [
    ("B", "B"), ("B.", "B"), ("(C) to buy a horse", "C"), ("Answer: D", "D"),
    ("The answer is A.", "A"), ("The correct option is (b)", "B"),
    ("He went there to earn money.", "B"), ("A and C", "AC"), ("Answers: A, C", "AC"),
    ("I do not know.", ""), ("Because of the weather", ""),
])
def test_parse_choices(reply, letters):
    assert parse_choices(reply, OPTS) == letters


def test_l_eval_quarter_credit_rule():
    assert choice_score("AC", "AC") == 1.0
    assert choice_score("A", "AC") == 0.25  # one right option missed
    assert choice_score("AB", "AC") == 0.0  # a wrong option chosen
    assert choice_score("", "A") == 0.0
    assert choice_score("B", "A") == 0.0


def test_rouge_l_max_over_golds():
    assert rouge_l("the cat sat on the mat", ["the cat sat on the mat"]) == pytest.approx(1.0)
    # LCS "the cat the mat" = 4 of 6 and 4 of 6 -> F = 2/3
    assert rouge_l("the cat sat on the mat", ["a dog", "the cat lay by the mat"]) == \
        pytest.approx(2 / 3)


def test_numeric_match():
    assert numeric_match("Revenue was $81,797 million.", ["81,797"]) == 1.0
    assert numeric_match("about 81.8 billion", ["81,797"]) == 0.0
    assert numeric_match("3.14159", ["3.1416"]) == 1.0
    assert numeric_match("no numbers", ["12"]) == 0.0
