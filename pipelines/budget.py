"""One place that makes every prompt fit the context window, with room for the answer.

A pipeline builds its messages with an empty slot for the variable part (document, chunks,
notes), asks `room_for` how many tokens the slot may hold, and fills it up to that. The
margin absorbs the few tokens that tokenising pieces separately can differ by.
"""

from __future__ import annotations

from dataclasses import dataclass

from longdoc.core.errors import LongdocError
from longdoc.llm.protocol import LLM, Message

MARGIN = 16
# Room kept for the question when the document's share must not depend on it: the same
# document then gets the same (possibly truncated) text for every question, and the KV state
# after it can be reused.
QUESTION_RESERVE = 128


@dataclass(frozen=True)
class Budget:
    context: int
    answer: int
    overhead: int

    @property
    def room(self) -> int:
        return self.context - self.answer - self.overhead - MARGIN


def room_for(llm: LLM, skeleton: list[Message], answer_tokens: int, what: str = "document",
             minimum: int = 32, reserve: int = 0) -> Budget:
    """Budget for the slot left empty in `skeleton`; a clear error when nothing fits.

    `reserve`: tokens held back for text not in the skeleton (a question left out of it).
    """
    budget = Budget(llm.context_size, answer_tokens, llm.prompt_tokens(skeleton) + reserve)
    if budget.room < minimum:
        raise LongdocError(
            f"context size {llm.context_size} is too small: the prompt needs "
            f"{budget.overhead} tokens and the answer {answer_tokens} before any {what} "
            f"(use a larger --ctx)"
        )
    return budget


def keep_head_and_tail(llm: LLM, text: str, max_tokens: int,
                       marker: str = "\n\n[... middle of the document omitted ...]\n\n"
                       ) -> tuple[str, float]:
    """LongBench's rule for an over-long input: keep its beginning and its end, drop the middle.

    Returns the text and the fraction of its tokens kept.
    """
    total = llm.count_tokens(text)
    if total <= max_tokens:
        return text, 1.0
    keep = max(0, max_tokens - llm.count_tokens(marker))
    head = llm.truncate_tokens(text, keep // 2, keep="head")
    tail = llm.truncate_tokens(text, keep - keep // 2, keep="tail")
    return head + marker + tail, keep / total
