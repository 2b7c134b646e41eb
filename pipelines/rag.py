"""`rag`: dense (chromadb) and BM25 candidates fused by reciprocal rank fusion; as many of the
best chunks as fit the token budget, merged where they overlap, read in document order."""

from __future__ import annotations

from dataclasses import dataclass

from longdoc.indexers.types import Chunk, pages_label
from longdoc.pipelines.answer import Answer, Usage
from longdoc.pipelines.base import WINDOW_OVERHEAD, AskContext, Pipeline, reading_tokens
from longdoc.pipelines.evidence import cite, supporting_chunks
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import closed_book
from longdoc.pipelines.retrieval import (
    HEADER_TOKENS,
    fill_budget,
    reciprocal_rank_fusion,
    retrieval_room,
)
from longdoc.pipelines.trace import RagTrace, RetrievedChunk

CANDIDATES = 50
# Self-Route (Li et al. 2024): retrieval first, and a way for the model to say it cannot answer
UNANSWERABLE = " If the text does not contain the answer, write 'unanswerable'."
# HyDE (Gao et al. 2022): a draft answer written without the document shares the answer's
# words, which the question alone may lack; it is only retrieved with, never shown
DRAFT_TOKENS = 64


@dataclass
class Passage:
    """Consecutive chosen chunks of one document, merged into one span of its text."""

    doc_id: str
    title: str
    chunks: list[Chunk]
    text: str

    @property
    def page_start(self) -> int:
        return min(c.page_start for c in self.chunks)

    @property
    def page_end(self) -> int:
        return max(c.page_end for c in self.chunks)

    @property
    def label(self) -> str:
        return f"{self.title}, {pages_label(self.page_start, self.page_end)}"

    def render(self) -> str:
        return f"[{self.label}]\n{self.text}\n"


def render_passages(passages: list[Passage]) -> str:
    return "\n".join(p.render() for p in passages)


def merge_in_document_order(chosen: list[Chunk], doc_texts: dict[str, str],
                            titles: dict[str, str]) -> list[Passage]:
    passages: list[Passage] = []
    for chunk in sorted(chosen, key=lambda c: (c.doc_id, c.char_start)):
        last = passages[-1] if passages else None
        if last and last.doc_id == chunk.doc_id and chunk.char_start <= last.chunks[-1].char_end:
            last.chunks.append(chunk)
            continue
        passages.append(Passage(chunk.doc_id, titles.get(chunk.doc_id, ""), [chunk], ""))
    for p in passages:
        start = min(c.char_start for c in p.chunks)
        end = max(c.char_end for c in p.chunks)
        p.text = doc_texts[p.doc_id][start:end]
    return passages


@dataclass
class Candidate:
    chunk: Chunk
    fused: float
    dense: int | None  # rank by the first query's embedding, from 1
    bm25: int | None  # rank by the first query's BM25 score, from 1


class Rag(Pipeline):
    name = "rag"
    summary = "retrieval: dense + BM25 chunks fused, as many as fit, in document order"
    uses_vectors = True

    def window_needed(self, doc_tokens: int, options: PipelineOptions) -> int:
        read = min(reading_tokens(doc_tokens), options.rag_tokens)
        return read + options.answer_tokens + WINDOW_OVERHEAD

    def __init__(self, self_route: bool = False) -> None:
        self.self_route = self_route  # ask the model to write 'unanswerable' (for `auto`)

    def retrieve(self, queries: list[str], ctx: AskContext) -> list[Candidate]:
        """Candidates best first, every query's dense and BM25 rankings fused."""
        lib = ctx.library
        rankings = []
        for vector, query in zip(ctx.get_embedder().embed(queries), queries, strict=True):
            dense = lib.vectors.search(vector, CANDIDATES, ctx.doc_ids)
            sparse = lib.bm25().search(query, CANDIDATES, ctx.doc_ids)
            rankings += [[(d, i) for d, i, _ in dense], [(d, i) for d, i, _ in sparse]]
        by_key = {(c.doc_id, c.index): c for c in ctx.all_chunks()}
        return [Candidate(by_key[key], score, _rank(rankings[0], key), _rank(rankings[1], key))
                for key, score in reciprocal_rank_fusion(*rankings) if key in by_key]

    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        llm = ctx.llm
        room = retrieval_room(llm, question, ctx.options, "retrieved text",
                              ctx.options.rag_tokens,
                              ctx.options.asks_first("rag", choices is not None))
        usage = Usage()
        candidates = self.retrieve(queries_for(question, choices, ctx, usage), ctx)
        lead = opening_of_best_document(candidates, ctx, ctx.options.rag_lead_tokens)
        picked, passages = passages_within(lead + [c for c in candidates if c not in lead],
                                           ctx, room)
        chosen = [c.chunk for c in picked]
        context = render_passages(in_reading_order(passages, chosen, ctx.options.rag_order))
        completion = ctx.final(ctx.reading("rag", context, question,
                                           UNANSWERABLE if self.self_route else "",
                                           choices is not None), choices)
        usage.add(completion)
        support = supporting_chunks(completion.text, question, chosen)
        trace = RagTrace(
            chunks=[RetrievedChunk(c.chunk.doc_id, c.chunk.index, c.chunk.pages_label(),
                                   round(c.fused, 5), c.dense, c.bm25, c.chunk.text[:200])
                    for c in picked],
            passages=len(passages), context_tokens=completion.prompt_tokens)
        return Answer(self.name, question, completion.text,
                      citations=cite(support, completion.text, ctx.titles()), usage=usage,
                      trace=trace)


