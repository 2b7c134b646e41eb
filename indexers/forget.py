"""Removing documents on request (`longdoc forget`): their manifest entries and files, chunks,
vectors, BM25 entries and trees, in one crash-safe step under the library's write lock.

Order: the manifest is saved first without the documents and with their ids `pending`, so
from that moment no reader sees them; then their data is deleted and BM25 rebuilt; then
`pending` is cleared. A run killed in between leaves data that nothing reads, which the next
forget or ingest deletes (the same recovery as an interrupted ingest).
"""

from __future__ import annotations

from dataclasses import dataclass

from longdoc.core.files import write_lock
from longdoc.indexers.library import DamagedDocument, Library
from longdoc.indexers.manifest import DocRecord


@dataclass
class Forgotten:
    record: DocRecord
    # the document's text, read before it was deleted: the caller finds the model states
    # computed from it ('' when its stored file was damaged)
    text: str


def forget_documents(library: Library, refs: list[str]) -> list[Forgotten]:
    """Remove the documents `refs` name (id prefix, title, file name or path). Every ref is
    resolved before anything is removed: an unknown or ambiguous one removes nothing."""
    with write_lock(library.root):
        library.reload()
        manifest = library.manifest
        records = list({r.doc_id: r for r in map(library.resolve_doc, refs)}.values())
        gone = [Forgotten(r, _text(library, r.doc_id)) for r in records]
        ids = [r.doc_id for r in records]
        stale = [d for d in manifest.pending if d not in manifest.documents]
        for doc_id in ids:
            del manifest.documents[doc_id]
        for key in [k for k, f in manifest.files.items() if f.doc_id in ids]:
            del manifest.files[key]
        manifest.pending = sorted(set(stale) | set(ids))
        manifest.save(library.manifest_path)
        library.remove_documents(manifest.pending)
        library.save_bm25()
        manifest.pending = []
        manifest.save(library.manifest_path)
    return gone


def _text(library: Library, doc_id: str) -> str:
    try:
        return "\n".join(library.load_document(doc_id).pages)
    except DamagedDocument:
        return ""
