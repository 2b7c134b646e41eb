"""How ServerLLM reads option scores from echoed prompt log-probabilities (the vLLM path, which
cannot run here): the option's tokens are the echoed ones after the prompt's, and a letter
missing from the first token's top log-probabilities is scored by echo."""

from __future__ import annotations

import pytest

from fake_server import fake_server

pytest.importorskip("httpx", reason="the model-server client needs httpx (pip install .[server])")


def test_choose_and_first_token_logprobs_from_echo():
    from longdoc.llm.settings import ModelSettings, load_llm

    messages = [{"role": "user", "content": "Which colour?"}]
    with fake_server("vllm-like", mode="echo") as url:
        llm = load_llm(ModelSettings(server=[url]))
        assert llm.scores_prompts and llm.context_size == 2048
        choice = llm.choose(messages, ["dark green", "white"])
        assert [(s.logprob, s.tokens) for s in choice.scores] == [(-9.0, 2), (-5.0, 1)]
        assert choice.prompt_tokens == llm.prompt_tokens(messages)
        letters = llm.first_token_logprobs(messages, ["A", "B", "C"])
        assert [s.logprob for s in letters.scores] == [-0.5, -2.0, -1.0]
