"""A BM25 (rank-bm25) index over every chunk of a library, pickled beside the manifest."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from longdoc.core.files import write_bytes_atomic
from longdoc.core.text import bm25_tokens


class BM25Index:
    def __init__(self, keys: list[tuple[str, int]], tokens: list[list[str]]) -> None:
        self.keys = keys
        self.doc_ids = sorted({k[0] for k in keys})
        self._bm25 = BM25Okapi(tokens) if keys else None

    @classmethod
    def build(cls, chunks: Iterable[tuple[str, int, str]]) -> BM25Index:
        keys, tokens = [], []
        for doc_id, index, text in chunks:
            keys.append((doc_id, index))
            # one string object per distinct term: each chunk's term-frequency dict keys them,
            # and without interning a 50 MB file's index held a separate copy per occurrence
            tokens.append([sys.intern(t) for t in bm25_tokens(text)])
        return cls(keys, tokens)

    def save(self, path: Path) -> None:
        write_bytes_atomic(path, pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def load(cls, path: Path) -> BM25Index | None:
        try:
            with open(path, "rb") as fh:
                obj = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        return obj if isinstance(obj, cls) else None

    def search(self, query: str, k: int,
               doc_ids: list[str] | None = None) -> list[tuple[str, int, float]]:
        """(doc_id, chunk index, BM25 score), best first; chunks with no query term are left out."""
        terms = bm25_tokens(query)
        if self._bm25 is None or not terms:
            return []
        scores = self._bm25.get_scores(terms)
        if doc_ids is not None:
            allowed = set(doc_ids)
            mask = np.array([key[0] in allowed for key in self.keys])
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores)[:k]
        return [(self.keys[i][0], self.keys[i][1], float(scores[i]))
                for i in order if scores[i] > 0]
