"""What an ingest reports: one result per file, and the progress callbacks it makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass
class FileResult:
    path: str
    # added | updated | unchanged | duplicate | failed | skipped | removed | repaired
    status: str
    reason: str = ""
    doc_id: str = ""
    title: str = ""
    pages: int = 0
    chunks: int = 0


@dataclass
class IngestReport:
    library: str
    results: list[FileResult] = field(default_factory=list)
    embedded_chunks: int = 0
    seconds: float = 0.0

    def count(self, *statuses: str) -> int:
        return sum(1 for r in self.results if r.status in statuses)

    @property
    def indexed_any(self) -> bool:
        return self.count("added", "updated", "unchanged", "duplicate") > 0


class Progress(Protocol):
    def files_found(self, n: int) -> None: ...
    def file_started(self, path: Path) -> None: ...
    def file_done(self, result: FileResult) -> None: ...
    def chunks_queued(self, n: int) -> None: ...
    def chunks_embedded(self, n: int) -> None: ...


class SilentProgress:
    def files_found(self, n: int) -> None:
        pass

    def file_started(self, path: Path) -> None:
        pass

    def file_done(self, result: FileResult) -> None:
        pass

    def chunks_queued(self, n: int) -> None:
        pass

    def chunks_embedded(self, n: int) -> None:
        pass
