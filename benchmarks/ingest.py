"""Ingest benchmark: longdoc's ingest against raw pypdf extraction + raw MiniLM encoding.

    .venv/bin/python benchmarks/ingest.py [PDF_FOLDER]   (default ../shared/eval/dev/pdfs)

Prints pages/s, chunks/s, peak memory, the overhead ratio (target <= 1.15) and the time of a
re-ingest of the unchanged set (target: 0 chunks embedded, under 1 s).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from longdoc.indexers.chunking import ChunkSettings, chunk_document
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library
from longdoc.indexers.loaders import load_file

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev" / "pdfs"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    pdfs = sorted(folder.rglob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDFs under {folder}")
    embedder = Embedder()
    embedder.embed(["warm-up"])  # load the model outside every timing

    # baseline 1: raw pypdf text extraction
    from pypdf import PdfReader

    t0 = time.perf_counter()
    n_pages = 0
    for path in pdfs:
        for page in PdfReader(path).pages:
            page.extract_text()
            n_pages += 1
    t_extract = time.perf_counter() - t0

    # baseline 2: raw SentenceTransformer.encode of the very chunks longdoc makes
    texts = []
    for path in pdfs:
        chunks, _ = chunk_document(load_file(path), embedder.tokenizer, ChunkSettings())
        texts.extend(c.text for c in chunks)
    t0 = time.perf_counter()
    embedder.model.encode(texts, batch_size=embedder.batch_size, show_progress_bar=False)
    t_encode = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "index")
        t0 = time.perf_counter()
        report = ingest(lib, [folder], embedder)
        t_ingest = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ingest(Library(lib.root), [folder], embedder)
        t_again = time.perf_counter() - t0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    baseline = t_extract + t_encode
    print(f"files: {len(pdfs)}  pages: {n_pages}  chunks: {len(texts)}")
    print(f"raw pypdf extraction:   {t_extract:7.2f} s  ({n_pages / t_extract:.1f} pages/s)")
    print(f"raw MiniLM encode:      {t_encode:7.2f} s  ({len(texts) / t_encode:.1f} chunks/s)")
    print(f"longdoc ingest:         {t_ingest:7.2f} s  ({n_pages / t_ingest:.1f} pages/s, "
          f"{report.embedded_chunks / t_ingest:.1f} chunks/s)")
    print(f"ratio ingest / (extract + encode): {t_ingest / baseline:.3f}  (target <= 1.15)")
    print(f"re-ingest unchanged:    {t_again:7.3f} s, {again.embedded_chunks} chunks embedded "
          "(target < 1 s, 0)")
    print(f"peak memory (RSS):      {peak_mb:7.0f} MB")


if __name__ == "__main__":
    main()
