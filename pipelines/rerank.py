"""Reranking rag's candidates by question likelihood (`--rag-rerank N`).

UPR (Sachan et al. 2022, "Improving Passage Retrieval with Zero-Shot Question Generation"):
a passage is as relevant as the model finds the question likely after reading it,
log p(question | passage). The reader model scores the best N fused candidates itself, one
short call each, so no other model is needed; the rest keep their fused order after them.
"""

from __future__ import annotations

from typing import TypeVar

from longdoc.core.errors import LongdocError
from longdoc.llm.protocol import LLM, Completion
from longdoc.pipelines.answer import Usage

T = TypeVar("T")

RERANK_SYSTEM = "You write the question a passage answers."
RERANK_ASK = "Write a question that this passage answers."


def question_logprob(llm: LLM, passage: str, question: str) -> tuple[float, Completion]:
    """Mean log-probability per token of `question` as the reply to `passage`, and the call's
    cost as a completion (for the answer's usage)."""
    messages = [{"role": "system", "content": RERANK_SYSTEM},
                {"role": "user", "content": f"Passage:\n{passage}\n\n{RERANK_ASK}"}]
    choice = llm.choose(messages, [question])
    score = choice.scores[0]
    cost = Completion("", choice.prompt_tokens, 0, reused_tokens=choice.reused_tokens,
                      total_s=choice.total_s)
    return score.logprob / max(1, score.tokens), cost


def rerank(candidates: list[T], text_of, question: str, llm: LLM, n: int,
           usage: Usage) -> list[T]:
    """The best `n` of `candidates` (best first) reordered by how likely the model finds
    `question` after each one's text (`text_of(candidate)`); the others follow unchanged."""
    if n <= 0 or len(candidates) < 2:
        return candidates
    if not getattr(llm, "scores_prompts", True):
        raise LongdocError("--rag-rerank needs the model's prompt log-probabilities, which "
                           "this model server does not give; run the model in this process")
    head = candidates[:n]
    scores = []
    for candidate in head:
        score, cost = question_logprob(llm, text_of(candidate), question)
        usage.add(cost)
        scores.append(score)
    order = sorted(range(len(head)), key=lambda i: (-scores[i], i))  # ties keep fused order
    return [head[i] for i in order] + candidates[n:]