def queries_for(question: str, choices: list[str] | None, ctx: AskContext, usage: Usage
                ) -> list[str]:
    """What to retrieve for: the question first; for multiple choice with
    `retrieve_per_option`, also with each option (what supports or refutes it); for free text
    with `rag_draft`, also with a draft answer written without the document (its LLM call is
    added to `usage`)."""
    queries = [question]
    if choices and ctx.options.retrieve_per_option:
        queries += [f"{question} {c}" for c in choices]
    if not choices and ctx.options.rag_draft:
        draft = ctx.llm.chat(closed_book(question).messages(), DRAFT_TOKENS)
        usage.add(draft)
        queries.append(f"{question} {draft.text}")
    return queries


def opening_of_best_document(candidates: list[Candidate], ctx: AskContext, tokens: int
                             ) -> list[Candidate]:
    """The first chunks of the best candidate's document, up to `tokens` (`--rag-lead`): a
    document's opening says what it is about, which questions about its gist need and
    retrieval by the question's words rarely ranks first."""
    if tokens <= 0 or not candidates:
        return []
    doc_id = candidates[0].chunk.doc_id
    ranked = {(c.chunk.doc_id, c.chunk.index): c for c in candidates}
    lead, used = [], 0
    for chunk in sorted(ctx.chunks(doc_id), key=lambda c: c.index):
        used += ctx.llm.count_tokens(chunk.text) + HEADER_TOKENS
        if used > tokens:
            break
        lead.append(ranked.get((doc_id, chunk.index)) or Candidate(chunk, 0.0, None, None))
    return lead


def passages_within(candidates: list[Candidate], ctx: AskContext, room: int
                    ) -> tuple[list[Candidate], list[Passage]]:
    """The best candidates that fit `room` tokens, and their text as passages in document
    order."""
    picked = fill_budget(candidates, lambda c: ctx.llm.count_tokens(c.chunk.text), room)
    chosen = [c.chunk for c in picked]
    doc_texts = {d: ctx.document(d).text for d in {c.doc_id for c in chosen}}
    return picked, merge_in_document_order(chosen, doc_texts, ctx.titles())


def in_reading_order(passages: list[Passage], ranked: list[Chunk], order: str
                     ) -> list[Passage]:
    """`passages` (in document order) as the prompt reads them: in document order, or by
    relevance with the best-ranked passage last, next to the question (a small model reads the
    end of its prompt best). A passage ranks as its best chunk in `ranked` (best first)."""
    if order == "document":
        return passages
    position = {(c.doc_id, c.index): i for i, c in enumerate(ranked)}

    def best(p: Passage) -> int:
        return min(position[(c.doc_id, c.index)] for c in p.chunks)

    return sorted(passages, key=best, reverse=True)


def _rank(keys: list[tuple[str, int]], key: tuple[str, int]) -> int | None:
    try:
        return keys.index(key) + 1
    except ValueError:
        return None
