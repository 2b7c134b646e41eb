"""Tree of summaries with a scripted LLM: shape, reuse, interrupted builds, citations."""

from __future__ import annotations

import shutil

import pytest

from longdoc.indexers.library import Library
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions, TreeSettings
from longdoc.pipelines.tree import TreeOfSummaries
from longdoc.pipelines.tree_builder import build_tree

from fakes import ScriptedLLM

SETTINGS = {"group_tokens": 600, "summary_tokens": 40}


def _summary(messages):
    if messages[0]["content"].startswith("You write short"):
        text = messages[-1]["content"]
        return "summary: " + " ".join(text.split()[:25])
    if messages[0]["content"].startswith("You find where"):
        return "2"
    return "Mel worked for Royal McBee Computer Corp."


@pytest.fixture
def library(tmp_path, sample_library) -> Library:
    """A private copy of the sample library: tree files get written into it."""
    shutil.copytree(sample_library.root, tmp_path / "lib")
    return Library(tmp_path / "lib")


def _ctx(lib, llm, embedder, **options) -> AskContext:
    return AskContext(lib, llm, [lib.resolve_doc("hacker_folklore.pdf").doc_id],
                      embedder=embedder,
                      options=PipelineOptions(tree=TreeSettings(**SETTINGS), **options))


def test_tree_shape(library, embedder):
    llm = ScriptedLLM(_summary, context_size=2048)
    doc_id = library.resolve_doc("hacker_folklore.pdf").doc_id
    tree = build_tree(library, doc_id, llm, embedder, TreeSettings(**SETTINGS))
    leaves = [n for n in tree.nodes if n.is_leaf]
    assert len(leaves) == library.manifest.documents[doc_id].chunks
    root = tree.nodes[tree.root]
    assert root.leaves == [c.index for c in library.load_chunks(doc_id)]
    assert (root.page_start, root.page_end) == (1, 10)
    assert tree.levels() >= 3
    for node in tree.nodes:
        if node.is_leaf:
            continue
        kids = [tree.nodes[c] for c in node.children]
        assert all(k.level == node.level - 1 for k in kids)
        assert node.leaves == [leaf for k in kids for leaf in k.leaves]  # contiguous, in order
        assert node.tokens <= 40 and len(node.vector) == 384
    assert tree.build["calls"] == len(tree.nodes) - len(leaves)
    for call, limit in zip(llm.calls, llm.max_tokens, strict=True):
        assert llm.prompt_tokens(call) + limit <= 2048


def test_tree_is_built_once_then_loaded(library, embedder):
    llm = ScriptedLLM(_summary, context_size=2048)
    ctx = _ctx(library, llm, embedder)
    first = TreeOfSummaries().answer("What company did Mel work for?", ctx)
    build_calls = len(llm.calls) - 1
    assert build_calls > 5
    second = TreeOfSummaries().answer("Which computer did Mel program?", ctx)
    assert len(llm.calls) == build_calls + 2  # only the answering call
    assert first.usage.calls == second.usage.calls == 1
    assert first.citations[0].page_start == 8
    levels = {n.level for n in first.trace.nodes}
    assert 0 in levels  # leaves are retrievable next to summaries (collapsed tree)


def test_tree_reads_tree_tokens_not_rag_tokens(library, embedder):
    llm = ScriptedLLM(_summary, context_size=2048)
    question = "What company did Mel work for?"

    def read(**options) -> int:
        answer = TreeOfSummaries().answer(question, _ctx(library, llm, embedder, **options))
        assert answer.trace.nodes
        return sum(llm.count_tokens(n.text) for n in answer.trace.nodes)

    small = read(tree_tokens=200, rag_tokens=1200)
    large = read(tree_tokens=1200, rag_tokens=200)
    assert small <= 200 < large <= 1200


def test_interrupted_build_resumes_and_is_never_served_half(library, embedder):
    doc_id = library.resolve_doc("hacker_folklore.pdf").doc_id
    calls = {"n": 0}

    def dies_after_three(messages):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return _summary(messages)

    settings = TreeSettings(**SETTINGS)
    with pytest.raises(KeyboardInterrupt):
        build_tree(library, doc_id, ScriptedLLM(dies_after_three, 2048), embedder, settings)
    final, partial = library.trees.paths(doc_id, "scripted-model")
    assert partial.exists() and not final.exists()
    assert library.trees.load_complete(doc_id, "scripted-model", settings.key()) is None
    llm = ScriptedLLM(_summary, context_size=2048)
    tree = build_tree(library, doc_id, llm, embedder, settings)
    fresh = build_tree(Library(library.root), doc_id, llm, embedder, settings)  # loaded
    assert tree.complete and final.exists() and not partial.exists()
    assert len(llm.calls) == tree.build["calls"] - 3  # the three finished summaries were kept
    assert [n.text for n in fresh.nodes] == [n.text for n in tree.nodes]


def test_navigation_descends_by_the_models_choice(library, embedder):
    llm = ScriptedLLM(_summary, context_size=2048)
    answer = TreeOfSummaries().answer("What company did Mel work for?",
                                      _ctx(library, llm, embedder, tree_mode="navigate"))
    path = answer.trace.path
    assert path and all(step.choice == 2 and not step.fallback for step in path)
    assert answer.usage.calls == len(path) + 1


def test_tree_removed_with_its_document(library, embedder, tmp_path):
    from longdoc.indexers.ingest import ingest

    llm = ScriptedLLM(_summary, context_size=2048)
    doc_id = library.resolve_doc("hacker_writing_style.txt").doc_id
    build_tree(library, doc_id, llm, embedder, TreeSettings(**SETTINGS))
    assert (library.trees.root / doc_id).exists()
    source = library.manifest.documents[doc_id].sources[0]
    from pathlib import Path

    Path(source).write_text("Replaced content about something else entirely.")
    ingest(Library(library.root), [Path(source).parent], embedder)
    assert not (library.trees.root / doc_id).exists()


def _textless_library(tmp_path) -> tuple[Library, str]:
    """A library holding a document with no text (ingest refuses these; the pipelines must
    still fail cleanly if one gets there)."""
    from longdoc.indexers.manifest import DocRecord, Manifest
    from longdoc.indexers.types import Document

    lib = Library(tmp_path / "textless")
    manifest = Manifest("all-MiniLM-L6-v2", 200, 40)
    manifest.documents["e" * 64] = DocRecord("e" * 64, "Empty", "txt", 1, 0, 0, 0, "now")
    manifest.save(lib.manifest_path)
    lib.write_document(Document("e" * 64, "Empty", [""]), [])
    return Library(lib.root), "e" * 64


@pytest.mark.parametrize("name", ["tree", "coa"])
def test_document_without_text_is_a_clear_error(tmp_path, embedder, name):
    from longdoc.core.errors import LongdocError
    from longdoc.pipelines.registry import get_pipeline

    lib, doc_id = _textless_library(tmp_path)
    ctx = AskContext(lib, ScriptedLLM(_summary, 2048), [doc_id], embedder=embedder)
    with pytest.raises(LongdocError, match="no text"):
        get_pipeline(name).answer("Anything?", ctx)
