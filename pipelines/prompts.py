"""Prompt texts. The document always comes before the question, so that the model state after
the document can be reused for the next question (and the model reads the question last)."""

from __future__ import annotations

from longdoc.indexers.types import Document

SYSTEM = (
    "You answer questions about documents. Use only the text you are given, not your own "
    "knowledge. If the text does not contain the answer, say that it does not."
)
CLOSED_BOOK_SYSTEM = "You answer questions briefly and precisely."
ANSWER_INSTRUCTION = "Answer briefly (one or two sentences), using only the text above."


def render_document(doc: Document) -> str:
    """The document's text with a [Page N] marker before each page of a multi-page document."""
    if len(doc.pages) == 1:
        body = doc.pages[0]
    else:
        body = "\n\n".join(f"[Page {i}]\n{page}" for i, page in enumerate(doc.pages, 1))
    return f"<document title=\"{doc.title}\">\n{body}\n</document>\n"


def question_block(question: str, instruction: str = ANSWER_INSTRUCTION) -> str:
    return f"\nQuestion: {question}\n{instruction}"


def messages(system: str, context: str, question: str,
             instruction: str = ANSWER_INSTRUCTION) -> list[dict[str, str]]:
    return [{"role": "system", "content": system},
            {"role": "user", "content": context + question_block(question, instruction)}]
