"""Incremental ingest: parse, chunk, embed and store files, one document at a time.

Crash safety: a document's vectors are written only after its id is recorded as `pending` in
the manifest, and the manifest is saved after every document. A run killed at any point
leaves a library whose manifest lists only complete documents; the next run deletes the
vectors of pending ones and does their work again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from longdoc.core.errors import LoadError, LongdocError
from longdoc.core.files import write_lock
from longdoc.indexers.chunking import ChunkSettings, chunk_document
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.library import Library
from longdoc.indexers.loaders import content_id, discover, load_file, read_bytes
from longdoc.indexers.manifest import DocRecord, FileRecord, Manifest
from longdoc.indexers.types import Chunk


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | duplicate | failed | skipped | removed
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


def ingest(library: Library, paths: list[Path], embedder: Embedder,
           settings: ChunkSettings | None = None, prune: bool = False,
           progress: Progress | None = None) -> IngestReport:
    import time

    progress = progress or SilentProgress()
    started = time.perf_counter()
    report = IngestReport(library=str(library.root))
    with write_lock(library.root):
        manifest = _open_manifest(library, embedder, settings)
        settings = ChunkSettings(manifest.chunk_size, manifest.chunk_overlap)
        _recover_pending(library, manifest)
        files, problems = discover(paths)
        for path, reason in problems:
            status = "skipped" if reason.startswith("unsupported") else "failed"
            report.results.append(FileResult(str(path), status, reason))
        progress.files_found(len(files))
        changed = False
        for path in files:
            progress.file_started(path)
            result = _ingest_file(library, manifest, path, embedder, settings, progress)
            changed |= result.status in {"added", "updated"}
            report.results.append(result)
            progress.file_done(result)
        if prune:
            removed = _prune(library, manifest, [Path(p).expanduser().resolve() for p in paths])
            report.results.extend(removed)
            changed |= bool(removed)
        if changed or not library.bm25_path.exists():
            library.build_bm25().save(library.bm25_path)
    report.embedded_chunks = sum(r.chunks for r in report.results
                                 if r.status in {"added", "updated"})
    report.seconds = time.perf_counter() - started
    return report


def _open_manifest(library: Library, embedder: Embedder,
                   settings: ChunkSettings | None) -> Manifest:
    manifest = Manifest.load(library.manifest_path)
    if manifest is None:
        settings = settings or ChunkSettings()
        settings.validate()
        manifest = Manifest(embedder=embedder.name, chunk_size=settings.size,
                            chunk_overlap=settings.overlap)
        manifest.save(library.manifest_path)
    else:
        if manifest.embedder != embedder.name:
            raise LongdocError(f"library {library.root} was built with embedder "
                               f"{manifest.embedder}, not {embedder.name}")
        if settings and (settings.size, settings.overlap) != (manifest.chunk_size,
                                                              manifest.chunk_overlap):
            raise LongdocError(
                f"library {library.root} uses chunks of {manifest.chunk_size} tokens with "
                f"overlap {manifest.chunk_overlap}; use another --index for other settings"
            )
    library.set_manifest(manifest)
    return manifest


def _recover_pending(library: Library, manifest: Manifest) -> None:
    if not manifest.pending:
        return
    stale = [d for d in manifest.pending if d not in manifest.documents]
    library.remove_documents(stale)
    manifest.pending = []
    manifest.save(library.manifest_path)


def _ingest_file(library: Library, manifest: Manifest, path: Path, embedder: Embedder,
                 settings: ChunkSettings, progress: Progress) -> FileResult:
    key = str(path)
    try:
        stat = path.stat()
    except OSError as exc:
        return FileResult(key, "failed", exc.strerror or str(exc))
    known = manifest.files.get(key)
    if known and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns \
            and known.doc_id in manifest.documents:
        doc = manifest.documents[known.doc_id]
        return FileResult(key, "unchanged", doc_id=doc.doc_id, title=doc.title, pages=doc.pages)
    try:
        data = read_bytes(path)
        doc_id = content_id(data)
        if doc_id in manifest.documents:
            doc = manifest.documents[doc_id]
            status = "unchanged" if known and known.doc_id == doc_id else "duplicate"
            _point_file(library, manifest, key, FileRecord(doc_id, stat.st_size,
                                                           stat.st_mtime_ns))
            return FileResult(key, status, "" if status == "unchanged" else
                              "same content as an indexed document", doc_id, doc.title,
                              doc.pages)
        document = load_file(path, data)
    except LoadError as exc:
        return FileResult(key, "failed", str(exc))
    del data  # the document holds the text; the raw bytes need not stay while it is embedded
    chunks, n_tokens = chunk_document(document, embedder.tokenizer, settings)
    record = DocRecord(doc_id=doc_id, title=document.title, kind=document.kind,
                       pages=len(document.pages), words=document.words(), tokens=n_tokens,
                       chunks=len(chunks), ingested_at="")
    note = document.note  # the loader's warning (a guessed encoding, say): the report's note
    progress.chunks_queued(len(chunks))
    manifest.pending.append(doc_id)
    manifest.save(library.manifest_path)
    library.write_document(document, chunks)
    del document  # on disk now: a large text need not stay in memory while it is embedded
    _embed_chunks(library, embedder, chunks, progress)
    record.ingested_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    manifest.documents[doc_id] = record
    manifest.pending.remove(doc_id)
    status = "updated" if known else "added"
    _point_file(library, manifest, key, FileRecord(doc_id, stat.st_size, stat.st_mtime_ns))
    return FileResult(key, status, note, doc_id=doc_id, title=record.title,
                      pages=record.pages, chunks=record.chunks)


def _embed_chunks(library: Library, embedder: Embedder, chunks: list[Chunk],
                  progress: Progress) -> None:
    # large slices: sentence-transformers sorts a call's texts by length before batching,
    # so fewer, larger calls pad less (measured in benchmarks/ingest.py)
    step = embedder.batch_size * 8
    for start in range(0, len(chunks), step):
        batch = chunks[start:start + step]
        library.vectors.add(batch, embedder.embed([c.text for c in batch]))
        progress.chunks_embedded(len(batch))


def _point_file(library: Library, manifest: Manifest, key: str, record: FileRecord) -> None:
    """Map a file to a document, dropping the document it pointed to if nothing else does."""
    old = manifest.files.get(key)
    manifest.files[key] = record
    if old and old.doc_id != record.doc_id:
        _drop_orphan(library, manifest, old.doc_id)
    _refresh_sources(manifest)
    manifest.save(library.manifest_path)


def _drop_orphan(library: Library, manifest: Manifest, doc_id: str) -> bool:
    if any(f.doc_id == doc_id for f in manifest.files.values()):
        return False
    manifest.documents.pop(doc_id, None)
    library.remove_documents([doc_id])
    return True


def _refresh_sources(manifest: Manifest) -> None:
    for doc_id, doc in manifest.documents.items():
        doc.sources = manifest.sources_of(doc_id)


def _prune(library: Library, manifest: Manifest, roots: list[Path]) -> list[FileResult]:
    """Forget files under `roots` that no longer exist, and documents left without a file."""
    removed = []
    for key in sorted(manifest.files):
        path = Path(key)
        under = any(path == r or r in path.parents for r in roots)
        if under and not path.exists():
            record = manifest.files.pop(key)
            title = manifest.documents.get(record.doc_id, None)
            dropped = _drop_orphan(library, manifest, record.doc_id)
            removed.append(FileResult(key, "removed", "file no longer exists" if dropped
                                      else "file gone; content still indexed from another file",
                                      record.doc_id, title.title if title else ""))
    if removed:
        _refresh_sources(manifest)
        manifest.save(library.manifest_path)
    return removed
