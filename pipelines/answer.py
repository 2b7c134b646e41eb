"""`Answer`: the one record every pipeline returns (text, citations, usage, timings, trace)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from longdoc.indexers.types import pages_label
from longdoc.llm.protocol import Completion
from longdoc.pipelines.choice import ChoiceTrace
from longdoc.pipelines.trace import Trace


@dataclass
class Citation:
    doc_id: str
    title: str
    page_start: int
    page_end: int
    chunk: int | None = None
    quote: str = ""
    score: float | None = None
    ocr_pages: list[int] = field(default_factory=list)  # cited pages read by OCR (scans)

    def pages_label(self) -> str:
        return pages_label(self.page_start, self.page_end, self.ocr_pages)

    def label(self) -> str:
        return f"{self.title}, {self.pages_label()}"


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    reused_tokens: int = 0

    def add(self, completion: Completion) -> None:
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.reused_tokens += completion.reused_tokens
        self.calls += completion.calls

    def merge(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.reused_tokens += other.reused_tokens
        self.calls += other.calls


@dataclass
class Timings:
    first_token_s: float | None = None
    total_s: float = 0.0


@dataclass
class Answer:
    pipeline: str
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    timings: Timings = field(default_factory=Timings)
    kept_fraction: float | None = None  # full-context only: share of the documents read
    trace: Trace = field(default_factory=Trace)
    model: str = ""
    choice: ChoiceTrace | None = None  # multiple choice: how the option was picked

    def to_dict(self) -> dict:
        return asdict(self)
