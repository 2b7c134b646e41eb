"""Incremental ingest: parse, chunk, embed and store files, one document at a time.

Crash safety: a document's vectors are written only after its id is recorded as `pending` in
the manifest, and the manifest is saved after every document. A run killed at any point
leaves a library whose manifest lists only complete documents; the next run deletes the
vectors of pending ones and does their work again.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from longdoc.core.errors import LoadError, LongdocError
from longdoc.core.files import make_private, write_lock
from longdoc.indexers.chunking import ChunkSettings, chunk_document
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest_types import FileResult, IngestReport, Progress, SilentProgress
from longdoc.indexers.library import Library
from longdoc.indexers.loaders import content_id, discover, load_file, read_bytes
from longdoc.indexers.manifest import DocRecord, FileRecord, Manifest
from longdoc.indexers.prune import drop_orphan, prune_roots, refresh_sources
from longdoc.indexers.repair import embed_chunks, forget_if_damaged, restore_vectors
from longdoc.indexers.types import Document

SHARED_WAIT_S = 900.0  # a shared library waits this long for another ingest


def ingest(library: Library, paths: list[Path], embedder: Embedder,
           settings: ChunkSettings | None = None, prune: bool = False,
           progress: Progress | None = None) -> IngestReport:
    """Index `paths`. A library whose vectors are in a Chroma server is meant to be shared,
    so an ingest there waits for another one to finish instead of failing as busy."""
    import time

    progress = progress or SilentProgress()
    started = time.perf_counter()
    report = IngestReport(library=str(library.root))
    with write_lock(library.root, SHARED_WAIT_S if library.vectors.server else 5.0):
        manifest = _open_manifest(library, embedder, settings)
        settings = ChunkSettings(manifest.chunk_size, manifest.chunk_overlap)
        _recover_pending(library, manifest)
        report.results.extend(restore_vectors(library, manifest, embedder, progress))
        files, problems = discover(paths)
        for path, reason in problems:
            status = "skipped" if reason.startswith(("unsupported", "not a regular")) \
                else "failed"
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
            removed = prune_roots(library, manifest, paths)
            report.results.extend(removed)
            changed |= bool(removed)
        if changed or library.bm25_problem():
            library.save_bm25()
        make_private(library.root)
    report.embedded_chunks = sum(r.chunks for r in report.results
                                 if r.status in {"added", "updated", "repaired"})
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
    damaged = forget_if_damaged(library, manifest, known.doc_id) if known else ""
    if known and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns \
            and known.doc_id in manifest.documents:
        doc = manifest.documents[known.doc_id]
        return FileResult(key, "unchanged", doc_id=doc.doc_id, title=doc.title, pages=doc.pages)
    try:
        data = read_bytes(path)
        doc_id = content_id(data)
        damaged = damaged or forget_if_damaged(library, manifest, doc_id)
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
    result = _index_document(library, manifest, document, embedder, settings, progress)
    result.path, result.status = key, "updated" if known else "added"
    if damaged:
        result.reason = "; ".join(filter(None, [
            "repaired: its stored data was damaged; read again from the file", result.reason]))
    _point_file(library, manifest, key, FileRecord(doc_id, stat.st_size, stat.st_mtime_ns))
    return result


def _index_document(library: Library, manifest: Manifest, document: Document,
                    embedder: Embedder, settings: ChunkSettings,
                    progress: Progress) -> FileResult:
    """Chunk, store and embed a new document, and record it in the manifest."""
    doc_id = document.doc_id
    chunks, n_tokens = chunk_document(document, embedder.tokenizer, settings)
    progress.chunks_queued(len(chunks))
    manifest.pending.append(doc_id)
    manifest.save(library.manifest_path)
    library.write_document(document, chunks)
    embed_chunks(library, chunks, embedder, progress)
    manifest.documents[doc_id] = DocRecord(
        doc_id=doc_id, title=document.title, kind=document.kind, pages=len(document.pages),
        words=document.words(), tokens=n_tokens, chunks=len(chunks),
        ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        ocr_pages=list(document.ocr_pages),
    )
    manifest.pending.remove(doc_id)
    # the loader's warning (a guessed encoding, say) is the report's note
    return FileResult("", "added", document.note, doc_id=doc_id, title=document.title,
                      pages=len(document.pages), chunks=len(chunks))


def _point_file(library: Library, manifest: Manifest, key: str, record: FileRecord) -> None:
    """Map a file to a document, dropping the document it pointed to if nothing else does."""
    old = manifest.files.get(key)
    manifest.files[key] = record
    if old and old.doc_id != record.doc_id:
        drop_orphan(library, manifest, old.doc_id)
    refresh_sources(manifest)
    manifest.save(library.manifest_path)
