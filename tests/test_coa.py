"""Chain-of-Agents logic with a scripted LLM: segment sizes, note passing, manager input."""

from __future__ import annotations

import re

from longdoc.indexers.types import Document
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.coa import ChainOfAgents, pass_notes
from longdoc.pipelines.coa_notes import drop_least_related, grounded_notes
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.segments import split_segments

from fakes import ScriptedLLM


def _segment_of(messages) -> str:
    user = messages[-1]["content"]
    return user.split("Part of the document:\n", 1)[1].split("\n\nEvidence found")[0]


def _worker_reply(messages):
    """Workers copy the first real sentence of their part (the manager answers)."""
    if messages[0]["content"].startswith("You are a manager"):
        return "The answer, from the notes."
    for sentence in re.split(r"(?<=[.!?])\s+", _segment_of(messages)):
        sentence = re.sub(r"\[Page \d+\]", "", sentence).strip()
        if len(sentence.split()) > 6:
            return sentence
    return "NONE"


def _pdf_ctx(lib, llm, **kw):
    return AskContext(lib, llm, [lib.resolve_doc("hacker_folklore.pdf").doc_id], **kw)


def test_segments_fit_the_budget_and_keep_order(sample_library):
    llm = ScriptedLLM(_worker_reply, context_size=1200)
    answer = ChainOfAgents().answer("Who employed Mel?", _pdf_ctx(sample_library, llm))
    workers = answer.trace.workers
    assert len(workers) == answer.trace.segments >= 5
    for call, limit in zip(llm.calls, llm.max_tokens, strict=True):
        assert llm.prompt_tokens(call) + limit <= 1200  # every prompt fits with its answer
    assert all(w.segment_tokens <= answer.trace.segment_budget for w in workers)
    # segments in document order: page ranges never go back
    starts = [int(re.search(r"p+\. (\d+)", w.source).group(1)) for w in workers]
    assert starts == sorted(starts) and starts[0] == 1
    # worker i receives worker i-1's notes, which hold verbatim sentences with their pages
    assert all(w.found for w in workers if w.reply != "NONE")
    for i in range(1, len(workers)):
        assert workers[i - 1].notes in llm.calls[i][-1]["content"]
    assert re.search(r"\(p\. \d+\)", workers[0].notes)
    # the manager sees only the final notes and the question, not the document
    manager = llm.calls[-1][-1]["content"]
    assert workers[-1].notes in manager and "Who employed Mel?" in manager
    assert "[Page" not in manager
    assert answer.usage.calls == len(workers) + 1
    assert answer.text == "The answer, from the notes."


def test_the_manager_is_asked_in_the_answer_style():
    from longdoc.pipelines.coa import manager_prompt
    from longdoc.pipelines.prompts import DETAILED_INSTRUCTION

    asked = manager_prompt("Mel worked for Royal McBee. (p. 8)", "Who employed Mel?", "detailed")
    assert asked.instruction == DETAILED_INSTRUCTION.replace("text above", "evidence")
    assert "two to four sentences" in asked.messages()[-1]["content"]
    quoting = manager_prompt("Mel worked for Royal McBee. (p. 8)", "Who employed Mel?", "quote")
    assert "in the words of the evidence" in quoting.messages()[-1]["content"]


def test_short_document_is_one_worker_and_a_manager(lighthouse_library):
    llm = ScriptedLLM(_worker_reply, context_size=4096)
    ctx = AskContext(lighthouse_library, llm, [d.doc_id for d in lighthouse_library.documents()])
    answer = ChainOfAgents().answer("Who was the first keeper?", ctx)
    assert answer.trace.segments == 1 and answer.usage.calls == 2


