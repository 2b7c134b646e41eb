"""full and rag pipeline logic with a scripted LLM over the real sample library."""

from __future__ import annotations

import pytest

from longdoc.core.errors import LongdocError
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.full import FOCUS_HEADER
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import CLOSED_BOOK_SYSTEM
from longdoc.pipelines.rag import Rag, in_reading_order, merge_in_document_order
from longdoc.pipelines.registry import get_pipeline, parse_pipelines
from longdoc.pipelines.retrieval import reciprocal_rank_fusion

from fakes import ScriptedLLM

MEL = "Mel worked for Royal McBee Computer Corp., a subsidiary of the typewriter company."


def _pdf_id(lib) -> str:
    return lib.resolve_doc("hacker_folklore.pdf").doc_id


def _ctx(lib, llm, doc_ids=None, **kw) -> AskContext:
    return AskContext(lib, llm, doc_ids or [_pdf_id(lib)], **kw)


def test_full_puts_the_whole_document_before_the_question(sample_library, embedder):
    llm = ScriptedLLM(MEL, context_size=16000)
    answer = get_pipeline("full").answer("Who employed Mel?", _ctx(sample_library, llm))
    prompt = llm.calls[0][-1]["content"]
    assert prompt.index("[Page 1]") < prompt.index("[Page 10]") < prompt.index("Who employed")
    assert "Royal McBee" in prompt
    assert answer.kept_fraction == 1.0
    assert answer.citations and answer.citations[0].page_start == 8
    assert "Royal McBee" in answer.citations[0].quote
    assert answer.usage.calls == 1 and answer.usage.prompt_tokens > 5000


def test_full_truncates_the_middle_and_says_how_much(sample_library):
    llm = ScriptedLLM("I cannot tell.", context_size=1500)
    answer = get_pipeline("full").answer("Who employed Mel?", _ctx(sample_library, llm))
    prompt = llm.calls[0][-1]["content"]
    assert "middle of the document omitted" in prompt
    assert prompt.startswith('<document title="Hacker Folklore')
    assert "[Page 1]" in prompt and "http://ed-thelen.org" in prompt  # head and tail kept
    assert 0.1 < answer.kept_fraction < 0.5
    assert llm.prompt_tokens(llm.calls[0]) + llm.max_tokens[0] <= 1500


def test_full_focus_repeats_the_related_passages_before_the_question(sample_library, embedder):
    llm = ScriptedLLM(MEL, context_size=16000)
    asked = "What company did Mel work for?"
    plain = get_pipeline("full").answer(asked, _ctx(sample_library, llm, embedder=embedder))
    focused = get_pipeline("full").answer(asked, _ctx(
        sample_library, llm, embedder=embedder, options=PipelineOptions(full_focus_tokens=600)))
    without, with_focus = (call[-1]["content"] for call in llm.calls)
    assert FOCUS_HEADER not in without
    document, focus = with_focus.split(FOCUS_HEADER)
    assert document.rstrip().endswith("</document>") and document.strip() in without
    passages = focus.split("\nQuestion:")[0]
    assert "Royal McBee" in passages and passages.startswith("[Hacker Folklore")
    assert llm.count_tokens(passages) <= 600 + 16 * passages.count("[Hacker Folklore")
    assert plain.kept_fraction == focused.kept_fraction == 1.0


def test_full_focus_keeps_the_document_prefix_whatever_the_question(sample_library, embedder):
    """Room for the passages is taken from the document before the question is known."""
    llm = ScriptedLLM("no idea", context_size=1500)
    ctx = _ctx(sample_library, llm, embedder=embedder,
               options=PipelineOptions(full_focus_tokens=200))
    shorter = get_pipeline("full").answer("Who employed Mel?", ctx)
    get_pipeline("full").answer("What did the programmers of the LGP-30 do?", ctx)
    (first_doc, first_focus), (second_doc, second_focus) = (
        call[-1]["content"].split(FOCUS_HEADER) for call in llm.calls)
    assert first_doc == second_doc and first_focus != second_focus
    assert 0.1 < shorter.kept_fraction < 0.5  # the window (checked by the fake) still holds


def test_full_refuses_a_context_smaller_than_the_prompt(sample_library):
    llm = ScriptedLLM(context_size=200)
    with pytest.raises(LongdocError, match="too small"):
        get_pipeline("full").answer("Who employed Mel?", _ctx(sample_library, llm))


def test_empty_question_is_refused(sample_library):
    with pytest.raises(LongdocError, match="empty"):
        get_pipeline("rag").answer("   ", _ctx(sample_library, ScriptedLLM()))


def test_reciprocal_rank_fusion_worked_example():
    fused = reciprocal_rank_fusion([("a", 0), ("b", 0)], [("b", 0), ("c", 0)], k=60)
    scores = dict(fused)
    assert fused[0][0] == ("b", 0)  # in both lists
    assert scores[("b", 0)] == pytest.approx(1 / 62 + 1 / 61)
    assert scores[("a", 0)] == pytest.approx(1 / 61)
    assert scores[("c", 0)] == pytest.approx(1 / 62)


