"""Budgets: the error for a context too small, and LongBench's head-and-tail truncation."""

from __future__ import annotations

import pytest

from longdoc.core.errors import LongdocError
from longdoc.pipelines.budget import MARGIN, keep_head_and_tail, room_for

from fakes import ScriptedLLM


def test_room_is_context_minus_prompt_answer_and_margin():
    llm = ScriptedLLM(context_size=1000)
    skeleton = [{"role": "user", "content": "one two three"}]
    budget = room_for(llm, skeleton, answer_tokens=100)
    assert budget.overhead == 3 + 4
    assert budget.room == 1000 - 100 - 7 - MARGIN


def test_context_too_small_for_the_prompt_is_a_clear_error():
    llm = ScriptedLLM(context_size=120)
    skeleton = [{"role": "user", "content": "word " * 50}]
    with pytest.raises(LongdocError, match="context size 120 is too small"):
        room_for(llm, skeleton, answer_tokens=64)


def test_head_and_tail_kept_middle_dropped():
    llm = ScriptedLLM()
    text = " ".join(f"w{i}" for i in range(1000))
    cut, kept = keep_head_and_tail(llm, text, 100)
    words = cut.split()
    assert llm.count_tokens(cut) <= 100
    assert words[0] == "w0" and words[-1] == "w999"
    assert "w500" not in words
    assert "omitted" in cut
    assert 0.08 < kept < 0.1


def test_short_text_is_untouched():
    llm = ScriptedLLM()
    assert keep_head_and_tail(llm, "a b c", 10) == ("a b c", 1.0)
