"""Prompt texts. What was read comes before the question, so that the model state after a
document can be reused for the next question (and the model reads the question last). A
pipeline named by `question_first` asks the question before what it read as well (`lead`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from longdoc.core.text import with_options
from longdoc.indexers.types import Document

SYSTEM = (
    "You answer questions about documents. Use only the text you are given, not your own "
    "knowledge. If the text does not contain the answer, say that it does not."
)
CLOSED_BOOK_SYSTEM = "You answer questions briefly and precisely."
ANSWER_INSTRUCTION = "Answer briefly (one or two sentences), using only the text above."
# LongBench's single-document QA instruction: short gold spans want short answers
CONCISE_INSTRUCTION = ("Answer the question based on the text above as concisely as you can, "
                       "using a single phrase or sentence if possible. Do not provide any "
                       "explanation.")
# for readers who want the figures spelled out; not better than full on the dev sample (README)
DETAILED_INSTRUCTION = ("Answer in two to four sentences, using only the text above, with the "
                        "names, figures and dates that answer the question.")
# ROUGE-L and F1 reward the document's words, which only a reader can copy; not better than full
# on the dev sample for the 0.5B, which often copied this instruction (README)
QUOTE_INSTRUCTION = ("Answer briefly (one or two sentences) in the words of the text above: "
                     "copy the phrase or sentence that answers the question.")
CLOSED_BOOK_INSTRUCTION = "Answer briefly."
LETTER_INSTRUCTION = "Answer with the letter of the correct option."
VERIFY_INSTRUCTION = "Is the proposed answer correct? Reply Yes or No."
STYLES = {"full": ANSWER_INSTRUCTION, "concise": CONCISE_INSTRUCTION,
          "detailed": DETAILED_INSTRUCTION, "quote": QUOTE_INSTRUCTION,
          "auto": ANSWER_INSTRUCTION}


def render_document(doc: Document) -> str:
    """The document's text with a [Page N] marker before each page of a multi-page document."""
    if len(doc.pages) == 1:
        body = doc.pages[0]
    else:
        body = "\n\n".join(f"[Page {i}]\n{page}" for i, page in enumerate(doc.pages, 1))
    return f"<document title=\"{doc.title}\">\n{body}\n</document>\n"


@dataclass(frozen=True)
class Prompt:
    """The final prompt of a pipeline, in parts, so that a multiple-choice method can re-frame
    it (options listed with letters; the same question without the reading)."""

    system: str
    context: str  # what the pipeline read: document, passages, evidence ("" for closed book)
    question: str
    instruction: str = ANSWER_INSTRUCTION
    # the question also asked before the context (`--question-first`), so that what is read
    # is read knowing what is asked; always the plain question, so multiple choice's
    # re-framings still share everything up to the end of the context
    lead: str = ""

    def messages(self) -> list[dict[str, str]]:
        asked = f"Question: {self.question}\n{self.instruction}"
        user = f"{self.context}\n{asked}" if self.context else asked
        if self.lead:
            user = f"Question: {self.lead}\n\n{user}"
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def listing(self, options: list[str]) -> Prompt:
        """The same prompt with `options` listed under letters, asking for the letter."""
        return replace(self, question=with_options(self.question, options),
                       instruction=LETTER_INSTRUCTION)

    def verifying(self, option: str) -> Prompt:
        """The same prompt asking whether `option` answers the question (yes or no)."""
        return replace(self, question=f"{self.question}\nProposed answer: {option}",
                       instruction=VERIFY_INSTRUCTION)

    def unread(self) -> Prompt:
        """The same prompt without what the pipeline read (context-aware decoding's baseline:
        the same system prompt, question and instruction)."""
        return replace(self, context="", lead="")

    def without_reading(self) -> list[dict[str, str]]:
        """What the model sees without the reading: the question alone (closed book), or, for
        a prompt that read nothing, a bare answer cue."""
        if self.context:
            return closed_book(self.question).messages()
        return [{"role": "system", "content": self.system}, {"role": "user", "content": "Answer:"}]


def closed_book(question: str) -> Prompt:
    return Prompt(CLOSED_BOOK_SYSTEM, "", question, CLOSED_BOOK_INSTRUCTION)


def messages(system: str, context: str, question: str,
             instruction: str = ANSWER_INSTRUCTION) -> list[dict[str, str]]:
    return Prompt(system, context, question, instruction).messages()
