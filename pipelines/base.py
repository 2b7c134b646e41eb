"""What a pipeline gets (`AskContext`) and the base class every pipeline implements."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from longdoc.core.errors import LongdocError
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.library import Library
from longdoc.indexers.types import Chunk, Document
from longdoc.llm.protocol import LLM, Completion, TokenCallback
from longdoc.pipelines.answer import Answer
from longdoc.pipelines.choice import ChoiceTrace, Reuse, pick
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.prompts import STYLES, SYSTEM, Prompt

# what a prompt holds besides the reading: system prompt, question, options, chat template
WINDOW_OVERHEAD = 768
# the manifest counts a document's tokens with the embedder's tokenizer; the LLM's count was
# 0.95-0.99 of it on the dev papers, so this margin keeps a sized window from cutting the text
DOC_TOKEN_MARGIN = 1.1

# a tree build reports (summaries done, summaries expected) of the document named by id
TreeProgress = Callable[[str], Callable[[int, int], None]]


@dataclass
class AskContext:
    """One loaded model and library, shared by every question and pipeline in a process.

    Documents and chunks are read from disk once and kept, so that comparing pipelines or
    running an evaluation does not reload them per question.
    """

    library: Library
    llm: LLM
    doc_ids: list[str]
    options: PipelineOptions = field(default_factory=PipelineOptions)
    on_token: TokenCallback | None = None
    embedder: Embedder | None = None
    tree_progress: TreeProgress | None = None
    last_choice: ChoiceTrace | None = None  # how the last multiple-choice answer was picked
    _docs: dict[str, Document] = field(default_factory=dict, repr=False)
    _chunks: dict[str, list[Chunk]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # options left to the model (model_defaults.py) take this model's values
        self.options = self.options.for_model(self.llm.name)

    def document(self, doc_id: str) -> Document:
        if doc_id not in self._docs:
            self._docs[doc_id] = self.library.load_document(doc_id)
        return self._docs[doc_id]

    def documents(self) -> list[Document]:
        return [self.document(d) for d in self.doc_ids]

    def chunks(self, doc_id: str) -> list[Chunk]:
        if doc_id not in self._chunks:
            self._chunks[doc_id] = self.library.load_chunks(doc_id)
        return self._chunks[doc_id]

    def all_chunks(self) -> list[Chunk]:
        return [c for d in self.doc_ids for c in self.chunks(d)]

    def titles(self) -> dict[str, str]:
        return {d: self.library.manifest.documents[d].title for d in self.doc_ids}

    def final(self, prompt: Prompt, choices: list[str] | None = None,
              cache_prefix: str | None = None) -> Completion:
        """The call that produces the answer: generated (streamed to `on_token`), or, for a
        multiple-choice question, the option `options.mc_mode` picks (see choice.py); with
        `options.cad_alpha`, generated against the same prompt without its reading.
        `cache_prefix` ends the document, whose model state is worth keeping across processes;
        the scoring calls of one question share at least what it read (`prompt.context`)."""
        if choices and not getattr(self.llm, "scores_prompts", True):
            prompt = prompt.listing(choices)  # a server without prompt log-probabilities
            choices = None
        if not choices and self.options.cad_alpha and prompt.context:
            return self.llm.chat_contrastive(prompt.messages(), prompt.unread().messages(),
                                             self.options.answer_tokens, self.options.cad_alpha,
                                             on_token=self.on_token, cache_prefix=cache_prefix)
        if not choices:
            return self.llm.chat(prompt.messages(), self.options.answer_tokens,
                                 on_token=self.on_token, cache_prefix=cache_prefix)
        reuse = Reuse(cache_prefix or prompt.context or None, save=cache_prefix is not None)
        completion, self.last_choice = pick(self.llm, prompt, choices, self.options.mc_mode,
                                            self.options.mc_all_modes, reuse)
        if self.on_token:
            self.on_token(completion.text)
        return completion

    def reading(self, pipeline: str, context: str, question: str, extra: str = "",
                choices: bool = False) -> Prompt:
        """`pipeline`'s final prompt over what it read, in the style of the options, asking
        the question first too where `question_first` names it for this kind of question
        (`extra`: more instruction after the style's; `choices`: multiple choice)."""
        lead = question if self.options.asks_first(pipeline, choices) else ""
        return Prompt(SYSTEM, context, question, self.instruction() + extra, lead=lead)

    def instruction(self) -> str:
        """What the final prompt asks for, in the style of `options.style`."""
        return STYLES[self.options.style]

    def get_embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = Embedder()
        return self.embedder


def mark_ocr_citations(answer: Answer, ctx: AskContext) -> None:
    """Flag the citations whose pages were read by OCR, so a reader knows to check them."""
    if not answer.citations:
        return
    records = ctx.library.manifest.documents
    for citation in answer.citations:
        record = records.get(citation.doc_id)
        scanned = record.ocr_pages if record else []
        citation.ocr_pages = [p for p in scanned
                              if citation.page_start <= p <= citation.page_end]


class Pipeline(ABC):
    name: ClassVar[str]
    summary: ClassVar[str]
    needs_documents: ClassVar[bool] = True
    uses_vectors: ClassVar[bool] = False  # ranks the library's chunk vectors (rag)

    def window_needed(self, doc_tokens: int, options: PipelineOptions) -> int:
        """Context tokens this pipeline's longest prompt and its answer take when reading
        documents of `doc_tokens` tokens (manifest counts): the whole text by default."""
        return reading_tokens(doc_tokens) + options.answer_tokens + WINDOW_OVERHEAD

    def answer(self, question: str, ctx: AskContext,
               choices: list[str] | None = None) -> Answer:
        """Answer `question` (or pick one of `choices`) and fill in the shared fields."""
        question = " ".join(question.split())
        if not question:
            raise LongdocError("the question is empty")
        if self.needs_documents and not ctx.doc_ids:
            raise LongdocError("no documents to read")
        started = time.perf_counter()
        first: list[float] = []
        forward = ctx.on_token

        def on_token(piece: str) -> None:
            if not first:
                first.append(time.perf_counter() - started)
            if forward:
                forward(piece)

        ctx.on_token, ctx.last_choice = on_token, None
        try:
            answer = self.run(question, ctx, choices)
        finally:
            ctx.on_token = forward
        # time to the first token of the answer, counted from the question (retrieval,
        # earlier LLM calls and loading included)
        answer.timings.first_token_s = first[0] if first else None
        answer.timings.total_s = time.perf_counter() - started
        answer.pipeline, answer.question, answer.model = self.name, question, ctx.llm.name
        answer.text = answer.text.strip()
        answer.choice = ctx.last_choice
        mark_ocr_citations(answer, ctx)
        return answer

    @abstractmethod
    def run(self, question: str, ctx: AskContext, choices: list[str] | None) -> Answer:
        """Answer `question` from `ctx`, passing `choices` to `ctx.final`; `answer()` fills in
        name, model and timings."""


def reading_tokens(doc_tokens: int) -> int:
    """The LLM tokens of documents the manifest counts `doc_tokens` for, with a margin."""
    return int(doc_tokens * DOC_TOKEN_MARGIN) + 1
