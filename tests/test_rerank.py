"""`--rag-rerank`: rag's candidates reordered by how likely the model finds the question after
each (UPR), on the scripted LLM."""

from __future__ import annotations

import pytest

from longdoc.core.errors import LongdocError
from longdoc.pipelines.answer import Usage
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import RAG_CANDIDATES, PipelineOptions
from longdoc.pipelines.rag import Rag
from longdoc.pipelines.rerank import RERANK_ASK, rerank

from fakes import ScriptedLLM

QUESTION = "Who was the programmer?"
MEL = "Mel worked for Royal McBee Computer Corp., a subsidiary of the typewriter company."


def _asks_after(marker: str, otherwise: str = MEL):
    """A script that finds the question likely only after a passage holding `marker`."""

    def reply(messages) -> str:
        user = messages[-1]["content"]
        if RERANK_ASK in user:
            return QUESTION if marker in user else "something else entirely"
        return otherwise

    return reply


def test_the_passage_the_question_is_likeliest_after_comes_first():
    llm = ScriptedLLM(_asks_after("LGP-30"))
    candidates = ["the weather was fine", "a typewriter company", "Mel and the LGP-30",
                  "the RPC-4000 manual", "a kept tail"]
    usage = Usage()
    ranked = rerank(candidates, str, QUESTION, llm, 4, usage)
    assert ranked == ["Mel and the LGP-30", "the weather was fine", "a typewriter company",
                      "the RPC-4000 manual", "a kept tail"]  # ties and the tail keep order
    assert usage.calls == 4 == len(llm.calls)
    assert all(RERANK_ASK in call[-1]["content"] for call in llm.calls)


def test_off_or_a_single_candidate_costs_no_call():
    llm = ScriptedLLM(_asks_after("LGP-30"))
    assert rerank(["b", "a"], str, QUESTION, llm, 0, Usage()) == ["b", "a"]
    assert rerank(["a"], str, QUESTION, llm, 5, Usage()) == ["a"]
    assert llm.calls == []


def test_rag_reads_the_reranked_passage(sample_library, embedder):
    def read(n: int) -> tuple[ScriptedLLM, str, int]:
        llm = ScriptedLLM(_asks_after("Royal McBee"), context_size=8000)
        doc = sample_library.resolve_doc("hacker_folklore.pdf").doc_id
        options = PipelineOptions(rag_tokens=200, rag_rerank=n)
        ctx = AskContext(sample_library, llm, [doc], options, embedder=embedder)
        answer = Rag().answer(QUESTION, ctx)
        return llm, llm.calls[-1][-1]["content"], answer.usage.calls

    _, plain, plain_calls = read(0)
    llm, reranked, calls = read(RAG_CANDIDATES)
    assert "Royal McBee" not in plain and plain_calls == 1
    assert "Royal McBee" in reranked  # the 200 tokens now hold the passage that answers
    assert calls == len(llm.calls) > 2  # one scoring call per candidate, then the answer


def test_a_model_without_prompt_scores_is_refused(sample_library, embedder):
    llm = ScriptedLLM(MEL)
    llm.scores_prompts = False  # a model server without prompt log-probabilities
    with pytest.raises(LongdocError, match="--rag-rerank needs the model's prompt"):
        rerank(["a", "b"], str, QUESTION, llm, 2, Usage())


@pytest.mark.parametrize("n", [-1, RAG_CANDIDATES + 1])
def test_out_of_range_is_refused(n):
    with pytest.raises(LongdocError, match="--rag-rerank must be between 0 and"):
        PipelineOptions(rag_rerank=n).validate()
