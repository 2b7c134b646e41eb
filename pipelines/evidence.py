"""Find the passages that support an answer, to cite them with pages and a short quote.

Small models name pages unreliably, so citations come from the text: the chunks (among those
the pipeline showed the model) that share the most rare words with the answer.
"""

from __future__ import annotations

import re

from rank_bm25 import BM25Okapi

from longdoc.indexers.bm25_index import bm25_tokens
from longdoc.indexers.types import Chunk
from longdoc.pipelines.answer import Citation

QUOTE_CHARS = 160


def supporting_chunks(answer: str, question: str, chunks: list[Chunk],
                      k: int = 2) -> list[tuple[Chunk, float]]:
    """Chunks ranked by BM25 against the answer (question words weigh less), best first."""
    if not chunks:
        return []
    answer_terms = bm25_tokens(answer)
    question_terms = set(bm25_tokens(question))
    # words of the answer that are not just the question repeated carry the evidence
    query = [t for t in answer_terms if t not in question_terms] or answer_terms
    if not query:
        return []
    bm25 = BM25Okapi([bm25_tokens(c.text) for c in chunks])
    scores = bm25.get_scores(query)
    ranked = sorted(zip(chunks, scores, strict=True), key=lambda cs: -cs[1])
    return [(c, float(s)) for c, s in ranked[:k] if s > 0]


def best_quote(text: str, answer: str) -> str:
    """The sentence of `text` sharing the most words with `answer`, shortened."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n{2,}", text) if s.strip()]
    if not sentences:
        return ""
    wanted = set(bm25_tokens(answer))
    best = max(sentences, key=lambda s: len(wanted & set(bm25_tokens(s))))
    best = " ".join(best.split())
    return best if len(best) <= QUOTE_CHARS else best[:QUOTE_CHARS - 1].rstrip() + "…"


def cite(chunks_with_scores: list[tuple[Chunk, float]], answer: str,
         titles: dict[str, str]) -> list[Citation]:
    return [Citation(doc_id=c.doc_id, title=titles.get(c.doc_id, c.doc_id[:10]),
                     page_start=c.page_start, page_end=c.page_end, chunk=c.index,
                     quote=best_quote(c.text, answer), score=round(score, 4))
            for c, score in chunks_with_scores]
