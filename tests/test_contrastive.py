"""Context-aware decoding: the token choice (pure numpy) and the pipelines' use of it, on the
scripted LLM."""

from __future__ import annotations

import numpy as np
import pytest

from longdoc.core.errors import LongdocError
from longdoc.llm.contrastive import contrastive_scores, next_token
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import get_pipeline

from fakes import ScriptedLLM


def _log(*probs: float) -> np.ndarray:
    return np.log(np.array(probs))


def test_without_alpha_the_pick_is_greedy():
    assert next_token(_log(0.5, 0.4, 0.1), _log(0.9, 0.05, 0.05), 0.0) == 0


def test_what_the_reading_adds_beats_what_the_model_says_anyway():
    # token 0 is what the model says without the reading too; token 1 is what the reading adds
    reading, plain = _log(0.5, 0.4, 0.1), _log(0.9, 0.05, 0.05)
    assert next_token(reading, plain, 0.5) == 1
    scores = contrastive_scores(reading, plain, 0.5)
    assert scores[1] == pytest.approx(1.5 * np.log(0.4) - 0.5 * np.log(0.05))


def test_a_token_the_reading_makes_implausible_never_wins():
    # token 1 is far likelier after the reading than without it, but below a tenth of the best
    reading, plain = _log(0.85, 0.05, 0.10), _log(0.998999, 1e-6, 0.001)
    assert 2 * np.log(0.05) - np.log(1e-6) > 2 * np.log(0.10) - np.log(0.001)  # unconstrained
    assert contrastive_scores(reading, plain, 1.0)[1] == -np.inf
    assert next_token(reading, plain, 1.0) == 2  # plausible (0.10 >= 0.085), and raised


def _ctx(lib, llm, **options) -> AskContext:
    doc = lib.resolve_doc("hacker_folklore.pdf").doc_id
    return AskContext(lib, llm, [doc], PipelineOptions(**options))


@pytest.mark.parametrize("name", ["full", "rag"])
def test_a_reading_pipeline_contrasts_with_its_own_prompt_unread(sample_library, embedder,
                                                                  name):
    llm = ScriptedLLM("Royal McBee.", context_size=16000)
    ctx = _ctx(sample_library, llm, cad_alpha=0.5)
    ctx.embedder = embedder
    answer = get_pipeline(name).answer("Who employed Mel?", ctx)
    assert answer.text == "Royal McBee."
    (plain, alpha), = llm.contrasted
    read = llm.calls[-1]
    assert alpha == 0.5
    assert plain[0] == read[0]  # the same system prompt
    assert plain[-1]["content"].startswith("Question: Who employed Mel?")  # nothing read
    assert read[-1]["content"].endswith(plain[-1]["content"])  # the same question and ask
    assert "Mel" in read[-1]["content"][:-len(plain[-1]["content"])]  # after the reading


def test_closed_book_and_multiple_choice_are_not_contrasted(sample_library):
    llm = ScriptedLLM("Royal McBee", context_size=16000)
    ctx = _ctx(sample_library, llm, cad_alpha=0.5)
    get_pipeline("none").answer("Who employed Mel?", ctx)
    get_pipeline("full").answer("Who employed Mel?", ctx, ["Royal McBee", "IBM"])
    assert llm.contrasted == []


def test_alpha_out_of_range_is_refused():
    with pytest.raises(LongdocError, match="--cad must be between 0 and 5"):
        PipelineOptions(cad_alpha=-0.5).validate()
