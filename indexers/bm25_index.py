"""A BM25 (rank-bm25) index over every chunk of a library, stored beside the manifest as data.

The file holds the chunk keys and their tokens as JSON; the rank_bm25 object is rebuilt in
memory on load. Nothing here unpickles: a library folder is data, never code (an old
`bm25.pkl` is ignored and removed when the index is next written).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from longdoc.core.files import write_json_atomic
from longdoc.core.text import bm25_tokens

FORMAT_VERSION = 1


class BM25Index:
    def __init__(self, keys: list[tuple[str, int]], tokens: list[list[str]]) -> None:
        self.keys = keys
        self._tokens = tokens
        self.doc_ids = sorted({k[0] for k in keys})
        self._bm25 = BM25Okapi(tokens) if keys else None

    @classmethod
    def build(cls, chunks: Iterable[tuple[str, int, str]]) -> BM25Index:
        keys, tokens = [], []
        for doc_id, index, text in chunks:
            keys.append((doc_id, index))
            # one string object per distinct term: without interning, a 50 MB file's index
            # held a separate copy of every occurrence
            tokens.append([sys.intern(t) for t in bm25_tokens(text)])
        return cls(keys, tokens)

    def save(self, path: Path) -> None:
        write_json_atomic(path, {"version": FORMAT_VERSION, "keys": self.keys,
                                 "tokens": self._tokens})

    @classmethod
    def load(cls, path: Path) -> BM25Index | None:
        """The stored index, or None when the file is missing, damaged or of another shape."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != FORMAT_VERSION:
                return None
            keys = [(str(d), int(i)) for d, i in raw["keys"]]
            tokens = [[sys.intern(w) for w in t] if isinstance(t, list) else t
                      for t in raw["tokens"]]
            if len(tokens) != len(keys) or not all(
                    isinstance(t, list) and all(isinstance(w, str) for w in t) for t in tokens):
                return None
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None
        return cls(keys, tokens)

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
