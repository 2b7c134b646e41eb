"""`coa`: Chain-of-Agents (Zhang et al., 2024).

Workers read the segments in document order; worker i gets (segment i, the notes of worker
i-1, the question) and writes new notes, query-aware: evidence for the question, with pages.
A manager gets only the final notes and the question, and answers. Segments are sized so that
segment + previous notes + question + instructions + new notes fit the context window.

The segment comes first in a worker's prompt, so its KV state is reusable for the next
question about the same document (in memory and in the state cache on disk), unless coa asks
the question first (`question_first`): then workers read their segment knowing the question.
"""

from __future__ import annotations

from longdoc.core.errors import LongdocError
from longdoc.core.text import with_options
from longdoc.pipelines.answer import Answer, Usage
from longdoc.pipelines.base import WINDOW_OVERHEAD, AskContext, Pipeline, reading_tokens
from longdoc.pipelines.budget import QUESTION_RESERVE, room_for
from longdoc.pipelines.coa_notes import drop_least_related, grounded_notes
from longdoc.pipelines.evidence import cite, supporting_chunks
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import (
    CONCISE_INSTRUCTION,
    DETAILED_INSTRUCTION,
    QUOTE_INSTRUCTION,
    Prompt,
)
from longdoc.pipelines.segments import split_segments
from longdoc.pipelines.trace import CoaTrace, WorkerStep

NOTES_TOKENS = 256  # longest evidence passed on; smaller windows get less (ctx / 16)
SENTENCE_TOKENS = 64  # a worker's reply: this much room per sentence it may copy

WORKER_SYSTEM = (
    "You are one of several workers reading a long document part by part, in order. You copy "
    "out the evidence in your part that helps answer a question, and pass it to the next worker."
)
MANAGER_SYSTEM = (
    "You are a manager. Workers read a long document and collected evidence for you. Answer the "
    "question from the evidence only."
)


def _how_many(sentences: int) -> str:
    return {1: "the one sentence", 2: "the one or two sentences"}.get(
        sentences, f"the sentences (at most {sentences})")


def worker_messages(segment: str, notes: str, question: str, notes_words: int,
                    sentences: int = 2, first: bool = False) -> list[dict]:
    """A worker's prompt; with `first` the question is asked before the segment too, so the
    segment is read knowing it (and its KV state serves no other question)."""
    user = (
        (f"Question: {question}\n\n" if first else "")
        + f"Part of the document:\n{segment}\n\n"
        f"Evidence found by the previous workers:\n{notes or '(none yet)'}\n\n"
        f"Question: {question}\n"
        f"Copy {_how_many(sentences)} of this part of the document that are most related to "
        "the question, exactly as written, each followed by its page like (p. 3). Do not repeat "
        f"the earlier evidence. At most {notes_words} words."
    )
    return [{"role": "system", "content": WORKER_SYSTEM}, {"role": "user", "content": user}]


MANAGER_INSTRUCTION = {"full": "Answer briefly (one or two sentences).",
                       "concise": CONCISE_INSTRUCTION.replace("text above", "evidence"),
                       "detailed": DETAILED_INSTRUCTION.replace("text above", "evidence"),
                       "quote": QUOTE_INSTRUCTION.replace("text above", "evidence")}
MANAGER_INSTRUCTION["auto"] = MANAGER_INSTRUCTION["full"]


def manager_prompt(notes: str, question: str, style: str = "full", first: bool = False) -> Prompt:
    evidence = f"Evidence:\n{notes or '(the workers found nothing relevant)'}\n"
    return Prompt(MANAGER_SYSTEM, evidence, question, MANAGER_INSTRUCTION[style],
                  lead=question if first else "")


def worker_question(question: str, choices: list[str] | None, see_options: bool) -> str:
    """What the workers are asked: the question, and with `--coa-options` the options too, so
    that they copy what supports or rules out each one (the manager always scores them)."""
    if not (choices and see_options):
        return question
    return with_options(question, choices)


