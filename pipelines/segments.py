"""Split documents into consecutive segments of at most N LLM tokens, in document order.

Segments follow paragraph boundaries where they can and carry [Page N] markers, so that a
reader of one segment can still cite pages. A paragraph longer than a segment is cut by tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from longdoc.indexers.types import Document, pages_label
from longdoc.llm.protocol import LLM


@dataclass
class Segment:
    doc_id: str
    title: str
    text: str
    page_start: int
    page_end: int
    tokens: int

    def label(self) -> str:
        return f"{self.title}, {pages_label(self.page_start, self.page_end)}"


def _pieces(doc: Document, llm: LLM, limit: int):
    """(page, text, tokens) paragraphs, each at most `limit` tokens."""
    for page_no, page in enumerate(doc.pages, 1):
        marker = f"[Page {page_no}]\n" if len(doc.pages) > 1 else ""
        for i, para in enumerate(p for p in re.split(r"\n\s*\n", page) if p.strip()):
            text = (marker if i == 0 else "") + para.strip()
            n = llm.count_tokens(text)
            while n > limit:
                head = llm.truncate_tokens(text, limit, keep="head")
                if not head or len(head) >= len(text):
                    break
                cut = len(head) if text.startswith(head) else _after_words(text,
                                                                            len(head.split()))
                yield page_no, text[:cut], llm.count_tokens(text[:cut])
                text = text[cut:].lstrip()
                n = llm.count_tokens(text)
            if text:
                yield page_no, text, n


def _after_words(text: str, n_words: int) -> int:
    """Character offset just after the first `n_words` words of `text`."""
    end = 0
    for i, match in enumerate(re.finditer(r"\S+", text)):
        if i == n_words:
            break
        end = match.end()
    return max(end, 1)


def split_segments(docs: list[Document], llm: LLM, max_tokens: int) -> list[Segment]:
    segments: list[Segment] = []
    for doc in docs:
        current: list[str] = []
        pages: list[int] = []
        used = 0
        for page_no, text, n in _pieces(doc, llm, max_tokens):
            cost = n + (1 if current else 0)  # + the blank line between paragraphs
            if current and used + cost > max_tokens:
                segments.append(_segment(doc, current, pages, used))
                current, pages, used, cost = [], [], 0, n
            current.append(text)
            pages.append(page_no)
            used += cost
        if current:
            segments.append(_segment(doc, current, pages, used))
    return segments


def _segment(doc: Document, parts: list[str], pages: list[int], tokens: int) -> Segment:
    return Segment(doc.doc_id, doc.title, "\n\n".join(parts), min(pages), max(pages), tokens)
