"""Tree grouping: consecutive chunks (what `tree` does) against RAPTOR-style clusters of chunk
embeddings (Gaussian mixture, as many groups as order grouping makes), on the same documents.

    .venv/bin/python benchmarks/tree_grouping.py [DOC ...]   (default: dev PDFs + essays)

No LLM is run: it counts what the first level of summaries would have to read (MiniLM tokens)
and how scattered each group is (pages spanned, separate runs of text). A cluster of
non-adjacent chunks must be read chunk by chunk, overlaps included; a run of adjacent chunks
is read once as one span.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.mixture import GaussianMixture

from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library
from longdoc.indexers.types import Chunk

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"
GROUP_TOKENS = 1024


def order_groups(chunks: list[Chunk]) -> list[list[Chunk]]:
    groups, current, used = [], [], 0
    for c in chunks:
        if current and used + c.tokens > GROUP_TOKENS:
            groups.append(current)
            current, used = [], 0
        current.append(c)
        used += c.tokens
    return groups + ([current] if current else [])


def cluster_groups(chunks: list[Chunk], vectors: np.ndarray, k: int) -> list[list[Chunk]]:
    labels = GaussianMixture(n_components=k, random_state=0).fit_predict(vectors)
    return [[c for c, label in zip(chunks, labels, strict=True) if label == g]
            for g in range(k) if any(labels == g)]


def read_tokens(group: list[Chunk], tokenizer, text: str) -> int:
    """Tokens to read: each run of adjacent chunks once as one span."""
    total, run = 0, [group[0]]
    for c in group[1:]:
        if c.index == run[-1].index + 1:
            run.append(c)
        else:
            total += tokenizer.count(text[run[0].char_start:run[-1].char_end])
            run = [c]
    return total + tokenizer.count(text[run[0].char_start:run[-1].char_end])


def runs(group: list[Chunk]) -> int:
    return 1 + sum(1 for a, b in zip(group, group[1:], strict=False) if b.index != a.index + 1)


def main() -> None:
    docs = [Path(p) for p in sys.argv[1:]] or sorted((DEV / "pdfs").rglob("*.pdf"))[:4] + [
        DEV / "docs" / "tonic_pg" / "gap.txt"]
    embedder = Embedder()
    print(f"{'document':<22}{'tokens':>8}{'groups':>7}  {'read: order':>11} {'clusters':>9}"
          f"  {'pages/group: order':>18} {'clusters':>9}  {'runs/cluster':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "lib")
        ingest(lib, docs, embedder)
        for record in lib.documents():
            chunks = lib.load_chunks(record.doc_id)
            text = lib.load_document(record.doc_id).text
            vectors = np.asarray(embedder.embed([c.text for c in chunks]))
            by_order = order_groups(chunks)
            by_cluster = [sorted(g, key=lambda c: c.index)
                          for g in cluster_groups(chunks, vectors, len(by_order))]
            tok = embedder.tokenizer
            read_order = sum(read_tokens(g, tok, text) for g in by_order)
            read_cluster = sum(read_tokens(g, tok, text) for g in by_cluster)
            pages_order = np.mean([g[-1].page_end - g[0].page_start + 1 for g in by_order])
            pages_cluster = np.mean([len({p for c in g for p in range(c.page_start,
                                                                      c.page_end + 1)})
                                     for g in by_cluster])
            print(f"{record.title[:21]:<22}{record.tokens:>8,}{len(by_order):>7}  "
                  f"{read_order / record.tokens:>11.2f} {read_cluster / record.tokens:>9.2f}  "
                  f"{pages_order:>18.1f} {pages_cluster:>9.1f}  "
                  f"{np.mean([runs(g) for g in by_cluster]):>12.1f}")
    print("read: tokens the first level of summaries reads / document tokens")


if __name__ == "__main__":
    main()
