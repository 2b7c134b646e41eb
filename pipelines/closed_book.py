"""`none`: the question alone, no document — the baseline that shows what the model knows."""

from __future__ import annotations

from dataclasses import replace

from longdoc.pipelines.answer import Answer, Usage
from longdoc.pipelines.base import WINDOW_OVERHEAD, AskContext, Pipeline
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import closed_book

# the styles other than full, asked without a text to use
CLOSED_BOOK_STYLES = {
    "concise": ("Answer as concisely as you can, using a single phrase if possible. "
                "Do not provide any explanation."),
    "detailed": "Answer in two to four sentences.",
}


class ClosedBook(Pipeline):
    name = "none"
    summary = "closed book: the question without any document (baseline)"

    def window_needed(self, doc_tokens: int, options: PipelineOptions) -> int:
        return options.answer_tokens + WINDOW_OVERHEAD
    needs_documents = False

    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        prompt = closed_book(question)
        if ctx.options.style in CLOSED_BOOK_STYLES:
            prompt = replace(prompt, instruction=CLOSED_BOOK_STYLES[ctx.options.style])
        completion = ctx.final(prompt, choices)
        usage = Usage()
        usage.add(completion)
        return Answer(self.name, question, completion.text, usage=usage)
