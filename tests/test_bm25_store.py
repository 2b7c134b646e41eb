"""The BM25 index is stored as data: a planted pickle is never loaded, and is replaced."""

from __future__ import annotations

import os
import pickle

from longdoc.indexers.bm25_index import BM25Index
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library

from conftest import LIGHTHOUSE


class _Payload:
    """Unpickling this runs a command that creates a marker file."""

    def __init__(self, marker) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_round_trip_and_damaged_files(tmp_path):
    index = BM25Index.build([("d1", 0, "the green lighthouse"), ("d2", 0, "a red mill")])
    path = tmp_path / "bm25.json"
    index.save(path)
    loaded = BM25Index.load(path)
    assert loaded.keys == [("d1", 0), ("d2", 0)] and loaded.doc_ids == ["d1", "d2"]
    assert loaded.search("lighthouse", 5) == index.search("lighthouse", 5)
    for bad in (b"", b"{not json", b'{"version": 1, "keys": [["d", 0]], "tokens": [5]}',
                b"[1, 2]", pickle.dumps(index)):
        path.write_bytes(bad)
        assert BM25Index.load(path) is None


def test_a_planted_pickle_is_never_loaded(tmp_path, embedder):
    marker = tmp_path / "pwned"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "doc.txt").write_text(LIGHTHOUSE)
    (docs / "mill.txt").write_text("The mill on the river was built by Tobias Wren in 1871. "
                                   "It ground wheat and barley for the village.")
    lib = Library(tmp_path / "index")
    ingest(lib, [docs], embedder)
    assert lib.bm25_path.name == "bm25.json" and lib.bm25_path.exists()
    planted = pickle.dumps(_Payload(marker))
    pickle_path = lib.root / "bm25.pkl"
    pickle_path.write_bytes(planted)
    # an old library: only the pickle is there
    lib.bm25_path.unlink()
    fresh = Library(lib.root)
    assert fresh.bm25().search("Ada Quill logbook", 3)
    assert not marker.exists()
    report = ingest(Library(lib.root), [docs], embedder)
    assert report.count("unchanged") == 2
    assert not marker.exists()
    assert not pickle_path.exists() and lib.bm25_path.exists()  # replaced by the JSON index
    # the stored index is what a new process reads
    assert BM25Index.load(lib.bm25_path).doc_ids == fresh.bm25().doc_ids
