"""How compare groups agreeing answers, and the token F1 it is based on."""

from __future__ import annotations

import pytest

from longdoc.cli.compare_cmd import agreement_groups
from longdoc.eval.metrics import exact_match, max_token_f1, normalize_answer, token_f1
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
