"""BM25 load time: the index stored as JSON (keys + tokens, rank_bm25 rebuilt in memory) against
the pickle it replaced, on the dev 10-Q PDFs (about 1,400 chunks).

    .venv/bin/python benchmarks/bm25_load.py [PDF_FOLDER]   (default ../shared/eval/dev/pdfs)

The pickle is made and loaded here only to compare speeds; longdoc never unpickles.
"""

from __future__ import annotations

import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

from longdoc.indexers.bm25_index import BM25Index
from longdoc.indexers.chunking import ChunkSettings, chunk_document
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.loaders import load_file

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev" / "pdfs"


def _median_s(func, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    tokenizer = Embedder().tokenizer
    chunks = []
    for pdf in sorted(folder.rglob("*.pdf")):
        chunks += chunk_document(load_file(pdf), tokenizer, ChunkSettings())[0]
    index = BM25Index.build((c.doc_id, c.index, c.text) for c in chunks)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bm25.json"
        index.save(path)
        old = Path(tmp) / "bm25.pkl"
        old.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        json_s = _median_s(lambda: BM25Index.load(path))
        pickle_s = _median_s(lambda: pickle.loads(old.read_bytes()))
        loaded = BM25Index.load(path)
        query = "net revenue decreased in the third quarter compared with last year"
        assert loaded.search(query, 10) == index.search(query, 10)
        print(f"{len(chunks)} chunks; bm25.json {path.stat().st_size / 1e6:.1f} MB loads in "
              f"{json_s * 1000:.0f} ms (median of 7); the old bm25.pkl "
              f"{old.stat().st_size / 1e6:.1f} MB in {pickle_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
