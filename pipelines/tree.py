"""`tree`: answer from a tree of summaries, built once per (document, model) and stored.

Default, RAPTOR's "collapsed tree": score every node (leaves and summaries of all levels) against
the question — dense cosine and BM25, fused by reciprocal rank fusion as in `rag` — and read the
best ones that fit a token budget, in document order. Option `tree_mode=navigate`, MemWalker
style: start at the root, let the model pick the child most likely to hold the answer, down to
the leaves, and answer from those.
"""

from __future__ import annotations

import re

import numpy as np
from rank_bm25 import BM25Okapi

from longdoc.indexers.bm25_index import bm25_tokens
from longdoc.pipelines.answer import Answer, Timings, Usage
from longdoc.pipelines.base import AskContext, Pipeline
from longdoc.pipelines.budget import room_for
from longdoc.pipelines.evidence import cite, supporting_chunks
from longdoc.pipelines.prompts import SYSTEM, messages
from longdoc.pipelines.rag import DEFAULT_RAG_TOKENS, reciprocal_rank_fusion
from longdoc.pipelines.tree_builder import TreeSettings, build_tree
from longdoc.pipelines.tree_store import Node, Tree

NAVIGATE_SYSTEM = ("You find where in a document the answer to a question is. You reply with "
                   "the number of one part, nothing else.")


