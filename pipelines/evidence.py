"""Find the passages that support an answer, to cite them with pages and a short quote.

Small models name pages unreliably, so citations come from the text: the chunks (among those
the pipeline showed the model) that share the most rare words with the answer.
"""

from __future__ import annotations

import math

from longdoc.core.text import bm25_tokens, split_sentences
from longdoc.indexers.types import Chunk
from longdoc.pipelines.answer import Citation

QUOTE_CHARS = 160


def supporting_chunks(answer: str, question: str, chunks: list[Chunk],
                      k: int = 2) -> list[tuple[Chunk, float]]:
    """Chunks ranked by the rare words they share with the answer (question words left out)."""
    if not chunks:
        return []
    answer_terms = bm25_tokens(answer)
    question_terms = set(bm25_tokens(question))
    # words of the answer that are not just the question repeated carry the evidence
    query = [t for t in answer_terms if t not in question_terms] or answer_terms
    if not query:
        return []
    scores = overlap_scores(set(query), [set(bm25_tokens(c.text)) for c in chunks])
    ranked = sorted(zip(chunks, scores, strict=True), key=lambda cs: -cs[1])
    return [(c, float(s)) for c, s in ranked[:k] if s > 0]


def overlap_scores(query: set[str], texts: list[set[str]]) -> list[float]:
    """Sum of log(1 + N/df) over query words present: rare shared words weigh most.

    (BM25's idf turns negative in a corpus of one or two chunks, so it is not used here.)
    """
    n = len(texts)
    df = {t: sum(1 for words in texts if t in words) for t in query}
    return [sum(math.log(1 + n / df[t]) for t in query & words) for words in texts]


def best_quote(text: str, answer: str) -> str:
    """The sentence of `text` sharing the most words with `answer`, shortened."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    wanted = set(bm25_tokens(answer))
    best = max(sentences, key=lambda s: len(wanted & set(bm25_tokens(s))))
    return best if len(best) <= QUOTE_CHARS else best[:QUOTE_CHARS - 1].rstrip() + "…"


def cite(chunks_with_scores: list[tuple[Chunk, float]], answer: str,
         titles: dict[str, str]) -> list[Citation]:
    return [Citation(doc_id=c.doc_id, title=titles.get(c.doc_id, c.doc_id[:10]),
                     page_start=c.page_start, page_end=c.page_end, chunk=c.index,
                     quote=best_quote(c.text, answer), score=round(score, 4))
            for c, score in chunks_with_scores]
