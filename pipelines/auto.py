"""`auto`: each question goes to the cheapest pipeline that can answer it (Self-Route, Li et al.
EMNLP 2024 Industry). `rag` answers first and may say it cannot; multiple choice, where nothing
is written, escalates when the two likeliest options are too close. Then `coa` (or `full`, by
option) reads the documents when they fit the window, else `tree` when its trees are built,
else `coa`.
"""

from __future__ import annotations

import re
import time

from longdoc.pipelines.answer import Answer, Usage
from longdoc.pipelines.base import AskContext, Pipeline
from longdoc.pipelines.coa import ChainOfAgents
from longdoc.pipelines.full import FullContext, documents_fit
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.rag import Rag
from longdoc.pipelines.trace import AutoTrace, RouteStep
from longdoc.pipelines.tree import TreeOfSummaries

# rag's own word for "the passages do not say", and the system prompt's wording of it
CANNOT_ANSWER = re.compile(r"\bunanswerable\b|\b(?:does|do) not (?:contain|mention|say|provide)"
                           r"|\bnot (?:mentioned|stated|provided|specified) in\b", re.IGNORECASE)


def cannot_answer(text: str) -> bool:
    return not text.strip() or bool(CANNOT_ANSWER.search(text))


class Auto(Pipeline):
    name = "auto"
    summary = "rag first; coa (or a built tree past the window) when rag cannot answer"
    uses_vectors = True

    def window_needed(self, doc_tokens: int, options: PipelineOptions) -> int:
        # room for every pipeline it may escalate to (full when the documents fit)
        steps = (Rag(), FullContext(), TreeOfSummaries(), ChainOfAgents())
        return max(step.window_needed(doc_tokens, options) for step in steps)

    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        forward, ctx.on_token = ctx.on_token, None  # rag's reply may be thrown away
        try:
            first, step = _timed(Rag(self_route=True), question, ctx, choices)
        finally:
            ctx.on_token = forward
        margin = ctx.last_choice.margin() if ctx.last_choice is not None else None
        step.margin = None if margin is None else round(margin, 4)
        why = self._escalation(first, margin, ctx.options.auto_margin)
        if why is None:
            if forward:
                forward(first.text)
            return self._route(first, [step])
        step.reason = why
        fallback = self._fallback(question, ctx, choices is not None)
        final, last = _timed(fallback, question, ctx, choices)
        return self._route(final, [step, last], first.usage)

    @staticmethod
    def _escalation(answer: Answer, margin: float | None, least: float) -> str | None:
        """Why rag's answer is not good enough, or None when it is."""
        if margin is not None:  # multiple choice: the model's own confidence
            return f"options too close (margin {margin:.2f} < {least})" if margin < least else None
        return "rag said it cannot answer" if cannot_answer(answer.text) else None

    def _fallback(self, question: str, ctx: AskContext, choices: bool) -> Pipeline:
        if documents_fit(ctx, question, choices):
            return FullContext() if ctx.options.auto_fallback == "full" else ChainOfAgents()
        settings, model = ctx.options.tree.key(), ctx.llm.model_id
        if all(ctx.library.trees.load_complete(d, model, settings) for d in ctx.doc_ids):
            return TreeOfSummaries()
        return ChainOfAgents()

    def _route(self, answer: Answer, steps: list[RouteStep], *earlier: Usage) -> Answer:
        usage = Usage()
        for part in earlier:
            usage.merge(part)
        usage.merge(answer.usage)
        answer.usage = usage
        answer.trace = AutoTrace(steps, answer.trace)
        return answer


def _timed(pipeline: Pipeline, question: str, ctx: AskContext,
           choices: list[str] | None) -> tuple[Answer, RouteStep]:
    started = time.perf_counter()
    answer = pipeline.run(question, ctx, choices)
    return answer, RouteStep(pipeline.name, "answered", answer.usage.prompt_tokens,
                             round(time.perf_counter() - started, 3), answer=answer.text)
