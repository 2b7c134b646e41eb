"""Token-aware, overlapping chunks that never cut a word and know their pages.

Sizes are counted with the embedder's tokenizer (MiniLM word pieces), not the LLM's: a chunk is
the unit that gets embedded, MiniLM reads at most 256 word pieces, and ingest must not need the
LLM. Prompt budgets are counted separately with the LLM's own tokenizer at question time.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from longdoc.core.errors import LongdocError
from longdoc.indexers.embedder import Tokenizer
from longdoc.indexers.types import PAGE_SEPARATOR, Chunk, Document


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


# Pages are tokenised in pieces of at most this many characters, cut at whitespace (where no
# token can straddle the cut), so memory is bounded whatever the size of a page: tokenising a
# 50 MB page at once took gigabytes in the tokenizer's alignment tables and offset tuples.
SEGMENT_CHARS = 65_536


class Token(NamedTuple):
    start: int  # character offsets in `Document.text`
    end: int
    cut_before: bool  # whitespace separates it from the token before: a chunk may start here


def chunk_document(doc: Document, tokenizer: Tokenizer,
                   settings: ChunkSettings) -> tuple[list[Chunk], int]:
    """The document's chunks and its length in tokens."""
    counter = _Counter(document_tokens(doc, tokenizer))
    chunks = list(iter_chunks(doc, counter, settings))
    return chunks, counter.count


def iter_chunks(doc: Document, tokens: Iterable[Token],
                settings: ChunkSettings) -> Iterator[Chunk]:
    """Chunks one at a time, from a stream of tokens; pages are read, never joined."""
    page_starts = doc.page_offsets()
    for index, (first, last, start, end) in enumerate(
            stream_windows(tokens, settings.size, settings.overlap)):
        yield Chunk(
            doc_id=doc.doc_id, index=index, text=_span(doc.pages, page_starts, start, end),
            page_start=bisect.bisect_right(page_starts, start),
            page_end=bisect.bisect_right(page_starts, max(start, end - 1)),
            char_start=start, char_end=end, tokens=last - first,
        )


def document_tokens(doc: Document, tokenizer: Tokenizer) -> Iterator[Token]:
    """Every token of `doc.text` in order, tokenised page by page and segment by segment."""
    base = 0
    carried: bool | None = None  # the text since the last token is whitespace (None: no token)
    for page in doc.pages:
        prev_end: int | None = None
        for seg_start, seg_end in _segments(page):
            for start, end in tokenizer.offsets(page[seg_start:seg_end]):
                start, end = start + seg_start, end + seg_start
                if prev_end is not None:
                    cut = page[prev_end:start].isspace()
                else:  # the page's first token: the gap spans the page break
                    cut = carried is None or carried and (start == 0 or page[:start].isspace())
                yield Token(base + start, base + end, cut)
                prev_end = end
        if prev_end is not None:
            carried = prev_end == len(page) or page[prev_end:].isspace()
        elif carried is not None:
            carried = carried and (page == "" or page.isspace())
        base += len(page) + len(PAGE_SEPARATOR)


def _segments(page: str) -> Iterator[tuple[int, int]]:
    start, n = 0, len(page)
    while start < n:
        end = min(start + SEGMENT_CHARS, n)
        if end < n:
            cut = max(page.rfind(" ", start, end), page.rfind("\n", start, end))
            end = cut if cut > start else end
        yield start, end
        start = end


def _span(pages: list[str], page_starts: list[int], start: int, end: int) -> str:
    """`Document.text[start:end]` without building `Document.text`."""
    first = bisect.bisect_right(page_starts, start) - 1
    last = bisect.bisect_right(page_starts, max(start, end - 1)) - 1
    if first == last:
        base = page_starts[first]
        return pages[first][start - base:end - base]
    parts = [pages[first][start - page_starts[first]:]]
    parts += pages[first + 1:last]
    parts.append(pages[last][:end - page_starts[last]])
    return PAGE_SEPARATOR.join(parts)


class _Counter:
    """Passes tokens through and counts them."""

    def __init__(self, tokens: Iterable[Token]) -> None:
        self._tokens = tokens
        self.count = 0

    def __iter__(self) -> Iterator[Token]:
        for token in self._tokens:
            self.count += 1
            yield token


def token_windows(text: str, offsets: list[tuple[int, int]], size: int,
                  overlap: int) -> list[tuple[int, int]]:
    """Token index ranges [first, last) of at most `size` tokens, cut only between words.

    A cut between tokens i-1 and i is allowed when whitespace separates them. A single "word"
    longer than `size` tokens (a URL, a table row without spaces) is cut anyway.
    """
    ends = [0] + [end for _, end in offsets]
    tokens = (Token(s, e, i == 0 or (ends[i] < s and text[ends[i]:s].strip() == ""))
              for i, (s, e) in enumerate(offsets))
    return [(first, last) for first, last, _, _ in stream_windows(tokens, size, overlap)]


def stream_windows(tokens: Iterable[Token], size: int,
                   overlap: int) -> Iterator[tuple[int, int, int, int]]:
    """`token_windows` over a stream: (first, last, char_start, char_end) of each window.

    Holds only the `size` + 1 tokens from the window's first on, whatever the document's size.
    """
    stream = iter(tokens)
    window = _Buffer()
    first, done = 0, False
    while True:
        while not done and window.known <= first + size:
            token = next(stream, None)
            done = token is None
            if token is not None:
                window.tokens.append(token)
        if first >= window.known:
            return
        last = min(first + size, window.known)
        cut = last
        while cut > first + 1 and not window.boundary(cut):
            cut -= 1
        if cut == first + 1 and not window.boundary(cut):
            cut = last
        yield first, cut, window.at(first).start, window.at(cut - 1).end
        if cut >= window.known:
            return
        first = max(cut - overlap, first + 1)
        while first < cut and not window.boundary(first):
            first += 1
        window.drop_before(first)


class _Buffer:
    """The tokens from number `offset` on; `known` counts every token read so far."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.offset = 0

    @property
    def known(self) -> int:
        return self.offset + len(self.tokens)

    def at(self, i: int) -> Token:
        return self.tokens[i - self.offset]

    def boundary(self, i: int) -> bool:
        """A chunk may end before token i (past the last token when the stream is done)."""
        return i >= self.known or self.at(i).cut_before

    def drop_before(self, i: int) -> None:
        del self.tokens[:i - self.offset]
        self.offset = i
