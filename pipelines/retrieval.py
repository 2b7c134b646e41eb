"""Ranking and budget filling shared by `rag` (chunks) and `tree` (tree nodes).

Dense and BM25 rankings are fused by reciprocal rank fusion; the best candidates that fit a
token budget are kept (a smaller one further down may still fit after a larger one did not).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import numpy as np

from longdoc.indexers.bm25_index import BM25Index
from longdoc.llm.protocol import LLM
from longdoc.pipelines.budget import room_for
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import SYSTEM, Prompt

RRF_K = 60
HEADER_TOKENS = 16  # the "[title, pages]" line above each passage
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def reciprocal_rank_fusion(*rankings: Sequence[K], k: int = RRF_K) -> list[tuple[K, float]]:
    """Fuse ranked lists of keys: score = sum of 1 / (k + rank), rank from 1; best first."""
    scores: dict = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, 1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def retrieval_room(llm: LLM, question: str, options: PipelineOptions, what: str,
                   wanted: int, lead: bool = False) -> int:
    """Tokens of retrieved text a question may get: `wanted` (`rag_tokens`, `tree_tokens`),
    capped by the window (`lead`: the question is asked before the text too)."""
    skeleton = Prompt(SYSTEM, "", question, lead=question if lead else "")
    budget = room_for(llm, skeleton.messages(), options.answer_tokens, what=what)
    return min(budget.room, wanted)


def fill_budget(ranked: Sequence[T], cost: Callable[[T], int], room: int) -> list[T]:
    """The best-ranked items whose costs (plus a header line each) add up to at most `room`."""
    chosen, used = [], 0
    for item in ranked:
        spend = cost(item) + HEADER_TOKENS
        if used + spend > room:
            continue
        chosen.append(item)
        used += spend
    return chosen


def rank_in_memory(query_vectors: Sequence[Sequence[float]], queries: Sequence[str],
                   vectors: Sequence[Sequence[float]], texts: Sequence[str]
                   ) -> list[tuple[int, float]]:
    """Indexes of `texts` best first: dense cosine and BM25 for every query, fused."""
    matrix = np.asarray(vectors)
    index = BM25Index.build(("", i, text) for i, text in enumerate(texts))
    rankings: list[list[int]] = []
    for vector, query in zip(query_vectors, queries, strict=True):
        rankings.append(np.argsort(-(matrix @ np.asarray(vector))).tolist())
        rankings.append([i for _, i, _ in index.search(query, len(texts))])
    return reciprocal_rank_fusion(*rankings)