def test_rag_fills_its_budget_in_document_order(sample_library, embedder):
    llm = ScriptedLLM(MEL, context_size=8000)
    ctx = _ctx(sample_library, llm, embedder=embedder, options=PipelineOptions(rag_tokens=600))
    answer = Rag().answer("What company did Mel work for?", ctx)
    chosen = answer.trace.chunks
    assert chosen, "rag chose no chunk"
    used = sum(llm.count_tokens(c.text) + 16 for c in ctx.all_chunks()
               if (c.doc_id, c.index) in {(x.doc_id, x.chunk) for x in chosen})
    assert used <= 600
    prompt = llm.calls[0][-1]["content"]
    headers = [line for line in prompt.splitlines() if line.startswith("[Hacker Folklore")]
    pages = [int(h.split("p. ")[1].split("-")[0].rstrip("]")) for h in headers]
    assert pages == sorted(pages) and len(headers) == answer.trace.passages
    assert "Royal McBee" in prompt
    assert answer.citations[0].page_start == 8
    assert any(x.dense for x in chosen) and any(x.bm25 for x in chosen)


def test_rag_searches_only_the_selected_documents(sample_library, embedder):
    md = sample_library.resolve_doc("hacker_slang_and_culture.md").doc_id
    llm = ScriptedLLM("slang", context_size=8000)
    answer = Rag().answer("What company did Mel work for?",
                          _ctx(sample_library, llm, [md], embedder=embedder))
    assert {c.doc_id for c in answer.trace.chunks} == {md}


def test_overlapping_chunks_merge_into_one_passage(sample_library):
    doc_id = _pdf_id(sample_library)
    chunks = sample_library.load_chunks(doc_id)
    text = sample_library.load_document(doc_id).text
    passages = merge_in_document_order([chunks[5], chunks[2], chunks[1]], {doc_id: text},
                                       {doc_id: "T"})
    assert len(passages) == 2
    assert passages[0].text == text[chunks[1].char_start:chunks[2].char_end]
    assert passages[1].text == chunks[5].text


def test_relevance_order_reads_the_best_passage_last(sample_library):
    doc_id = _pdf_id(sample_library)
    chunks = sample_library.load_chunks(doc_id)
    text = sample_library.load_document(doc_id).text
    ranked = [chunks[5], chunks[1], chunks[8], chunks[2]]  # best first; 1 and 2 merge
    passages = merge_in_document_order(ranked, {doc_id: text}, {doc_id: "T"})
    assert in_reading_order(passages, ranked, "document") == passages
    read = in_reading_order(passages, ranked, "relevance")
    assert [p.chunks[0].index for p in read] == [8, 1, 5]  # [1, 2] ranks as chunk 1, second


def test_rag_order_changes_only_the_order_of_the_prompt(sample_library, embedder):
    def read(order: str) -> tuple[list[str], str, str]:
        llm = ScriptedLLM(MEL, context_size=8000)
        options = PipelineOptions(rag_tokens=900, rag_order=order)
        answer = Rag().answer("What company did Mel work for?",
                              _ctx(sample_library, llm, embedder=embedder, options=options))
        prompt = llm.calls[0][-1]["content"]
        headers = [line for line in prompt.splitlines() if line.startswith("[Hacker Folklore")]
        last = prompt[prompt.rindex("[Hacker Folklore"):]
        return headers, last, answer.trace.chunks[0].text[:60]

    in_document, _, best = read("document")
    by_relevance, last_passage, _ = read("relevance")
    assert len(in_document) > 2
    assert sorted(in_document) == sorted(by_relevance) and in_document != by_relevance
    assert best in last_passage  # the best-ranked chunk is read last
    with pytest.raises(LongdocError, match="--rag-order must be one of document, relevance"):
        PipelineOptions(rag_order="random").validate()


def test_rag_lead_reads_the_documents_opening_within_the_same_budget(sample_library, embedder):
    def read(lead: int) -> tuple[str, list[int]]:
        llm = ScriptedLLM(MEL, context_size=8000)
        options = PipelineOptions(rag_tokens=600, rag_lead_tokens=lead)
        answer = Rag().answer("What company did Mel work for?",
                              _ctx(sample_library, llm, embedder=embedder, options=options))
        return llm.calls[0][-1]["content"], [c.chunk for c in answer.trace.chunks]

    opening = sample_library.load_chunks(_pdf_id(sample_library))[0].text[:80]
    without, ranked = read(0)
    with_lead, led = read(256)
    assert 0 not in ranked and opening not in without  # retrieval alone skips the opening
    assert led[0] == 0 and opening in with_lead
    assert with_lead.index(opening) < with_lead.index("Royal McBee")  # read in document order
    assert ranked[0] in led and not set(ranked) <= set(led)  # the same budget: one displaced
    with pytest.raises(LongdocError, match="--rag-lead must be 0 or more"):
        PipelineOptions(rag_lead_tokens=-1).validate()


