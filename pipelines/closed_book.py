"""`none`: the question alone, no document — the baseline that shows what the model knows."""

from __future__ import annotations

from longdoc.pipelines.answer import Answer, Usage
from longdoc.pipelines.base import AskContext, Pipeline
from longdoc.pipelines.prompts import CLOSED_BOOK_SYSTEM


class ClosedBook(Pipeline):
    name = "none"
    summary = "closed book: the question without any document (baseline)"
    needs_documents = False

    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        msgs = [{"role": "system", "content": CLOSED_BOOK_SYSTEM},
                {"role": "user", "content": question + "\nAnswer briefly."}]
        completion = ctx.final(msgs, choices)
        usage = Usage()
        usage.add(completion)
        return Answer(self.name, question, completion.text, usage=usage)
