"""--question-first: rag, tree, full and coa ask the question before what they read too
(for every question, or with `:mc` for multiple choice only)."""

from __future__ import annotations

import shutil

import pytest

from longdoc.core.errors import LongdocError
from longdoc.indexers.library import Library
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.coa import ChainOfAgents
from longdoc.pipelines.options import PipelineOptions, TreeSettings
from longdoc.pipelines.prompts import SYSTEM, Prompt
from longdoc.pipelines.rag import Rag
from longdoc.pipelines.registry import get_pipeline
from longdoc.pipelines.retrieval import retrieval_room
from longdoc.pipelines.tree import TreeOfSummaries

from fakes import ScriptedLLM

QUESTION = "What company did Mel work for?"
MEL = "Mel worked for Royal McBee Computer Corp."


def _user(prompt: Prompt) -> str:
    return prompt.messages()[-1]["content"]


def test_the_lead_asks_the_question_before_the_context_and_after_it():
    plain = Prompt(SYSTEM, "PASSAGES", QUESTION)
    led = Prompt(SYSTEM, "PASSAGES", QUESTION, lead=QUESTION)
    assert _user(plain).startswith("PASSAGES")
    text = _user(led)
    assert text.index(QUESTION) < text.index("PASSAGES") < text.rindex(QUESTION)
    assert text.count(QUESTION) == 2 and text.endswith(_user(plain))
    # context-aware decoding's baseline reads neither the context nor the lead
    assert _user(led.unread()) == _user(plain.unread())


def test_multiple_choice_reframings_share_everything_up_to_the_end_of_the_context():
    led = Prompt(SYSTEM, "PASSAGES", QUESTION, lead=QUESTION)
    options = ["Royal McBee", "IBM"]
    shared = _user(led).split("PASSAGES")[0]
    for reframed in (led.listing(options), led.verifying("IBM")):
        text = _user(reframed)
        assert text.split("PASSAGES")[0] == shared  # the lead stays the plain question
        assert "IBM" in text.split("PASSAGES")[1]


def test_the_retrieval_room_leaves_space_for_the_question_asked_twice():
    llm = ScriptedLLM(MEL, context_size=600)
    plain = retrieval_room(llm, QUESTION, PipelineOptions(), "text", 10_000)
    led = retrieval_room(llm, QUESTION, PipelineOptions(), "text", 10_000, lead=True)
    assert plain - led == llm.count_tokens(f"Question: {QUESTION}")


def _rag_prompt(sample_library, embedder, choices=None, **options) -> tuple[ScriptedLLM, str]:
    llm = ScriptedLLM(MEL, context_size=8000)
    doc = sample_library.resolve_doc("hacker_folklore.pdf").doc_id
    ctx = AskContext(sample_library, llm, [doc], embedder=embedder,
                     options=PipelineOptions(rag_tokens=300, **options))
    answer = Rag().answer(QUESTION, ctx, choices)
    assert answer.trace.chunks
    return llm, (llm.calls[-1][-1]["content"] if llm.calls else "")


def test_rag_reads_the_same_passages_with_the_question_first(sample_library, embedder):
    _, plain = _rag_prompt(sample_library, embedder, question_first="none")
    _, led = _rag_prompt(sample_library, embedder, question_first="rag")
    _, other = _rag_prompt(sample_library, embedder, question_first="tree,full")
    assert other == plain
    assert plain.startswith("[") and led.startswith(f"Question: {QUESTION}\n\n")
    assert led.removeprefix(f"Question: {QUESTION}\n\n") == plain


def test_rag_multiple_choice_with_the_question_first(sample_library, embedder):
    llm, _ = _rag_prompt(sample_library, embedder, ["Royal McBee", "IBM"],
                         question_first="rag", mc_mode="likelihood")
    (prefix, save), = llm.scoring_prefixes
    assert prefix and prefix.startswith("[") and not save  # the passages: shared, not saved


@pytest.fixture
def library(tmp_path, sample_library) -> Library:
    shutil.copytree(sample_library.root, tmp_path / "lib")
    return Library(tmp_path / "lib")


def _tree_reply(messages):
    if messages[0]["content"].startswith("You write short"):
        return "summary: " + " ".join(messages[-1]["content"].split()[:25])
    if messages[0]["content"].startswith("You find where"):
        return "2"
    return MEL


@pytest.mark.parametrize("mode", ["collapsed", "navigate"])
def test_tree_asks_the_question_first_in_both_modes(library, embedder, mode):
    llm = ScriptedLLM(_tree_reply, context_size=2048)
    ctx = AskContext(library, llm, [library.resolve_doc("hacker_folklore.pdf").doc_id],
                     embedder=embedder,
                     options=PipelineOptions(tree=TreeSettings(600, 40), tree_mode=mode,
                                             tree_tokens=600, question_first="tree"))
    TreeOfSummaries().answer(QUESTION, ctx)
    final = llm.calls[-1][-1]["content"]
    assert final.startswith(f"Question: {QUESTION}\n\n") and final.count(QUESTION) == 2


