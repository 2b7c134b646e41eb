"""Repairs an ingest makes before it indexes anything new.

- A vector store that cannot be read (corrupt chroma.sqlite3) is moved aside, not deleted.
- Every document whose vectors in chromadb fall short of (or exceed) its chunk count in the
  manifest (a deleted or partly lost chroma/) is re-embedded from the chunks stored in its
  JSON; the file itself is not needed.
- A document whose JSON is damaged is forgotten so that its file is read again.
"""

from __future__ import annotations

from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest_types import FileResult, Progress
from longdoc.indexers.library import DamagedDocument, Library
from longdoc.indexers.manifest import Manifest
from longdoc.indexers.types import Chunk
from longdoc.indexers.vector_store import DamagedVectors


def embed_chunks(library: Library, chunks: list[Chunk], embedder: Embedder,
                 progress: Progress) -> None:
    # large slices: sentence-transformers sorts a call's texts by length before batching,
    # so fewer, larger calls pad less (measured in benchmarks/ingest.py)
    step = embedder.batch_size * 8
    for start in range(0, len(chunks), step):
        batch = chunks[start:start + step]
        library.vectors.add(batch, embedder.embed([c.text for c in batch]))
        progress.chunks_embedded(len(batch))


def restore_vectors(library: Library, manifest: Manifest, embedder: Embedder,
                    progress: Progress) -> list[FileResult]:
    """Re-embed documents whose vectors are missing; see the module docstring."""
    results = []
    try:
        counts = library.vectors.counts_by_doc()
    except DamagedVectors as exc:
        aside = library.vectors.set_aside()
        results.append(FileResult(str(library.vectors.path), "repaired",
                                  f"{exc}; moved to {aside.name}, vectors rebuilt"))
        counts = {}
    for doc_id, record in sorted(manifest.documents.items()):
        have = counts.get(doc_id, 0)
        if have == record.chunks:
            continue
        try:
            chunks = library.load_chunks(doc_id)
        except DamagedDocument:
            continue  # its file is read again, or `ask` leaves it out with a warning
        progress.chunks_queued(len(chunks))
        library.vectors.delete_documents([doc_id])
        embed_chunks(library, chunks, embedder, progress)
        results.append(FileResult(
            (record.sources or [doc_id])[0], "repaired",
            f"{have} of {record.chunks} vectors were in the vector store; re-embedded",
            doc_id, record.title, record.pages, len(chunks)))
    return results


def forget_if_damaged(library: Library, manifest: Manifest, doc_id: str) -> str:
    """Drop a document whose JSON is damaged (vectors and JSON; its trees are kept, the
    chunks come back the same) so its file is read again; returns why, or ''."""
    if doc_id not in manifest.documents:
        return ""
    why = library.damaged(doc_id)
    if why:
        library.vectors.delete_documents([doc_id])
        library.doc_path(doc_id).unlink(missing_ok=True)
        del manifest.documents[doc_id]
    return why
