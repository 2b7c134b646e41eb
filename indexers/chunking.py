"""Token-aware, overlapping chunks that never cut a word and know their pages.

Sizes are counted with the embedder's tokenizer (MiniLM word pieces), not the LLM's: a chunk is
the unit that gets embedded, MiniLM reads at most 256 word pieces, and ingest must not need the
LLM. Prompt budgets are counted separately with the LLM's own tokenizer at question time.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from longdoc.core.errors import LongdocError
from longdoc.indexers.embedder import Tokenizer
from longdoc.indexers.types import Chunk, Document


@dataclass(frozen=True)
class ChunkSettings:
    size: int = 200
    overlap: int = 40

    def validate(self) -> None:
        if self.size < 16:
            raise LongdocError(f"chunk size must be at least 16 tokens (got {self.size})")
        if not 0 <= self.overlap < self.size // 2 + 1:
            raise LongdocError(
                f"chunk overlap must be between 0 and half the chunk size (got {self.overlap})"
            )


def chunk_document(doc: Document, tokenizer: Tokenizer,
                   settings: ChunkSettings) -> tuple[list[Chunk], int]:
    """The document's chunks and its length in tokens."""
    text = doc.text
    offsets = tokenizer.offsets(text)
    spans = token_windows(text, offsets, settings.size, settings.overlap)
    page_starts = doc.page_offsets()
    chunks = []
    for index, (first, last) in enumerate(spans):
        start, end = offsets[first][0], offsets[last - 1][1]
        chunks.append(Chunk(
            doc_id=doc.doc_id, index=index, text=text[start:end],
            page_start=bisect.bisect_right(page_starts, start),
            page_end=bisect.bisect_right(page_starts, max(start, end - 1)),
            char_start=start, char_end=end, tokens=last - first,
        ))
    return chunks, len(offsets)


def token_windows(text: str, offsets: list[tuple[int, int]], size: int,
                  overlap: int) -> list[tuple[int, int]]:
    """Token index ranges [first, last) of at most `size` tokens, cut only between words.

    A cut between tokens i-1 and i is allowed when whitespace separates them. A single "word"
    longer than `size` tokens (a URL, a table row without spaces) is cut anyway.
    """
    n = len(offsets)

    def boundary(i: int) -> bool:
        return i <= 0 or i >= n or text[offsets[i - 1][1]:offsets[i][0]].strip() == "" and \
            offsets[i][0] > offsets[i - 1][1]

    windows = []
    first = 0
    while first < n:
        last = min(first + size, n)
        cut = last
        while cut > first + 1 and not boundary(cut):
            cut -= 1
        if cut == first + 1 and not boundary(cut):
            cut = last
        windows.append((first, cut))
        if cut >= n:
            break
        nxt = max(cut - overlap, first + 1)
        while nxt < cut and not boundary(nxt):
            nxt += 1
        first = nxt
    return windows