def test_rag_draft_retrieves_with_a_closed_book_draft_for_free_text_only(sample_library,
                                                                           embedder):
    def read(draft: bool, choices: list[str] | None = None) -> tuple[ScriptedLLM, str]:
        llm = ScriptedLLM(MEL, context_size=8000)
        options = PipelineOptions(rag_tokens=200, rag_draft=draft)
        answer = Rag().answer("Who was the programmer?",
                              _ctx(sample_library, llm, embedder=embedder, options=options),
                              choices)
        assert answer.usage.calls == len(llm.calls)
        return llm, llm.calls[-1][-1]["content"]

    plain_llm, plain = read(False)
    drafted_llm, drafted = read(True)
    assert len(plain_llm.calls) == 1 and "Royal McBee" not in plain
    assert len(drafted_llm.calls) == 2 and "Royal McBee" in drafted  # found by the draft's words
    draft = drafted_llm.calls[0]
    assert draft[0]["content"] == CLOSED_BOOK_SYSTEM  # written without the document
    assert "Hacker Folklore" not in draft[-1]["content"]
    choice_llm, _ = read(True, ["Royal McBee", "IBM"])
    assert choice_llm.calls and all(m[0]["content"] != CLOSED_BOOK_SYSTEM
                                    for m in choice_llm.calls)  # multiple choice: no draft


def test_pipeline_names():
    assert parse_pipelines("full, rag,full") == ["full", "rag"]
    with pytest.raises(LongdocError, match="unknown pipeline 'magic'"):
        parse_pipelines("full,magic")


def test_full_keeps_the_same_text_whatever_the_question(sample_library):
    """The reusable prefix (the kept document) must not depend on the question's length."""
    llm = ScriptedLLM("no idea", context_size=1500)
    ctx = _ctx(sample_library, llm)
    get_pipeline("full").answer("Who?", ctx)
    get_pipeline("full").answer("Which company employed Mel, the real programmer, and what "
                                "machines did he write code for in that job?", ctx)
    first, second = (call[-1]["content"].split("\nQuestion:")[0] for call in llm.calls)
    assert first == second


def test_choices_are_scored_not_generated(sample_library):
    llm = ScriptedLLM(MEL, context_size=16000)
    choices = ["IBM", "Royal McBee Computer Corp.", "Bell Labs"]
    answer = get_pipeline("full").answer("Who employed Mel?", _ctx(sample_library, llm), choices)
    assert answer.text == "B. Royal McBee Computer Corp."
    # scored, never generated: the options' texts once, then one letter per permutation
    assert answer.usage.completion_tokens == 0 and llm.max_tokens == [0, 1, 1, 1]


def test_rag_retrieves_for_each_option_when_asked(sample_library, embedder):
    llm = ScriptedLLM(MEL, context_size=8000)
    choices = ["IBM", "Royal McBee Computer Corp.", "Bell Labs"]
    plain = Rag().answer("Who employed Mel?", _ctx(sample_library, llm, embedder=embedder),
                         choices)
    wide = Rag().answer("Who employed Mel?", _ctx(
        sample_library, llm, embedder=embedder,
        options=PipelineOptions(retrieve_per_option=True)), choices)
    assert plain.choice.mode == wide.choice.mode == PipelineOptions().mc_mode
    plain_chunks = {(c.doc_id, c.chunk) for c in plain.trace.chunks}
    wide_chunks = {(c.doc_id, c.chunk) for c in wide.trace.chunks}
    assert wide_chunks != plain_chunks  # the options' own passages joined the ranking


def test_scoring_calls_share_what_was_read_and_save_only_the_document(sample_library, embedder):
    """Every scoring call of a multiple-choice question reuses its reading; only `full`'s
    document is worth a state file, not the passages `rag` retrieved for this question."""
    choices = ["IBM", "Royal McBee", "Bell Labs"]
    for name, saved in (("full", True), ("rag", False)):
        llm = ScriptedLLM("Royal McBee")
        ctx = _ctx(sample_library, llm, embedder=embedder,
                   options=PipelineOptions(full_focus_tokens=0))
        get_pipeline(name).answer("Who employed Mel?", ctx, choices=choices)
        prefixes = {prefix for prefix, _ in llm.scoring_prefixes}
        assert len(llm.scoring_prefixes) == 1 + len(choices)  # likelihood, each permutation
        assert len(prefixes) == 1 and prefixes.pop() in llm.calls[0][-1]["content"]
        assert {save for _, save in llm.scoring_prefixes} == {saved}
