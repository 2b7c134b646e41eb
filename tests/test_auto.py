"""`auto` on the scripted LLM: rag settles what it can; the rest escalates, and says why."""

from __future__ import annotations

import shutil

import pytest

from longdoc.core.errors import LongdocError
from longdoc.indexers.library import Library
from longdoc.pipelines.auto import Auto, cannot_answer
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.choice import ChoiceTrace
from longdoc.pipelines.options import PipelineOptions, TreeSettings
from longdoc.pipelines.tree_builder import build_tree

from fakes import ScriptedLLM


def _ctx(lib: Library, llm, embedder, options=None) -> AskContext:
    return AskContext(lib, llm, [d.doc_id for d in lib.documents()],
                      options or PipelineOptions(), embedder=embedder)


def _rag_cannot(messages) -> str:
    if "write 'unanswerable'" in messages[-1]["content"]:
        return "unanswerable"
    return "Ada Quill painted it dark green."


def test_answerable_question_is_settled_by_rag_in_one_step(lighthouse_library, embedder):
    llm = ScriptedLLM("Ada Quill painted it dark green.")
    answer = Auto().answer("Who painted the tower?", _ctx(lighthouse_library, llm, embedder))
    assert [s.pipeline for s in answer.trace.steps] == ["rag"]
    assert answer.usage.calls == 1 and answer.trace.summary() == "route rag"
    assert "write 'unanswerable'" in llm.calls[0][-1]["content"]


def test_unanswerable_escalates_to_coa_when_the_document_fits(lighthouse_library, embedder):
    llm = ScriptedLLM(_rag_cannot)
    answer = Auto().answer("Who painted the tower?", _ctx(lighthouse_library, llm, embedder))
    steps = answer.trace.steps
    assert [s.pipeline for s in steps] == ["rag", "coa"]
    assert steps[0].reason == "rag said it cannot answer" and steps[1].reason == "answered"
    assert answer.text == "Ada Quill painted it dark green."
    assert steps[0].answer == "unanswerable"  # kept, so a replay can score other policies
    assert steps[0].margin is None  # free text has no margin
    assert answer.usage.calls >= 2  # rag, then coa's workers and manager
    assert answer.usage.prompt_tokens == sum(s.prompt_tokens for s in steps)
    assert "route rag → coa (rag: rag said it cannot answer)" == answer.trace.summary()


def test_the_fallback_for_documents_that_fit_is_an_option(lighthouse_library, embedder):
    llm = ScriptedLLM(_rag_cannot)
    to_full = PipelineOptions(auto_fallback="full")
    answer = Auto().answer("Who painted the tower?",
                           _ctx(lighthouse_library, llm, embedder, to_full))
    assert [s.pipeline for s in answer.trace.steps] == ["rag", "full"]
    assert answer.usage.calls == 2
    with pytest.raises(LongdocError, match="--auto-fallback"):
        PipelineOptions(auto_fallback="tree").validate()


def test_close_options_escalate(lighthouse_library, embedder):
    llm = ScriptedLLM("dark green white")  # the two options score alike per token
    by_likelihood = PipelineOptions(mc_mode="likelihood")
    answer = Auto().answer("Which colour?", _ctx(lighthouse_library, llm, embedder,
                                                 by_likelihood), ["dark green", "white"])
    assert [s.pipeline for s in answer.trace.steps] == ["rag", "coa"]
    close = answer.trace.steps[0]
    assert close.reason == f"options too close (margin {close.margin:.2f} < 0.15)"
    assert 0.0 <= close.margin < 0.15
    decided = ScriptedLLM("dark green")
    answer = Auto().answer("Which colour?", _ctx(lighthouse_library, decided, embedder,
                                                 by_likelihood), ["dark green", "white"])
    assert [s.pipeline for s in answer.trace.steps] == ["rag"]
    assert answer.trace.steps[0].margin >= 0.15
    assert answer.text == "A. dark green"


@pytest.fixture
def library(tmp_path, sample_library) -> Library:
    shutil.copytree(sample_library.root, tmp_path / "lib")
    return Library(tmp_path / "lib")


def test_documents_over_the_window_go_to_coa_or_a_built_tree(library, embedder):
    pdf = library.resolve_doc("hacker_folklore.pdf").doc_id
    llm = ScriptedLLM(_rag_cannot, context_size=1500)  # the PDF is several windows long
    options = PipelineOptions(tree=TreeSettings(group_tokens=600, summary_tokens=40))
    ctx = AskContext(library, llm, [pdf], options, embedder=embedder)
    answer = Auto().answer("Who employed Mel?", ctx)
    assert [s.pipeline for s in answer.trace.steps] == ["rag", "coa"]
    build_tree(library, pdf, llm, embedder, options.tree)
    answer = Auto().answer("Who employed Mel?", ctx)
    assert [s.pipeline for s in answer.trace.steps] == ["rag", "tree"]


def test_cannot_answer_and_margin():
    assert cannot_answer("Unanswerable.") and cannot_answer("The text does not mention it.")
    assert not cannot_answer("Royal McBee, not IBM.")
    assert ChoiceTrace("pmi", {}, {"pmi": [0.0, 0.0, -50.0]}).margin() < 0.01
    assert ChoiceTrace("pmi", {}, {"pmi": [5.0, 0.0]}).margin() > 0.98
