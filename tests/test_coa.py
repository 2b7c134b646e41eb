"""Chain-of-Agents logic with a scripted LLM: segment sizes, note passing, manager input."""

from __future__ import annotations

import re

from longdoc.indexers.types import Document
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.coa import ChainOfAgents
from longdoc.pipelines.segments import split_segments

from fakes import ScriptedLLM


def _worker_reply(messages):
    """Notes name the worker's part, so the test can follow them from worker to worker."""
    user = messages[-1]["content"]
    if messages[0]["content"].startswith("You are a manager"):
        return "The answer, from the notes."
    pages = re.findall(r"\[Page (\d+)\]", user.split("Notes from the previous workers")[0])
    return f"notes after pages {','.join(pages) or 'none'}"


def _pdf_ctx(lib, llm, **kw):
    return AskContext(lib, llm, [lib.resolve_doc("hacker_folklore.pdf").doc_id], **kw)


def test_segments_fit_the_budget_and_keep_order(sample_library):
    llm = ScriptedLLM(_worker_reply, context_size=1200)
    answer = ChainOfAgents().answer("Who employed Mel?", _pdf_ctx(sample_library, llm))
    workers = answer.trace["workers"]
    assert len(workers) == answer.trace["segments"] >= 5
    for call, limit in zip(llm.calls, llm.max_tokens, strict=True):
        assert llm.prompt_tokens(call) + limit <= 1200  # every prompt fits with its answer
    assert all(w["segment_tokens"] <= answer.trace["segment_budget"] for w in workers)
    # segments in document order: page ranges never go back
    starts = [int(re.search(r"p+\. (\d+)", w["source"]).group(1)) for w in workers]
    assert starts == sorted(starts) and starts[0] == 1
    # worker i receives worker i-1's notes
    for i in range(1, len(workers)):
        assert workers[i - 1]["notes"] in llm.calls[i][-1]["content"]
    # the manager sees only the final notes and the question, not the document
    manager = llm.calls[-1][-1]["content"]
    assert workers[-1]["notes"] in manager and "Who employed Mel?" in manager
    assert "[Page" not in manager
    assert answer.usage.calls == len(workers) + 1
    assert answer.text == "The answer, from the notes."


def test_short_document_is_one_worker_and_a_manager(lighthouse_library):
    llm = ScriptedLLM(_worker_reply, context_size=4096)
    ctx = AskContext(lighthouse_library, llm, [d.doc_id for d in lighthouse_library.documents()])
    answer = ChainOfAgents().answer("Who was the first keeper?", ctx)
    assert answer.trace["segments"] == 1 and answer.usage.calls == 2


def test_empty_notes_keep_the_earlier_ones(sample_library):
    replies = iter(["Mel worked at Royal McBee (p. 8)."] + [""] * 50)

    def reply(messages):
        if messages[0]["content"].startswith("You are a manager"):
            return "Royal McBee."
        return next(replies)

    llm = ScriptedLLM(reply, context_size=1200)
    answer = ChainOfAgents().answer("Who employed Mel?", _pdf_ctx(sample_library, llm))
    workers = answer.trace["workers"]
    assert all(w["notes"] == "Mel worked at Royal McBee (p. 8)." for w in workers)
    assert all(w["kept_previous_notes"] for w in workers[1:])
    assert "Royal McBee (p. 8)" in llm.calls[-1][-1]["content"]
    assert answer.citations and answer.citations[0].page_start == 8


def test_notes_that_ignore_the_format_are_cut_to_size(sample_library):
    rambling = " ".join(["blah"] * 5000)
    llm = ScriptedLLM(lambda m: rambling, context_size=1500)
    answer = ChainOfAgents().answer("Who employed Mel?", _pdf_ctx(sample_library, llm,
                                                                   options={"notes_tokens": 200}))
    assert all(len(w["notes"].split()) <= 200 for w in answer.trace["workers"])
    for call, limit in zip(llm.calls, llm.max_tokens, strict=True):
        assert llm.prompt_tokens(call) + limit <= 1500


def test_split_segments_cuts_long_paragraphs_and_tags_pages():
    llm = ScriptedLLM()
    doc = Document("d", "Doc", [" ".join(f"a{i}" for i in range(250)), "short page"])
    segments = split_segments([doc], llm, max_tokens=100)
    assert all(s.tokens <= 100 and llm.count_tokens(s.text) <= 100 for s in segments)
    words = " ".join(s.text for s in segments).split()
    assert [w for w in words if w.startswith("a")] == [f"a{i}" for i in range(250)]
    assert segments[0].text.startswith("[Page 1]")
    assert segments[-1].page_end == 2 and "short page" in segments[-1].text
