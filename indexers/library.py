"""A library on disk: manifest, one JSON file per document (pages and chunks), chroma vectors,
a BM25 index and caches (trees, model states) that belong to it.

Layout of `root/`:
    manifest.json          documents, source files, build settings
    docs/<doc_id>.json     title, pages, chunks of one document
    chroma/                chromadb PersistentClient (dense vectors of every chunk)
    chroma_server.json     instead, a Chroma server's URL and collection holding them
    bm25.json              BM25 index over every chunk (keys and tokens; an old bm25.pkl
                           is never loaded, and removed when the index is written)
    trees/                 tree-of-summaries cache (per document and model)
    .lock                  write lock
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.core.files import write_json_atomic
from longdoc.indexers.bm25_index import BM25Index
from longdoc.indexers.chroma_server import chroma_server
from longdoc.indexers.manifest import DocRecord, Manifest
from longdoc.indexers.tree_store import TreeStore
from longdoc.indexers.types import Chunk, Document
from longdoc.indexers.vector_store import VectorStore


def data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "longdoc"


def library_path(index: Path | None = None, name: str | None = None) -> Path:
    """A folder (`index`) wins; else the library `name` under the data directory; else
    'default'. (The CLI fills these in from flags and configuration: cli/config.py.)"""
    if index is not None:
        return Path(index).expanduser().resolve()
    return data_home() / "libraries" / (name or "default")


class DamagedDocument(LongdocError):
    """A document's JSON cannot be read or has the wrong shape."""


CHUNK_FIELDS = {"doc_id": str, "index": int, "text": str, "page_start": int, "page_end": int,
                "char_start": int, "char_end": int}


def doc_file_problem(raw: object) -> str:
    """What is wrong with the shape of a document's JSON ('' when nothing is)."""
    if not isinstance(raw, dict):
        return "not a JSON object"
    for key, kind in (("title", str), ("kind", str), ("pages", list), ("chunks", list)):
        if not isinstance(raw.get(key), kind):
            return f"no {key}"
    if not all(isinstance(p, str) for p in raw["pages"]):
        return "a page is not text"
    for chunk in raw["chunks"]:
        if not isinstance(chunk, dict) or not all(
                isinstance(chunk.get(k), t) for k, t in CHUNK_FIELDS.items()):
            return "a chunk has the wrong shape"
    return ""