class TreeOfSummaries(Pipeline):
    name = "tree"
    summary = "tree of summaries: collapsed-tree retrieval over all levels (or navigation)"

    def trees(self, ctx: AskContext) -> list[Tree]:
        settings = TreeSettings(**ctx.options.get("tree_settings", {}))
        on_node = ctx.options.get("tree_progress")
        return [build_tree(ctx.library, d, ctx.llm, ctx.get_embedder(), settings,
                           on_node=on_node(d) if on_node else None) for d in ctx.doc_ids]

    def run(self, question: str, ctx: AskContext) -> Answer:
        trees = self.trees(ctx)
        if ctx.options.get("tree_mode", "collapsed") == "navigate":
            return self._navigate(question, ctx, trees)
        return self._collapsed(question, ctx, trees)

    # ---- collapsed tree -----------------------------------------------------------------
    def _collapsed(self, question: str, ctx: AskContext, trees: list[Tree]) -> Answer:
        llm = ctx.llm
        budget = room_for(llm, messages(SYSTEM, "", question), ctx.answer_tokens,
                          what="tree nodes")
        room = min(budget.room, int(ctx.options.get("rag_tokens", DEFAULT_RAG_TOKENS)))
        nodes = [(t, n) for t in trees for n in t.nodes]
        ranked = self._rank(question, ctx, nodes)
        chosen, used = [], 0
        for tree, node, score in ranked:
            cost = node.tokens + 16
            if used + cost > room:
                continue
            chosen.append((tree, node, score))
            used += cost
        titles = ctx.titles()
        ordered = sorted(chosen, key=lambda x: (x[0].doc_id, x[1].char_start, -x[1].level))
        context = "\n".join(_render(n, titles[t.doc_id]) for t, n, _ in ordered)
        completion = ctx.final(messages(SYSTEM, context, question))
        return self._answer(question, ctx, trees, completion, [(t, n) for t, n, _ in chosen],
                            {"mode": "collapsed", "nodes": [
                                _trace_node(t, n, s) for t, n, s in ordered]})

    def _rank(self, question: str, ctx: AskContext,
              nodes: list[tuple[Tree, Node]]) -> list[tuple[Tree, Node, float]]:
        qvec = np.asarray(ctx.get_embedder().embed([question])[0])
        vectors = np.asarray([n.vector for _, n in nodes])
        dense = np.argsort(-(vectors @ qvec)).tolist()
        bm25 = BM25Okapi([bm25_tokens(n.text) for _, n in nodes])
        terms = bm25_tokens(question)
        sparse_scores = bm25.get_scores(terms) if terms else np.zeros(len(nodes))
        sparse = [i for i in np.argsort(-sparse_scores).tolist() if sparse_scores[i] > 0]
        fused = reciprocal_rank_fusion([(i, 0) for i in dense], [(i, 0) for i in sparse])
        return [(nodes[i][0], nodes[i][1], score) for (i, _), score in fused]

    # ---- navigation ---------------------------------------------------------------------
    def _navigate(self, question: str, ctx: AskContext, trees: list[Tree]) -> Answer:
        llm, usage, path = ctx.llm, Usage(), []
        qvec = np.asarray(ctx.get_embedder().embed([question])[0])
        tree = max(trees, key=lambda t: float(np.asarray(t.nodes[t.root].vector) @ qvec))
        node = tree.nodes[tree.root]
        while not node.is_leaf and not tree.nodes[node.children[0]].is_leaf:
            children = [tree.nodes[c] for c in node.children]
            listing = "\n\n".join(f"Part {i} ({c.pages_label()}): {c.text}"
                                  for i, c in enumerate(children, 1))
            msgs = [{"role": "system", "content": NAVIGATE_SYSTEM},
                    {"role": "user", "content": f"{listing}\n\nQuestion: {question}\n"
                                                f"Which part (1-{len(children)}) most likely "
                                                "contains the answer? Reply with the number."}]
            done = llm.chat(msgs, 8)
            usage.add(done)
            pick = _parse_choice(done.text, len(children))
            fallback = pick is None
            if fallback:  # the model did not name a part: take the most similar one
                ranked = self._rank(question, ctx, [(tree, c) for c in children])
                pick = children.index(ranked[0][1]) + 1
            path.append({"node": node.id, "choice": pick, "reply": done.text.strip()[:40],
                         "fallback": fallback})
            node = children[pick - 1]
        leaves = [tree.nodes[c] for c in node.children] if not node.is_leaf else [node]
        budget = room_for(llm, messages(SYSTEM, "", question), ctx.answer_tokens)
        text = ctx.document(tree.doc_id).text[leaves[0].char_start:leaves[-1].char_end]
        text = llm.truncate_tokens(text, budget.room, keep="head")
        title = ctx.titles()[tree.doc_id]
        context = f"[{title}, {node.pages_label()}]\n{text}\n"
        completion = ctx.final(messages(SYSTEM, context, question))
        answer = self._answer(question, ctx, [tree], completion, [(tree, n) for n in leaves],
                              {"mode": "navigate", "path": path,
                               "nodes": [_trace_node(tree, node, None)]})
        answer.usage.prompt_tokens += usage.prompt_tokens
        answer.usage.completion_tokens += usage.completion_tokens
        answer.usage.calls += usage.calls
        return answer

    # ---- shared -------------------------------------------------------------------------
    def _answer(self, question: str, ctx: AskContext, trees: list[Tree], completion,
                used: list[tuple[Tree, Node]], trace: dict) -> Answer:
        usage = Usage()
        usage.add(completion)
        leaf_keys = {(t.doc_id, leaf) for t, n in used for leaf in n.leaves}
        leaves = [c for c in ctx.all_chunks() if (c.doc_id, c.index) in leaf_keys]
        support = supporting_chunks(completion.text, question, leaves)
        trace["build"] = {t.doc_id[:12]: {**t.build, "nodes": len(t.nodes),
                                          "levels": t.levels()} for t in trees}
        return Answer(self.name, question, completion.text,
                      citations=cite(support, completion.text, ctx.titles()), usage=usage,
                      timings=Timings(), trace=trace)


def _render(node: Node, title: str) -> str:
    kind = "summary of " if not node.is_leaf else ""
    return f"[{kind}{title}, {node.pages_label()}]\n{node.text}\n"


def _trace_node(tree: Tree, node: Node, score: float | None) -> dict:
    return {"doc_id": tree.doc_id, "node": node.id, "level": node.level,
            "pages": node.pages_label(), "score": None if score is None else round(score, 5),
            "text": node.text[:200]}


def _parse_choice(reply: str, n: int) -> int | None:
    match = re.search(r"\d+", reply)
    if not match:
        return None
    value = int(match.group())
    return value if 1 <= value <= n else None
