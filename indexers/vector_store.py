"""Dense vectors in an embedded chromadb collection (embeddings computed by us, never by chroma)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from longdoc.indexers.types import Chunk

COLLECTION = "chunks"


class VectorStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @cached_property
    def collection(self):
        import chromadb
        from chromadb.config import Settings

        client = chromadb.PersistentClient(
            path=str(self.path), settings=Settings(anonymized_telemetry=False)
        )
        return client.get_or_create_collection(
            COLLECTION, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    def add(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        if not chunks:
            return
        self.collection.upsert(
            ids=[c.key for c in chunks], embeddings=vectors,
            metadatas=[{"doc_id": c.doc_id, "index": c.index} for c in chunks],
        )

    def delete_documents(self, doc_ids: list[str]) -> None:
        for doc_id in doc_ids:
            self.collection.delete(where={"doc_id": doc_id})

    def count(self) -> int:
        return self.collection.count()

    def search(self, vector: list[float], k: int,
               doc_ids: list[str] | None = None) -> list[tuple[str, int, float]]:
        """(doc_id, chunk index, cosine similarity), best first."""
        total = self.count()
        if total == 0:
            return []
        where = None
        if doc_ids is not None:
            where = {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": doc_ids}}
        res = self.collection.query(query_embeddings=[vector], n_results=min(k, total),
                                    where=where, include=["metadatas", "distances"])
        return [(m["doc_id"], int(m["index"]), 1.0 - float(d))
                for m, d in zip(res["metadatas"][0], res["distances"][0], strict=True)]
