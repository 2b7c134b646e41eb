"""`rag`: dense (chromadb) and BM25 candidates fused by reciprocal rank fusion; as many of the
best chunks as fit the token budget, merged where they overlap, read in document order."""

from __future__ import annotations

from dataclasses import dataclass

from longdoc.indexers.types import Chunk, pages_label
from longdoc.pipelines.answer import Answer, Timings, Usage
from longdoc.pipelines.base import AskContext, Pipeline
from longdoc.pipelines.budget import room_for
from longdoc.pipelines.evidence import cite, supporting_chunks
from longdoc.pipelines.prompts import SYSTEM, messages

RRF_K = 60
CANDIDATES = 50
DEFAULT_RAG_TOKENS = 1536  # retrieved text per question; the context window caps it too


def reciprocal_rank_fusion(*rankings: list[tuple[str, int]],
                           k: int = RRF_K) -> list[tuple[tuple[str, int], float]]:
    """Fuse ranked lists of chunk keys: score = sum of 1 / (k + rank), rank from 1."""
    scores: dict[tuple[str, int], float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, 1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


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

    def render(self) -> str:
        return f"[{self.title}, {pages_label(self.page_start, self.page_end)}]\n{self.text}\n"


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


class Rag(Pipeline):
    name = "rag"
    summary = "retrieval: dense + BM25 chunks fused, as many as fit, in document order"

    def retrieve(self, question: str, ctx: AskContext) -> list[tuple[Chunk, float, dict]]:
        """Candidates best first: (chunk, fused score, per-retriever ranks)."""
        lib = ctx.library
        vector = ctx.get_embedder().embed([question])[0]
        dense = lib.vectors.search(vector, CANDIDATES, ctx.doc_ids)
        sparse = lib.bm25().search(question, CANDIDATES, ctx.doc_ids)
        dense_keys = [(d, i) for d, i, _ in dense]
        sparse_keys = [(d, i) for d, i, _ in sparse]
        by_key = {c.key: c for c in ctx.all_chunks()}
        out = []
        for (doc_id, index), score in reciprocal_rank_fusion(dense_keys, sparse_keys):
            chunk = by_key.get(f"{doc_id}:{index}")
            if chunk is None:
                continue
            ranks = {"dense": _rank(dense_keys, (doc_id, index)),
                     "bm25": _rank(sparse_keys, (doc_id, index))}
            out.append((chunk, score, ranks))
        return out

    def run(self, question: str, ctx: AskContext) -> Answer:
        llm = ctx.llm
        budget = room_for(llm, messages(SYSTEM, "", question), ctx.answer_tokens,
                          what="retrieved text")
        room = min(budget.room, int(ctx.options.get("rag_tokens", DEFAULT_RAG_TOKENS)))
        candidates = self.retrieve(question, ctx)
        chosen, used = [], 0
        for chunk, _, _ in candidates:
            cost = llm.count_tokens(chunk.text) + 16  # + its header line
            if used + cost > room:
                continue  # a smaller chunk further down may still fit
            chosen.append(chunk)
            used += cost
        doc_texts = {d: ctx.document(d).text for d in {c.doc_id for c in chosen}}
        passages = merge_in_document_order(chosen, doc_texts, ctx.titles())
        context = "\n".join(p.render() for p in passages)
        completion = ctx.final(messages(SYSTEM, context, question))
        usage = Usage()
        usage.add(completion)
        support = supporting_chunks(completion.text, question, chosen)
        fused = {c.key: (s, r) for c, s, r in candidates}
        trace = {"chunks": [
            {"doc_id": c.doc_id, "chunk": c.index, "pages": c.pages_label(),
             "fused": round(fused[c.key][0], 5), **fused[c.key][1],
             "text": c.text[:200]} for c in chosen],
            "passages": len(passages), "context_tokens": completion.prompt_tokens}
        return Answer(self.name, question, completion.text,
                      citations=cite(support, completion.text, ctx.titles()), usage=usage,
                      timings=Timings(first_token_s=completion.first_token_s), trace=trace)


def _rank(keys: list[tuple[str, int]], key: tuple[str, int]) -> int | None:
    try:
        return keys.index(key) + 1
    except ValueError:
        return None