class Library:
    def __init__(self, root: Path, chroma: str | None = None) -> None:
        """`chroma`: a Chroma server's URL for the vectors (recorded in the library)."""
        self.root = Path(root)
        self.chroma = chroma
        if self.root.exists() and not self.root.is_dir():
            raise LongdocError(f"library {self.root} is a file, not a library folder "
                               "(--index takes a folder)")
        self._manifest: Manifest | None = None
        self._bm25: BM25Index | None = None

    # ---- paths -------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def bm25_path(self) -> Path:
        return self.root / "bm25.json"

    @cached_property
    def trees(self) -> TreeStore:
        return TreeStore(self.root / "trees")

    def doc_path(self, doc_id: str) -> Path:
        return self.root / "docs" / f"{doc_id}.json"

    # ---- state ---------------------------------------------------------------------------
    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = Manifest.load(self.manifest_path)
            if self._manifest is None:
                raise LongdocError(self._no_manifest())
        return self._manifest

    def _no_manifest(self) -> str:
        left = [name for name in ("docs", "chroma", "trees")
                if (self.root / name).is_dir() and any((self.root / name).iterdir())]
        if not left:
            return f"nothing ingested yet in library {self.root} (run: longdoc ingest PATH)"
        return (f"library {self.root} has lost its manifest.json, but {' and '.join(left)} "
                f"are still there (nothing was deleted); rebuild the manifest by ingesting "
                f"the files again: longdoc ingest PATH --index {self.root}")

    def set_manifest(self, manifest: Manifest) -> None:
        self._manifest = manifest

    def reload(self) -> None:
        self._manifest = None

    @cached_property
    def vectors(self) -> VectorStore:
        return VectorStore(self.root / "chroma", chroma_server(self.root, self.chroma))

    def documents(self) -> list[DocRecord]:
        return sorted(self.manifest.documents.values(), key=lambda d: d.title.lower())

    def require_documents(self) -> list[DocRecord]:
        docs = self.documents()
        if not docs:
            raise LongdocError(f"library {self.root} holds no documents (run: longdoc ingest PATH)")
        return docs

    def resolve_doc(self, ref: str) -> DocRecord:
        """Find a document by id (or id prefix), title, source path or file name."""
        docs = self.manifest.documents
        if ref in docs:
            return docs[ref]
        ref_path = str(Path(ref).expanduser().resolve())
        matches = [d for d in docs.values()
                   if (len(ref) >= 6 and d.doc_id.startswith(ref)) or d.title == ref
                   or ref_path in d.sources or any(Path(s).name == ref for s in d.sources)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise LongdocError(f"no indexed document matches '{ref}' (see: longdoc docs)")
        raise LongdocError(f"'{ref}' matches {len(matches)} documents; use the document id")

    # ---- per-document data ---------------------------------------------------------------
    def write_document(self, doc: Document, chunks: list[Chunk]) -> None:
        write_json_atomic(self.doc_path(doc.doc_id), {
            "doc_id": doc.doc_id, "title": doc.title, "kind": doc.kind, "pages": doc.pages,
            "ocr_pages": doc.ocr_pages, "chunks": [c.to_dict() for c in chunks],
        })

    def _read_doc_file(self, doc_id: str) -> dict:
        path = self.doc_path(doc_id)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            problem = doc_file_problem(raw)
        except (OSError, ValueError, RecursionError) as exc:
            problem = getattr(exc, "strerror", None) or str(exc)
        if problem:
            title = self.manifest.documents.get(doc_id)
            name = f"'{title.title}'" if title else doc_id[:12]
            raise DamagedDocument(f"document {name} is damaged on disk ({path}: {problem}); "
                                  "re-ingest its file to repair it")
        return raw

    def damaged(self, doc_id: str) -> str:
        """Why the document's JSON cannot be used ('' when it can)."""
        try:
            self._read_doc_file(doc_id)
        except DamagedDocument as exc:
            return str(exc)
        return ""

    def load_document(self, doc_id: str) -> Document:
        raw = self._read_doc_file(doc_id)
        ocr = raw.get("ocr_pages")  # absent before OCR existed
        ocr = [p for p in ocr if isinstance(p, int)] if isinstance(ocr, list) else []
        return Document(doc_id=doc_id, title=raw["title"], pages=raw["pages"], kind=raw["kind"],
                        ocr_pages=ocr)

    def load_chunks(self, doc_id: str) -> list[Chunk]:
        return [Chunk.from_dict(c) for c in self._read_doc_file(doc_id)["chunks"]]

    def remove_documents(self, doc_ids: list[str]) -> None:
        """Drop documents from vectors and disk (the caller updates and saves the manifest)."""
        if not doc_ids:
            return
        self.vectors.delete_documents(doc_ids)
        for doc_id in doc_ids:
            self.doc_path(doc_id).unlink(missing_ok=True)
            self.trees.remove(doc_id)

    # ---- retrieval -----------------------------------------------------------------------
    def bm25(self) -> BM25Index:
        """The stored BM25 index (kept in memory once read), rebuilt when it does not match
        the manifest."""
        wanted = sorted(self.manifest.documents)
        if self._bm25 is not None and self._bm25.doc_ids == wanted:
            return self._bm25
        index = BM25Index.load(self.bm25_path) if self.bm25_path.exists() else None
        if index is None or index.doc_ids != wanted:
            index = self.build_bm25()
        self._bm25 = index
        return index

    def bm25_problem(self) -> str:
        """What is wrong with the stored BM25 index ('' when it matches the documents)."""
        if not self.bm25_path.exists():
            return "missing"
        index = BM25Index.load(self.bm25_path)
        if index is None:
            return "unreadable or of another format"
        documents = self.manifest.documents
        if index.doc_ids != sorted(documents) or \
                len(index.keys) != sum(d.chunks for d in documents.values()):
            return "does not match the documents of the manifest"
        return ""

    def save_bm25(self) -> None:
        """Rebuild the stored BM25 index from the documents (and drop a pickled one of old)."""
        self.build_bm25().save(self.bm25_path)
        (self.root / "bm25.pkl").unlink(missing_ok=True)

    def build_bm25(self) -> BM25Index:
        return BM25Index.build(
            (c.doc_id, c.index, c.text)
            for doc_id in sorted(self.manifest.documents) for c in self.load_chunks(doc_id)
        )
