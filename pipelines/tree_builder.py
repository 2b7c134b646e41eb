"""Build (or resume building) the tree of summaries of one document.

Children are grouped by document order, not by clustering embeddings as RAPTOR does: a group
of consecutive chunks is one contiguous span, so its summary reads the span's text once (no
overlap between chunks is paid for twice), covers one page range that citations can name, and
the grouping is deterministic, which is what lets an interrupted build resume node by node.
Groups are sized in LLM tokens so that every summary prompt fits the context.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from longdoc.core.errors import LongdocError
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.library import Library
from longdoc.indexers.tree_store import Node, Tree
from longdoc.llm.protocol import LLM
from longdoc.pipelines.budget import room_for
from longdoc.pipelines.options import TreeSettings

SUMMARY_SYSTEM = ("You write short, dense summaries. Keep names, numbers, dates and the key "
                  "facts; leave out commentary.")


def summary_messages(text: str, words: int) -> list[dict]:
    return [{"role": "system", "content": SUMMARY_SYSTEM},
            {"role": "user", "content": f"{text}\n\nSummarize the text above in at most "
                                        f"{words} words."}]


NodeCallback = Callable[[int, int], None]  # (summaries done, summaries expected)


def build_tree(library: Library, doc_id: str, llm: LLM, embedder: Embedder,
               settings: TreeSettings | None = None,
               on_node: NodeCallback | None = None) -> Tree:
    """The complete tree, built now if needed; resumes a partial build of the same settings."""
    settings = settings or TreeSettings()
    store = library.trees
    done = store.load_complete(doc_id, llm.model_id, settings.key())
    if done:
        return done
    partial = store.load_partial(doc_id, llm.model_id, settings.key())
    started = time.perf_counter()
    group_tokens = min(settings.group_tokens, room_for(
        llm, summary_messages("", settings.summary_tokens), settings.summary_tokens,
        what="text to summarise").room)
    if group_tokens < 2 * settings.summary_tokens:
        raise LongdocError(f"context size {llm.context_size} is too small to build a tree of "
                           f"summaries of {settings.summary_tokens} tokens")
    text = library.load_document(doc_id).text
    tree = Tree(doc_id, llm.model_id, settings.key(), _leaves(library, doc_id, llm, embedder))
    if not tree.nodes:
        raise LongdocError(f"document {doc_id[:12]} has no text to build a tree from")
    previous = {tuple(n.children): n for n in (partial.nodes if partial else []) if n.level > 0}
    build = dict(partial.build) if partial and partial.build else {
        "prompt_tokens": 0, "completion_tokens": 0, "calls": 0, "seconds": 0.0}
    tree.build = build  # partial saves carry what was spent so far
    level = [n.id for n in tree.nodes]
    expected = _expected_summaries(tree.nodes, group_tokens, settings.summary_tokens)
    made = 0
    while len(level) > 1:
        groups = _group(tree.nodes, level, group_tokens)
        if len(groups) == len(level):  # nodes too large to pair: force pairs to terminate
            groups = [level[i:i + 2] for i in range(0, len(level), 2)]
        next_level = []
        for group in groups:
            node = previous.get(tuple(group))
            if node is None:
                node = _summarise(tree, group, text, llm, settings, build)
                node.vector = embedder.embed([node.text])[0]
            else:
                node.id = len(tree.nodes)
            tree.nodes.append(node)
            next_level.append(node.id)
            made += 1
            if on_node:
                on_node(made, max(expected, made))
            build["seconds"] = round(build["seconds"] + time.perf_counter() - started, 3)
            started = time.perf_counter()
            store.save_partial(tree)
        level = next_level
    build["seconds"] = round(build["seconds"] + time.perf_counter() - started, 3)
    tree.root = level[0]
    store.save_complete(tree)
    return tree


def _leaves(library: Library, doc_id: str, llm: LLM, embedder: Embedder) -> list[Node]:
    chunks = library.load_chunks(doc_id)
    vectors = embedder.embed([c.text for c in chunks])
    return [Node(id=i, level=0, text=c.text, children=[], leaves=[c.index],
                 page_start=c.page_start, page_end=c.page_end, char_start=c.char_start,
                 char_end=c.char_end, tokens=llm.count_tokens(c.text), vector=v)
            for i, (c, v) in enumerate(zip(chunks, vectors, strict=True))]


def _group(nodes: list[Node], level: list[int], limit: int) -> list[list[int]]:
    groups, current, used = [], [], 0
    for node_id in level:
        cost = nodes[node_id].tokens
        if current and used + cost > limit:
            groups.append(current)
            current, used = [], 0
        current.append(node_id)
        used += cost
    if current:
        groups.append(current)
    return groups


def _expected_summaries(leaves: list[Node], limit: int, summary_tokens: int) -> int:
    total, count = sum(n.tokens for n in leaves), len(leaves)
    expected = 0
    while count > 1:
        count = max(1, -(-total // limit))
        expected += count
        total = count * summary_tokens
    return expected


def _span_text(tree: Tree, group: list[int], text: str) -> str:
    """Leaves: the contiguous span of the document they cover (no overlap read twice).
    Summaries: their texts, in order."""
    nodes = [tree.nodes[i] for i in group]
    if nodes[0].is_leaf:
        return text[nodes[0].char_start:nodes[-1].char_end]
    return "\n\n".join(n.text for n in nodes)


def _summarise(tree: Tree, group: list[int], text: str, llm: LLM, settings: TreeSettings,
               build: dict) -> Node:
    nodes = [tree.nodes[i] for i in group]
    words = max(20, settings.summary_tokens * 3 // 4)
    completion = llm.chat(summary_messages(_span_text(tree, group, text), words),
                          settings.summary_tokens)
    build["prompt_tokens"] += completion.prompt_tokens
    build["completion_tokens"] += completion.completion_tokens
    build["calls"] += 1
    summary = completion.text.strip() or _span_text(tree, group, text)[:400]
    summary = llm.truncate_tokens(summary, settings.summary_tokens, keep="head")
    return Node(id=len(tree.nodes), level=nodes[0].level + 1, text=summary, children=group,
                leaves=[leaf for n in nodes for leaf in n.leaves],
                page_start=min(n.page_start for n in nodes),
                page_end=max(n.page_end for n in nodes),
                char_start=nodes[0].char_start, char_end=nodes[-1].char_end,
                tokens=llm.count_tokens(summary))