def test_full_asked_first_reads_the_whole_document_and_keeps_no_state(sample_library):
    doc = sample_library.resolve_doc("hacker_folklore.pdf").doc_id

    def read(question_first: str) -> tuple[ScriptedLLM, str]:
        llm = ScriptedLLM(MEL, context_size=16000)
        options = PipelineOptions(question_first=question_first, full_focus_tokens=0)
        answer = get_pipeline("full").answer(QUESTION, AskContext(sample_library, llm, [doc],
                                                                  options=options))
        assert answer.kept_fraction == 1.0
        return llm, llm.calls[-1][-1]["content"]

    _, plain = read("none")
    _, led = read("full")
    assert led == f"Question: {QUESTION}\n\n{plain}"
    choice_llm = ScriptedLLM(MEL, context_size=16000)
    get_pipeline("full").answer(QUESTION, AskContext(
        sample_library, choice_llm, [doc],
        options=PipelineOptions(question_first="full", mc_mode="likelihood")),
        ["Royal McBee", "IBM"])
    (prefix, save), = choice_llm.scoring_prefixes
    assert prefix.startswith("<document") and not save  # shared by its scoring calls only


def test_full_asked_first_for_multiple_choice_only_keeps_state_for_free_text(sample_library):
    llm = ScriptedLLM(MEL, context_size=16000)
    doc = sample_library.resolve_doc("hacker_folklore.pdf").doc_id
    ctx = AskContext(sample_library, llm, [doc], options=PipelineOptions(
        question_first="full:mc", full_focus_tokens=0, mc_mode="likelihood"))
    full = get_pipeline("full")
    full.answer(QUESTION, ctx)
    free_text = llm.calls[-1][-1]["content"]
    assert not free_text.startswith("Question:") and llm.chat_prefixes[-1]  # state kept
    full.answer(QUESTION, ctx, ["Royal McBee", "IBM"])
    assert llm.calls[-1][-1]["content"] == f"Question: {QUESTION}\n\n{free_text}"
    (_, save), = llm.scoring_prefixes
    assert not save  # read after the question: no state for the next question


def test_tree_and_rag_asked_first_for_multiple_choice_only(library, sample_library, embedder):
    def tree_final(choices) -> str:
        llm = ScriptedLLM(_tree_reply, context_size=2048)
        TreeOfSummaries().answer(QUESTION, AskContext(
            library, llm, [library.resolve_doc("hacker_folklore.pdf").doc_id], embedder=embedder,
            options=PipelineOptions(tree=TreeSettings(600, 40), tree_tokens=600,
                                    question_first="tree:mc", mc_mode="likelihood")), choices)
        return llm.calls[-1][-1]["content"]

    assert not tree_final(None).startswith("Question:")
    assert tree_final(["Royal McBee", "IBM"]).startswith(f"Question: {QUESTION}\n\n")
    _, plain = _rag_prompt(sample_library, embedder, question_first="none")
    _, free_text = _rag_prompt(sample_library, embedder, question_first="rag:mc")
    assert free_text == plain


def _coa_calls(sample_library, question_first: str) -> ScriptedLLM:
    def reply(messages):
        return "Royal McBee." if messages[0]["content"].startswith("You are a manager") else MEL

    llm = ScriptedLLM(reply, context_size=1200)
    doc = sample_library.resolve_doc("hacker_folklore.pdf").doc_id
    answer = ChainOfAgents().answer(QUESTION, AskContext(
        sample_library, llm, [doc], options=PipelineOptions(question_first=question_first)))
    assert answer.trace.segments > 1
    return llm


def test_coa_workers_and_manager_asked_first_read_knowing_the_question(sample_library):
    plain, led = _coa_calls(sample_library, "none"), _coa_calls(sample_library, "coa")
    workers = [c[-1]["content"] for c in led.calls[:-1]]
    assert all(w.startswith(f"Question: {QUESTION}\n\nPart of the document:") for w in workers)
    assert all(p.startswith("Part of the document:") for p in
               (c[-1]["content"] for c in plain.calls[:-1]))
    # a segment read after the question is no prefix for another question
    assert set(led.chat_prefixes) == {None}
    assert all(plain.chat_prefixes[:-1]) and plain.chat_prefixes[-1] is None
    manager = led.calls[-1][-1]["content"]
    assert manager.startswith(f"Question: {QUESTION}\n\nEvidence:")
    # the question asked twice comes out of the segments' room, not past the window
    assert len(led.calls) >= len(plain.calls)


def test_question_first_names_pipelines_and_defaults_by_model():
    assert PipelineOptions(question_first="rag, tree").asks_first("tree")
    assert not PipelineOptions(question_first="none").asks_first("rag")
    choice_only = PipelineOptions(question_first="rag,full:mc").validate()
    assert choice_only.asks_first("rag") and choice_only.asks_first("rag", choices=True)
    assert choice_only.asks_first("full", choices=True) and not choice_only.asks_first("full")
    for wrong in ("auto", "rag,none", "everything", "none:mc", "auto:mc", "full:text"):
        with pytest.raises(LongdocError, match="--question-first takes"):
            PipelineOptions(question_first=wrong).validate()
    assert PipelineOptions().for_model("qwen2.5-coder-0.5b").asks_first("rag")
    assert not PipelineOptions().for_model("/models/mine.gguf").asks_first("rag")