def test_workers_read_the_options_only_with_coa_options(lighthouse_library):
    choices = ["Abbie Burgess", "Ida Lewis", "Kate Walker"]

    def workers_asked(options: PipelineOptions) -> list[str]:
        llm = ScriptedLLM(_worker_reply, context_size=4096)
        ctx = AskContext(lighthouse_library, llm,
                         [d.doc_id for d in lighthouse_library.documents()], options=options)
        answer = ChainOfAgents().answer("Who was the first keeper?", ctx, choices)
        assert answer.choice is not None  # the manager scores the options either way
        return [c[-1]["content"] for c in llm.calls if c[0]["content"].startswith("You are one")]

    plain = workers_asked(PipelineOptions())
    assert plain and not any("Ida Lewis" in prompt for prompt in plain)
    with_options = workers_asked(PipelineOptions(coa_options=True))
    assert with_options and all("Options:\nA. Abbie Burgess\nB. Ida Lewis\nC. Kate Walker"
                                in prompt for prompt in with_options)


def test_coa_sentences_sets_how_much_each_worker_copies(sample_library):
    def first_worker(options: PipelineOptions) -> tuple[str, int, int]:
        llm = ScriptedLLM(lambda m: "Mel worked for Royal McBee. He wrote code. He left.",
                          context_size=4096)
        answer = ChainOfAgents().answer("Who employed Mel?",
                                        _pdf_ctx(sample_library, llm, options=options))
        return llm.calls[0][-1]["content"], llm.max_tokens[0], answer.trace.segment_budget

    prompt, reply_tokens, budget = first_worker(PipelineOptions())
    assert "Copy the one or two sentences of this part" in prompt and reply_tokens == 128
    prompt, reply_tokens, smaller_budget = first_worker(PipelineOptions(coa_sentences=3))
    assert "Copy the sentences (at most 3) of this part" in prompt and reply_tokens == 192
    assert smaller_budget < budget  # the longer reply comes out of the segment's room
    _, reply_tokens, _ = first_worker(PipelineOptions(coa_sentences=10))
    assert reply_tokens == 256  # never more than the notes passed on


def test_empty_notes_keep_the_earlier_ones(sample_library):
    def reply(messages):
        if messages[0]["content"].startswith("You are a manager"):
            return "Royal McBee."
        segment = " ".join(_segment_of(messages).split())
        if "went to work for Royal McBee" in segment and "Royal McBee" not in \
                messages[-1]["content"].split("Evidence found")[1]:
            return "I first met Mel when I went to work for Royal McBee Computer Corp."
        return ""

    llm = ScriptedLLM(reply, context_size=1200)
    answer = ChainOfAgents().answer("Who employed Mel?", _pdf_ctx(sample_library, llm))
    workers = answer.trace.workers
    finder = next(i for i, w in enumerate(workers) if w.found)
    note = workers[finder].notes
    assert "Royal McBee Computer Corp." in note and note.endswith("(p. 8)")
    assert all(w.notes == note for w in workers[finder:])  # empty replies keep them
    assert note in llm.calls[-1][-1]["content"]
    assert answer.citations and answer.citations[0].page_start == 8


def test_replies_that_ignore_the_format_are_dropped_or_cut(sample_library):
    rambling = ScriptedLLM(lambda m: " ".join(["blah"] * 5000), context_size=1500)
    answer = ChainOfAgents().answer("Who employed Mel?", _pdf_ctx(sample_library, rambling))
    assert all(w.notes == "" for w in answer.trace.workers)  # nothing backs "blah"
    copier = ScriptedLLM(lambda m: "Answer." if m[0]["content"].startswith("You are a manager")
                         else _segment_of(m), context_size=1500)  # copies everything
    answer = ChainOfAgents().answer("Who employed Mel?", _pdf_ctx(
        sample_library, copier, options=PipelineOptions(notes_tokens=200)))
    assert all(0 < len(w.notes.split()) <= 200 for w in answer.trace.workers)
    assert any(w.notes_trimmed for w in answer.trace.workers)
    for llm in (rambling, copier):
        for call, limit in zip(llm.calls, llm.max_tokens, strict=True):
            assert llm.prompt_tokens(call) + limit <= 1500


