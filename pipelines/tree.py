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

from longdoc.indexers.tree_store import Node, Tree
from longdoc.llm.protocol import Completion
from longdoc.pipelines.answer import Answer, Usage
from longdoc.pipelines.base import WINDOW_OVERHEAD, AskContext, Pipeline, reading_tokens
from longdoc.pipelines.budget import room_for
from longdoc.pipelines.evidence import cite, supporting_chunks
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.retrieval import fill_budget, rank_in_memory, retrieval_room
from longdoc.pipelines.trace import NavigationStep, TreeNodeUsed, TreeTrace
from longdoc.pipelines.tree_builder import build_tree

NAVIGATE_SYSTEM = ("You find where in a document the answer to a question is. You reply with "
                   "the number of one part, nothing else.")


class TreeOfSummaries(Pipeline):
    name = "tree"
    summary = "tree of summaries: collapsed-tree retrieval over all levels (or navigation)"

    def window_needed(self, doc_tokens: int, options: PipelineOptions) -> int:
        build = options.tree.group_tokens + options.tree.summary_tokens + WINDOW_OVERHEAD
        read = min(reading_tokens(doc_tokens), options.tree_tokens)
        return max(build, read + options.answer_tokens + WINDOW_OVERHEAD)

    def trees(self, ctx: AskContext) -> list[Tree]:
        progress = ctx.tree_progress
        return [build_tree(ctx.library, d, ctx.llm, ctx.get_embedder(), ctx.options.tree,
                           on_node=progress(d) if progress else None) for d in ctx.doc_ids]

    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        trees = self.trees(ctx)
        if ctx.options.tree_mode == "navigate":
            return self._navigate(question, ctx, trees, choices)
        return self._collapsed(question, ctx, trees, choices)

    # ---- collapsed tree -----------------------------------------------------------------
    def _collapsed(self, question: str, ctx: AskContext, trees: list[Tree],
                   choices: list[str] | None) -> Answer:
        mc = choices is not None
        room = retrieval_room(ctx.llm, question, ctx.options, "tree nodes",
                              ctx.options.tree_tokens, ctx.options.asks_first("tree", mc))
        chosen = fill_budget(self._rank(question, ctx, [(t, n) for t in trees for n in t.nodes]),
                             lambda tns: tns[1].tokens, room)
        titles = ctx.titles()
        ordered = sorted(chosen, key=lambda x: (x[0].doc_id, x[1].char_start, -x[1].level))
        context = "\n".join(_render(n, titles[t.doc_id]) for t, n, _ in ordered)
        completion = ctx.final(ctx.reading("tree", context, question, choices=mc), choices)
        trace = TreeTrace("collapsed", [_node_used(t, n, s) for t, n, s in ordered])
        return self._answer(question, ctx, trees, completion, [(t, n) for t, n, _ in chosen],
                            trace)

    def _rank(self, question: str, ctx: AskContext,
              nodes: list[tuple[Tree, Node]]) -> list[tuple[Tree, Node, float]]:
        qvec = ctx.get_embedder().embed([question])
        ranked = rank_in_memory(qvec, [question], [n.vector for _, n in nodes],
                                [n.text for _, n in nodes])
        return [(nodes[i][0], nodes[i][1], score) for i, score in ranked]

    # ---- navigation ---------------------------------------------------------------------
    def _navigate(self, question: str, ctx: AskContext, trees: list[Tree],
                  choices: list[str] | None) -> Answer:
        llm, usage, path = ctx.llm, Usage(), []
        qvec = np.asarray(ctx.get_embedder().embed([question])[0])
        tree = max(trees, key=lambda t: float(np.asarray(t.nodes[t.root].vector) @ qvec))
        node = tree.nodes[tree.root]
        while not node.is_leaf and not tree.nodes[node.children[0]].is_leaf:
            children = [tree.nodes[c] for c in node.children]
            done = llm.chat(_navigate_messages(children, question), 8)
            usage.add(done)
            pick = _parse_choice(done.text, len(children))
            fallback = pick is None
            if fallback:  # the model did not name a part: take the most similar one
                ranked = self._rank(question, ctx, [(tree, c) for c in children])
                pick = children.index(ranked[0][1]) + 1
            path.append(NavigationStep(node.id, pick, done.text.strip()[:40], fallback))
            node = children[pick - 1]
        leaves = [tree.nodes[c] for c in node.children] if not node.is_leaf else [node]
        mc = choices is not None
        skeleton = ctx.reading("tree", "", question, choices=mc).messages()
        budget = room_for(llm, skeleton, ctx.options.answer_tokens)
        text = ctx.document(tree.doc_id).text[leaves[0].char_start:leaves[-1].char_end]
        text = llm.truncate_tokens(text, budget.room, keep="head")
        context = f"[{ctx.titles()[tree.doc_id]}, {node.pages_label()}]\n{text}\n"
        completion = ctx.final(ctx.reading("tree", context, question, choices=mc), choices)
        trace = TreeTrace("navigate", [_node_used(tree, node, None)], path)
        answer = self._answer(question, ctx, [tree], completion, [(tree, n) for n in leaves],
                              trace)
        answer.usage.merge(usage)
        return answer

    # ---- shared -------------------------------------------------------------------------
    def _answer(self, question: str, ctx: AskContext, trees: list[Tree], completion: Completion,
                used: list[tuple[Tree, Node]], trace: TreeTrace) -> Answer:
        usage = Usage()
        usage.add(completion)
        leaf_keys = {(t.doc_id, leaf) for t, n in used for leaf in n.leaves}
        leaves = [c for c in ctx.all_chunks() if (c.doc_id, c.index) in leaf_keys]
        support = supporting_chunks(completion.text, question, leaves)
        trace.build = {t.doc_id[:12]: {**t.build, "nodes": len(t.nodes), "levels": t.levels()}
                       for t in trees}
        return Answer(self.name, question, completion.text,
                      citations=cite(support, completion.text, ctx.titles()), usage=usage,
                      trace=trace)


def _navigate_messages(children: list[Node], question: str) -> list[dict[str, str]]:
    listing = "\n\n".join(f"Part {i} ({c.pages_label()}): {c.text}"
                          for i, c in enumerate(children, 1))
    return [{"role": "system", "content": NAVIGATE_SYSTEM},
            {"role": "user", "content": f"{listing}\n\nQuestion: {question}\nWhich part "
                                        f"(1-{len(children)}) most likely contains the answer? "
                                        "Reply with the number."}]


def _render(node: Node, title: str) -> str:
    kind = "summary of " if not node.is_leaf else ""
    return f"[{kind}{title}, {node.pages_label()}]\n{node.text}\n"


def _node_used(tree: Tree, node: Node, score: float | None) -> TreeNodeUsed:
    return TreeNodeUsed(tree.doc_id, node.id, node.level, node.pages_label(),
                        None if score is None else round(score, 5), node.text[:200])


def _parse_choice(reply: str, n: int) -> int | None:
    match = re.search(r"\d+", reply)
    if not match:
        return None
    value = int(match.group())
    return value if 1 <= value <= n else None
