"""How compare groups agreeing answers, and the token F1 it is based on."""

from __future__ import annotations

import pytest

from longdoc.cli.compare_cmd import agreement_groups, answers_agree
from longdoc.eval.metrics import (
    exact_match,
    max_token_f1,
    normalize_answer,
    token_containment,
    token_f1,
)
from longdoc.pipelines.answer import Answer


def test_normalize_and_f1_worked_examples():
    assert normalize_answer("The  Royal McBee, Corp.!") == "royal mcbee corp"
    assert exact_match("the Royal McBee corp", ["Royal McBee Corp."]) == 1.0
    # pred: royal mcbee computer corp (4), gold: royal mcbee (2): P=2/4, R=1 -> F1=2/3
    assert token_f1("Royal McBee Computer Corp", "Royal McBee") == pytest.approx(2 / 3)
    assert token_f1("", "") == 1.0 and token_f1("x", "") == 0.0
    assert max_token_f1("Royal McBee", ["IBM", "royal mcbee"]) == 1.0


def test_agreement_groups():
    answers = [Answer(p, "q", t) for p, t in [
        ("full", "Mel worked for Royal McBee Computer Corp."),
        ("rag", "Royal McBee Computer Corp."),
        ("coa", "He worked at IBM."),
        ("tree", "Mel worked for Royal McBee.")]]
    assert agreement_groups(answers) == [["full", "rag", "tree"], ["coa"]]


def test_short_answer_contained_in_a_sentence_agrees():
    sentence = "Mel joined Royal McBee in 1963, after he left the Air Force."
    assert token_f1("1963", sentence) < 0.5  # F1 alone would split them
    assert token_containment("1963", sentence) == 1.0
    assert answers_agree("1963", sentence) and answers_agree(sentence, "In 1963.")
    assert answers_agree("Royal McBee", sentence)
    assert not answers_agree("1964", sentence)
    assert not answers_agree("", sentence) and token_containment("", sentence) == 0.0
    answers = [Answer(p, "q", t) for p, t in [
        ("full", sentence), ("rag", "1963"), ("coa", "In 1971.")]]
    assert agreement_groups(answers) == [["full", "rag"], ["coa"]]


def test_answers_whose_numbers_differ_never_agree():
    first = "The colony paid a tax of 10,000 escudos a year to the crown."
    second = "The colony paid a tax of 42,000 escudos a year to the crown."
    assert token_f1(first, second) >= 0.5  # the words alone would say they agree
    assert not answers_agree(first, second) and not answers_agree(second, first)
    assert not answers_agree("10,000 escudos", "42,000 escudos")
    assert answers_agree("10,000 escudos", "It cost 10000 escudos in 1901.")
    answers = [Answer(p, "q", t) for p, t in [("full", first), ("rag", second)]]
    assert agreement_groups(answers) == [["full"], ["rag"]]