def test_grounding_keeps_verbatim_sentences_and_drops_inventions():
    segment = ("[Page 4]\nThe notation is mildly confusing. Despite this, it was favored 3:1 "
               "over ** in a late-1990 snapshot of Usenet.\n\n[Page 5]\nOther text here.")
    question = "By what ratio was the caret favored over ** in a late-1990 snapshot of Usenet?"
    kept = grounded_notes("The caret was favored 3:1 over **.", segment, question, 4)
    assert kept == ["Despite this, it was favored 3:1 over ** in a late-1990 snapshot of "
                    "Usenet. (p. 4)"]
    assert grounded_notes("The caret was favored in a late-1990 snapshot of Usenet.",
                          segment, question, 4) == []  # the question echoed
    assert grounded_notes("It was favored 1.5:7 by programmers worldwide.", segment,
                          question, 4) == []  # invented


def test_split_segments_cuts_long_paragraphs_and_tags_pages():
    llm = ScriptedLLM()
    doc = Document("d", "Doc", [" ".join(f"a{i}" for i in range(250)), "short page"])
    segments = split_segments([doc], llm, max_tokens=100)
    assert all(s.tokens <= 100 and llm.count_tokens(s.text) <= 100 for s in segments)
    words = " ".join(s.text for s in segments).split()
    assert [w for w in words if w.startswith("a")] == [f"a{i}" for i in range(250)]
    assert segments[0].text.startswith("[Page 1]")
    assert segments[-1].page_end == 2 and "short page" in segments[-1].text


def test_related_notes_drop_the_least_related_first_and_keep_their_order():
    lines = ["The harbour froze in 1902 (p. 1)", "Gulls nested on the pier (p. 2)",
             "The keeper lit the lamp at dusk (p. 3)", "Fog rolled in at dusk (p. 4)"]
    two_fit = lambda kept: len(kept) <= 2  # noqa: E731
    kept = drop_least_related(lines, "When did the keeper light the lamp?", two_fit)
    assert kept == [lines[2], lines[3]]  # keeper and lamp; of the unrelated, the oldest go
    assert drop_least_related(lines, "When did the harbour freeze?", two_fit) == [
        lines[0], lines[3]]  # order kept; among unrelated notes the newest stays
    assert drop_least_related(lines, "anything", lambda kept: True) == lines


def test_pass_notes_keeps_the_recent_or_the_related_notes():
    llm = ScriptedLLM()
    notes = "The lamp was lit by the keeper at dusk (p. 1)\nGulls nested on the old pier (p. 2)"
    new = "Fog rolled over the bay that night (p. 3)"
    recent, trimmed = pass_notes(llm, notes, new, 20)
    assert trimmed and recent.endswith(new) and "keeper" not in recent
    related, trimmed = pass_notes(llm, notes, new, 20, "Who lit the lamp?", keep="related")
    assert trimmed and related == f"{notes.splitlines()[0]}\n{new}"
    assert pass_notes(llm, notes, new, 100, "Who lit the lamp?", keep="related") == (
        f"{notes}\n{new}", False)
    lone, trimmed = pass_notes(llm, "", " ".join(["word"] * 30), 10, "Who?", keep="related")
    assert trimmed and len(lone.split()) == 10  # one note past the room is cut as before


def test_coa_keep_related_holds_an_early_finding_past_later_copies(sample_library):
    def reply(messages):
        if messages[0]["content"].startswith("You are a manager"):
            return "Royal McBee."
        segment = " ".join(_segment_of(messages).split())
        if "went to work for Royal McBee" in segment:
            return "I first met Mel when I went to work for Royal McBee Computer Corp."
        return _worker_reply(messages)

    def manager_notes(keep: str) -> str:
        llm = ScriptedLLM(reply, context_size=1200)
        options = PipelineOptions(notes_tokens=40, coa_keep=keep)
        answer = ChainOfAgents().answer("Where did Royal McBee employ Mel?",
                                        _pdf_ctx(sample_library, llm, options=options))
        finder = next(i for i, w in enumerate(answer.trace.workers) if "McBee" in w.found)
        assert finder < len(answer.trace.workers) - 2  # later workers copied more after it
        return llm.calls[-1][-1]["content"]

    assert "Royal McBee Computer Corp." not in manager_notes("recent")
    assert "Royal McBee Computer Corp." in manager_notes("related")