def found_nothing(reply: str) -> bool:
    head = reply.strip().strip(".").lower()
    return not head or head.startswith(("none", "no relevant", "nothing"))


def pass_notes(llm, notes: str, new: str, limit: int, question: str = "",
               keep: str = "recent") -> tuple[str, bool]:
    """Append a worker's evidence to the notes; past `limit` tokens the oldest part goes, or
    with `keep="related"` the notes least related to `question`."""
    joined = f"{notes}\n{new}".strip() if notes else new
    if llm.count_tokens(joined) <= limit:
        return joined, False
    if keep == "related":
        kept = drop_least_related(joined.split("\n"), question,
                                  lambda lines: llm.count_tokens("\n".join(lines)) <= limit)
        if kept:  # else every note alone outgrew the room: cut as "recent" does
            return "\n".join(kept), True
    return llm.truncate_tokens(joined, limit, keep="tail"), True


class ChainOfAgents(Pipeline):
    name = "coa"
    summary = "Chain-of-Agents: workers read segments in order passing notes; a manager answers"

    def window_needed(self, doc_tokens: int, options: PipelineOptions) -> int:
        # a segment, the notes it receives and the notes it writes; a window of 16 × the notes
        # gives workers their full notes (see run)
        segment = min(reading_tokens(doc_tokens), options.segment_tokens)
        notes = options.notes_tokens or NOTES_TOKENS
        worker = segment + 2 * notes + WINDOW_OVERHEAD
        return max(worker, options.answer_tokens + notes + WINDOW_OVERHEAD,
                   16 * notes if options.notes_tokens is None else 0)

    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        llm = ctx.llm
        notes_tokens = ctx.options.notes_tokens or max(64, min(NOTES_TOKENS,
                                                               llm.context_size // 16))
        # the skeleton leaves out segment, notes and question; reserve room for the last two
        asked = worker_question(question, choices, ctx.options.coa_options)
        sentences = ctx.options.coa_sentences
        first = ctx.options.asks_first("coa", choices is not None)
        question_room = max(QUESTION_RESERVE, llm.count_tokens(asked))
        reserve = notes_tokens + question_room * (2 if first else 1)  # asked first: twice
        reply_tokens = min(notes_tokens, SENTENCE_TOKENS * sentences)
        budget = room_for(llm, worker_messages("", "", "", reply_tokens * 3 // 4, sentences,
                                               first), reply_tokens,
                          what="document segment", reserve=reserve)
        segment_tokens = min(budget.room, ctx.options.segment_tokens)
        segments = split_segments(ctx.documents(), llm, segment_tokens)
        if not segments:
            raise LongdocError("the documents have no text for the workers to read")
        usage = Usage()
        notes, steps = "", []
        for i, seg in enumerate(segments):
            msgs = worker_messages(seg.text, notes, asked, reply_tokens * 3 // 4, sentences,
                                   first)
            done = llm.chat(msgs, reply_tokens, cache_prefix=None if first else seg.text)
            usage.add(done)
            reply = "" if found_nothing(done.text) else done.text
            found = [n for n in grounded_notes(reply, seg.text, question, seg.page_start)
                     if n not in notes]
            new = llm.truncate_tokens("\n".join(found), notes_tokens, keep="head")
            trimmed = False
            if new:  # an empty or NONE reply must not erase what earlier workers found
                notes, trimmed = pass_notes(llm, notes, new, notes_tokens, question,
                                            ctx.options.coa_keep)
            steps.append(WorkerStep(i + 1, seg.label(), seg.tokens, done.prompt_tokens,
                                    done.text.strip(), new, notes, trimmed))
        final = ctx.final(manager_prompt(notes, question, ctx.options.style, first), choices)
        usage.add(final)
        support = supporting_chunks(final.text + " " + notes, question, ctx.all_chunks())
        return Answer(self.name, question, final.text,
                      citations=cite(support, final.text, ctx.titles()), usage=usage,
                      trace=CoaTrace(len(segments), segment_tokens, steps, final.prompt_tokens))
