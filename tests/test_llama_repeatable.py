"""The same prompt gets the same scores and answer whatever the model was asked before it.

llama.cpp's sums (with flash attention, the default) depend on how a prompt is split into
batches; reusing whatever prefix the context happened to hold made that split, and so the
answer, depend on the previous prompt. An evaluation rerun must give the same answers.
"""

from __future__ import annotations

import pytest

from longdoc.llm.state_cache import StateCache

from conftest import LIGHTHOUSE

CONTEXT = f"Document:\n{LIGHTHOUSE * 2}"
OPTIONS = ["Tobias Wren", "Ada Quill", "Elias Quill", "the council of Hollin"]


def _asking(question: str, context: str = CONTEXT) -> list[dict]:
    return [{"role": "user", "content": f"{context}\nQuestion: {question}"}]


def _logprobs(choice) -> list[float]:
    return [score.logprob for score in choice.scores]


@pytest.fixture
def llm(real_llm, tmp_path, monkeypatch):
    monkeypatch.setattr(real_llm, "state_cache", StateCache(tmp_path))
    return real_llm


@pytest.mark.model
def test_option_scores_do_not_depend_on_the_previous_question(llm):
    target = _asking("Who built the lighthouse on Varn Island in 1871?")
    first = llm.choose(target, OPTIONS, cache_prefix=CONTEXT)
    # shares the document and the question's first words, so a longer prefix is held
    llm.choose(_asking("Who built the harbour of Hollin?"), OPTIONS, cache_prefix=CONTEXT)
    again = llm.choose(target, OPTIONS, cache_prefix=CONTEXT)
    assert _logprobs(again) == _logprobs(first)


@pytest.mark.model
def test_a_prompt_without_a_cached_prefix_scores_the_same_after_a_similar_one(llm):
    target = _asking("Who kept the light after 1903?", context=LIGHTHOUSE)
    first = llm.choose(target, OPTIONS)
    llm.choose(_asking("Who kept the logbook of ships?", context=LIGHTHOUSE), OPTIONS)
    again = llm.choose(target, OPTIONS)
    assert _logprobs(again) == _logprobs(first)


@pytest.mark.model
def test_letter_scores_and_answers_repeat_after_other_prompts(llm):
    listing = _asking("Who painted the tower green? A. Tobias Wren B. Ada Quill "
                      "C. Elias Quill D. the council. Answer with a letter.")
    first = llm.first_token_logprobs(listing, ["A", "B", "C", "D"], cache_prefix=CONTEXT)
    answer = llm.chat(_asking("Who painted the tower green?"), 24, cache_prefix=CONTEXT)
    llm.chat(_asking("Who painted the museum?"), 24, cache_prefix=CONTEXT)
    assert _logprobs(llm.first_token_logprobs(listing, ["A", "B", "C", "D"],
                                              cache_prefix=CONTEXT)) == _logprobs(first)
    assert llm.chat(_asking("Who painted the tower green?"), 24,
                    cache_prefix=CONTEXT).text == answer.text


@pytest.mark.model
def test_a_prefix_loaded_from_its_state_file_scores_as_when_computed(llm):
    own = f"Document:\n{LIGHTHOUSE.replace('Varn', 'Fenwick') * 2}"  # held by no other test
    target = _asking("Who built the lighthouse on Fenwick Island in 1871?", own)
    first = llm.choose(target, OPTIONS, cache_prefix=own)  # computed, then saved
    other = f"Document:\n{LIGHTHOUSE.replace('Varn', 'Skerry') * 2}"
    llm.choose(_asking("Who built it?", other), OPTIONS, cache_prefix=other)  # replaces the cells
    again = llm.choose(target, OPTIONS, cache_prefix=own)
    assert first.reused_tokens < 0.1 * first.prompt_tokens
    assert llm.state_cache.count() == 2
    assert again.reused_tokens > 0.9 * again.prompt_tokens  # loaded from its file
    assert _logprobs(again) == _logprobs(first)
