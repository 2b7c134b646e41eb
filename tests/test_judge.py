"""The LLM judge: verdicts parsed robustly, one retry, failures counted."""

from __future__ import annotations

import pytest

from longdoc.eval.judge import Judge, parse_verdict
from longdoc.eval.report import summarize

from fakes import ScriptedLLM


@pytest.mark.parametrize("reply, verdict", [
    ("CORRECT", 1.0), ("The answer is correct.", 1.0), ("Incorrect.", 0.0), ("WRONG", 0.0),
    ("partially correct", 0.5), ("PARTIAL", 0.5), ("I think so", None), ("", None),
])
def test_parse_verdict(reply, verdict):
    assert parse_verdict(reply) == verdict


def test_off_format_reply_gets_one_stricter_retry():
    replies = iter(["Hmm, hard to say.", "CORRECT"])
    llm = ScriptedLLM(lambda m: next(replies))
    graded = Judge(llm).grade("Q?", ["gold"], "answer")
    assert graded == {"score": 1.0, "raw": ["Hmm, hard to say.", "CORRECT"], "failed": False}
    assert "exactly one word" in llm.calls[1][-1]["content"]


def test_unparseable_twice_is_a_counted_failure():
    llm = ScriptedLLM("no idea")
    graded = Judge(llm).grade("Q?", ["gold"], "answer")
    assert graded["failed"] and graded["score"] is None and len(llm.calls) == 2
    rows = [{"qid": "q1", "dataset": "d", "pipeline": "full", "score": 0.4, "judge": graded},
            {"qid": "q2", "dataset": "d", "pipeline": "full", "score": 0.6,
             "judge": {"score": 1.0, "raw": ["CORRECT"], "failed": False}}]
    cell = summarize(rows)["table"]["all"]["full"]
    assert cell["judge"] == 1.0 and cell["judged"] == 1 and cell["judge_failures"] == 1
