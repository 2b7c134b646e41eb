"""The manifest: which documents a library holds, which files they came from, how it was built."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.core.files import write_json_atomic

MANIFEST_VERSION = 1


@dataclass
class DocRecord:
    doc_id: str
    title: str
    kind: str
    pages: int
    words: int
    tokens: int
    chunks: int
    ingested_at: str
    sources: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR


@dataclass
class FileRecord:
    doc_id: str
    size: int
    mtime_ns: int


@dataclass
class Manifest:
    embedder: str
    chunk_size: int
    chunk_overlap: int
    documents: dict[str, DocRecord] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    # doc ids whose vectors may be partly written (set before writing, cleared after)
    pending: list[str] = field(default_factory=list)
    version: int = MANIFEST_VERSION

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                embedder=raw["embedder"], chunk_size=raw["chunk_size"],
                chunk_overlap=raw["chunk_overlap"],
                documents={k: DocRecord(**v) for k, v in raw["documents"].items()},
                files={k: FileRecord(**v) for k, v in raw["files"].items()},
                pending=list(raw.get("pending", [])), version=raw.get("version", 1),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LongdocError(f"library manifest {path} is unreadable ({exc})") from None

    def save(self, path: Path) -> None:
        write_json_atomic(path, asdict(self))

    def sources_of(self, doc_id: str) -> list[str]:
        return sorted(p for p, rec in self.files.items() if rec.doc_id == doc_id)
