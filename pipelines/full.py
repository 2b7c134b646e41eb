"""`full`: the whole document(s) in the model's context, then the question.

An over-long input keeps its beginning and end (LongBench's rule); `Answer.kept_fraction` records
the fraction kept. The document comes first so the KV state after it is reused: in memory for
the next question in this process, and from the state cache on disk across processes.

With `full_focus_tokens`, the passages most related to the question (rag's retrieval) are
repeated between the document and the question: small models read the end of a long prompt
best ("Lost in the Middle"; attention sorting, Peysakhovich & Lerer 2023), and a document cut
to the window is still read where it matters. The document's room shrinks by that budget, so
its KV prefix stays the same for every question.
"""

from __future__ import annotations

from longdoc.pipelines.answer import Answer, Usage
from longdoc.pipelines.base import AskContext, Pipeline
from longdoc.pipelines.budget import QUESTION_RESERVE, keep_head_and_tail, room_for
from longdoc.pipelines.evidence import cite, supporting_chunks
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import SYSTEM, Prompt, render_document
from longdoc.pipelines.rag import Passage, Rag, passages_within, render_passages
from longdoc.pipelines.retrieval import HEADER_TOKENS
from longdoc.pipelines.trace import FullTrace

FOCUS_HEADER = "Passages most related to the question, repeated from the document:\n"


def document_room(ctx: AskContext, question: str, choices: bool = False) -> int:
    """Tokens the documents may fill. The question is left out of the skeleton so that this
    does not change with it (same kept text, same reusable KV prefix for every question),
    unless it is asked first too (`question_first`; `choices`: a multiple-choice question),
    when there is no prefix to reuse."""
    reserve = max(QUESTION_RESERVE, ctx.llm.count_tokens(question))
    focus = ctx.options.full_focus_tokens
    if focus:
        reserve += focus + HEADER_TOKENS
    lead = question if ctx.options.asks_first("full", choices) else ""
    skeleton = Prompt(SYSTEM, "", "", ctx.instruction(), lead=lead).messages()
    return room_for(ctx.llm, skeleton, ctx.options.answer_tokens, reserve=reserve).room


def focus_passages(question: str, ctx: AskContext) -> list[Passage]:
    """The passages rag would read for `question` within `full_focus_tokens` (none when the
    option is off)."""
    if not ctx.options.full_focus_tokens:
        return []
    candidates = Rag().retrieve([question], ctx)
    return passages_within(candidates, ctx, ctx.options.full_focus_tokens)[1]


def documents_fit(ctx: AskContext, question: str, choices: bool = False) -> bool:
    """Whether `full` would read the documents whole."""
    text = "".join(render_document(d) for d in ctx.documents())
    return ctx.llm.count_tokens(text) <= document_room(ctx, question, choices)


class FullContext(Pipeline):
    name = "full"
    summary = "long-context reading: the whole document in the prompt"

    def window_needed(self, doc_tokens: int, options: PipelineOptions) -> int:
        return super().window_needed(doc_tokens, options) + options.full_focus_tokens

    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        llm = ctx.llm
        context = "".join(render_document(d) for d in ctx.documents())
        mc = choices is not None
        context, kept = keep_head_and_tail(llm, context, document_room(ctx, question, mc))
        focus = focus_passages(question, ctx)
        reading = f"{context}\n{FOCUS_HEADER}{render_passages(focus)}" if focus else context
        # asked first, the question precedes the document: no state to keep for the next one
        first = ctx.options.asks_first("full", mc)
        completion = ctx.final(ctx.reading("full", reading, question, choices=mc), choices,
                               cache_prefix=None if first else context)
        usage = Usage()
        usage.add(completion)
        # cite only passages the model actually saw
        visible = [c for c in ctx.all_chunks() if kept == 1.0 or c.text[:60] in reading]
        support = supporting_chunks(completion.text, question, visible)
        return Answer(
            self.name, question, completion.text, citations=cite(support, completion.text,
                                                                 ctx.titles()),
            usage=usage, kept_fraction=round(kept, 4),
            trace=FullTrace(completion.prompt_tokens, completion.reused_tokens, round(kept, 4),
                            [p.label for p in focus]),
        )
