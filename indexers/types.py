"""The records that flow from loaders to the library: documents and their chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass
class Document:
    """A loaded file: `doc_id` is the sha256 of its bytes; `pages` holds text page by page.

    `note` is a warning from loading (a guessed encoding, say) for the ingest report only; it
    is not stored in the library. `ocr_pages` (1-based) were read by OCR from scanned pages.
    """

    doc_id: str
    title: str
    pages: list[str]
    kind: str = "txt"
    note: str = ""
    ocr_pages: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(self.pages)

    def page_offsets(self) -> list[int]:
        """Character offset in `text` where each page starts."""
        offsets, pos = [], 0
        for page in self.pages:
            offsets.append(pos)
            pos += len(page) + len(PAGE_SEPARATOR)
        return offsets

    def words(self) -> int:
        return sum(len(p.split()) for p in self.pages)


PAGE_SEPARATOR = "\n\n"


def pages_label(start: int, end: int, ocr_pages: list[int] | None = None) -> str:
    """'p. 3' or 'pp. 3-5'; then ' (OCR)' when those pages were read by OCR, or
    ' (OCR: p. 4)' when only some of them were."""
    label = f"p. {start}" if start == end else f"pp. {start}-{end}"
    scanned = sorted(p for p in set(ocr_pages or []) if start <= p <= end)
    if not scanned:
        return label
    if len(scanned) == end - start + 1:
        return f"{label} (OCR)"
    return f"{label} (OCR: p{'p' * (len(scanned) > 1)}. {', '.join(map(str, scanned))})"


@dataclass
class Chunk:
    """A span of a document's `text`, tagged with the pages it covers (1-based)."""

    doc_id: str
    index: int
    text: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    tokens: int = 0

    @property
    def key(self) -> str:
        return f"{self.doc_id}:{self.index}"

    def pages_label(self) -> str:
        return pages_label(self.page_start, self.page_end)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        """From `to_dict`'s form; keys of older versions (such as `extra`) are ignored."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
