"""`coa`: Chain-of-Agents (Zhang et al., 2024).

Workers read the segments in document order; worker i gets (segment i, the notes of worker
i-1, the question) and writes new notes, query-aware: evidence for the question, with pages.
A manager gets only the final notes and the question, and answers. Segments are sized so that
segment + previous notes + question + instructions + new notes fit the context window.

The segment comes first in a worker's prompt, so its KV state is reusable for the next
question about the same document (in memory and in the state cache on disk).
"""

from __future__ import annotations

from longdoc.pipelines.answer import Answer, Timings, Usage
from longdoc.pipelines.base import AskContext, Pipeline
from longdoc.pipelines.budget import QUESTION_RESERVE, room_for
from longdoc.pipelines.evidence import cite, supporting_chunks
from longdoc.pipelines.segments import split_segments

NOTES_TOKENS = 256

WORKER_SYSTEM = (
    "You are one of several workers reading a long document part by part. You read one part "
    "and pass notes to the next worker. Notes hold only facts from the text that help answer "
    "the question, with page numbers like (p. 3)."
)
MANAGER_SYSTEM = (
    "You are a manager. Workers read a long document and wrote notes for you. Answer the "
    "question from the notes only."
)


def worker_messages(segment: str, notes: str, question: str, notes_words: int) -> list[dict]:
    user = (
        f"Part of the document:\n{segment}\n\n"
        f"Notes from the previous workers:\n{notes or '(none yet)'}\n\n"
        f"Question: {question}\n"
        "Write the updated notes: keep the useful earlier notes and add the facts from this "
        "part that help answer the question, with their pages. If this part has nothing "
        f"relevant, repeat the earlier notes. At most {notes_words} words."
    )
    return [{"role": "system", "content": WORKER_SYSTEM}, {"role": "user", "content": user}]


def manager_messages(notes: str, question: str) -> list[dict]:
    user = (f"Notes:\n{notes or '(the workers found nothing relevant)'}\n\n"
            f"Question: {question}\nAnswer briefly (one or two sentences).")
    return [{"role": "system", "content": MANAGER_SYSTEM}, {"role": "user", "content": user}]


class ChainOfAgents(Pipeline):
    name = "coa"
    summary = "Chain-of-Agents: workers read segments in order passing notes; a manager answers"

    def run(self, question: str, ctx: AskContext) -> Answer:
        llm = ctx.llm
        notes_tokens = int(ctx.options.get("notes_tokens", NOTES_TOKENS))
        # the skeleton leaves out segment, notes and question; reserve room for the last two
        reserve = notes_tokens + max(QUESTION_RESERVE, llm.count_tokens(question))
        budget = room_for(llm, worker_messages("", "", "", notes_tokens * 3 // 4),
                          notes_tokens, what="document segment", reserve=reserve)
        segments = split_segments(ctx.documents(), llm, budget.room)
        usage = Usage()
        notes, steps = "", []
        for i, seg in enumerate(segments):
            msgs = worker_messages(seg.text, notes, question, notes_tokens * 3 // 4)
            done = llm.chat(msgs, notes_tokens, cache_prefix=seg.text)
            usage.add(done)
            written = llm.truncate_tokens(done.text.strip(), notes_tokens, keep="head")
            kept_previous = not written  # an empty reply must not erase what was found
            notes = written or notes
            steps.append({"worker": i + 1, "source": seg.label(), "segment_tokens": seg.tokens,
                          "prompt_tokens": done.prompt_tokens, "notes": notes,
                          "kept_previous_notes": kept_previous})
        final = llm.chat(manager_messages(notes, question), ctx.answer_tokens,
                         on_token=ctx.on_token)
        usage.add(final)
        support = supporting_chunks(final.text + " " + notes, question, ctx.all_chunks())
        return Answer(self.name, question, final.text,
                      citations=cite(support, final.text, ctx.titles()), usage=usage,
                      timings=Timings(),
                      trace={"segments": len(segments), "segment_budget": budget.room,
                             "workers": steps, "manager_prompt_tokens": final.prompt_tokens})
