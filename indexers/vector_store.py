"""Dense vectors in a chromadb collection (embeddings computed by us, never by chroma): embedded
in the library folder, or in a Chroma server (indexers/chroma_server.py).

Any failure inside chromadb (a corrupt chroma.sqlite3 raises InternalError, sqlite errors or
even a Rust panic) becomes `DamagedVectors`: one line naming the file, and ingest rebuilds the
vectors from the chunks stored with each document.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.core.files import private_umask
from longdoc.indexers.chroma_server import ChromaServer, ChromaServerError
from longdoc.indexers.types import Chunk

COLLECTION = "chunks"


class DamagedVectors(LongdocError):
    """The chromadb store cannot be opened or read."""


class VectorStore:
    def __init__(self, path: Path, server: ChromaServer | None = None) -> None:
        self.path = path
        self.server = server

    @property
    def where(self) -> str:
        if self.server:
            return f"collection {self.server.collection} on {self.server.url}"
        return str(self.path)

    @contextmanager
    def _guard(self):
        """chromadb's own errors as one DamagedVectors line; files made user-only."""
        try:
            with private_umask():
                yield
        except (KeyboardInterrupt, SystemExit, GeneratorExit, LongdocError):
            raise
        except BaseException as exc:  # pyo3 panics derive from BaseException
            detail = " ".join(str(exc).split())[:160]
            if self.server:  # never "damaged": the library's own files are not involved
                raise ChromaServerError(f"the Chroma server at {self.server.url} failed "
                                        f"({type(exc).__name__}: {detail})") from None
            raise DamagedVectors(
                f"the vector store {self.path / 'chroma.sqlite3'} cannot be read "
                f"({type(exc).__name__}: {detail}); run longdoc ingest on your files to "
                "rebuild it") from None

    @cached_property
    def client(self):
        import chromadb
        from chromadb.config import Settings

        with self._guard():
            if self.server:
                return self.server.client()
            return chromadb.PersistentClient(
                path=str(self.path), settings=Settings(anonymized_telemetry=False))

    @cached_property
    def collection(self):
        with self._guard():
            return self.client.get_or_create_collection(
                self.server.collection if self.server else COLLECTION,
                embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )

    def add(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        if not chunks:
            return
        with self._guard():
            self.collection.upsert(
                ids=[c.key for c in chunks], embeddings=vectors,
                metadatas=[{"doc_id": c.doc_id, "index": c.index} for c in chunks],
            )

    def delete_documents(self, doc_ids: list[str]) -> None:
        with self._guard():
            for doc_id in doc_ids:
                self.collection.delete(where={"doc_id": doc_id})

    def count(self) -> int:
        with self._guard():
            return self.collection.count()

    def counts_by_doc(self) -> Counter:
        """Vectors held per document id (a missing store holds none)."""
        if not self.server and not (self.path / "chroma.sqlite3").exists():
            return Counter()
        with self._guard():
            metadatas = self.collection.get(include=["metadatas"])["metadatas"]
            return Counter(m.get("doc_id") for m in metadatas if m)

    def set_aside(self) -> Path:
        """Move a damaged store out of the way (kept for inspection); the next use starts a
        new one."""
        if "client" in self.__dict__:
            try:
                self.client.clear_system_cache()
            except Exception:  # noqa: BLE001 - the store is being discarded anyway
                pass
        self.__dict__.pop("client", None)
        self.__dict__.pop("collection", None)
        target = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        if self.path.exists():
            self.path.rename(target)
        return target

    def search(self, vector: list[float], k: int,
               doc_ids: list[str] | None = None) -> list[tuple[str, int, float]]:
        """(doc_id, chunk index, cosine similarity), best first."""
        total = self.count()
        if total == 0:
            return []
        where = None
        if doc_ids is not None:
            where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": doc_ids}}
        with self._guard():
            res = self.collection.query(query_embeddings=[vector], n_results=min(k, total),
                                        where=where, include=["metadatas", "distances"])
        return [(m["doc_id"], int(m["index"]), 1.0 - float(d))
                for m, d in zip(res["metadatas"][0], res["distances"][0], strict=True)]
