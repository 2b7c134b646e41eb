"""Memory and time of ingesting one large generated text file (issue 13: a 50 MB file peaked
at 10.8 GB RSS). Each measurement runs in a fresh subprocess, so its peak RSS is its own.

    .venv/bin/python benchmarks/ingest_memory.py [--mb 50] [--stage load|chunk|ingest]
                                                 [--embedder real|sampled|stub]

Stages: `load` reads and decodes the file; `chunk` also tokenises and chunks it; `ingest` runs
the whole ingest into a fresh library. `--embedder stub` replaces MiniLM's forward pass with
constant vectors (tokenizer, chromadb, JSON, BM25 all real); `sampled` (the default) also runs
MiniLM for real on one batch in ten calls, so the model and its activations count in the peak
as in a real ingest. Embedding 50 MB for real (58k chunks) takes about an hour on two cores;
the encoder's speed is measured by benchmarks/ingest.py, and its time grows linearly with the
chunks. Each run also measures a baseline (the same stage on a 1 kB file: imports, models,
an empty library) so that the file's own cost shows. Target: peak RSS <= 1.5 GB + 3x the file.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from "
         "at which but have an they you were her she there been one all we their has would "
         "revenue quarter increased decreased compared fiscal operating income net million "
         "customers products services results approximately primarily related due period "
         "café naïve über") .split()


def make_text(path: Path, megabytes: float, seed: int = 0) -> None:
    """Paragraphs of random words, no form feeds: one page, the worst case for chunking."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    with open(path, "w", encoding="utf-8") as fh:
        written = 0
        while written < target:
            para = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 160))) + ".\n\n"
            fh.write(para)
            written += len(para.encode())


def child(stage: str, path: str, embedder_kind: str) -> None:
    """Runs in the subprocess: one stage on `path`, prints JSON."""
    from longdoc.indexers.chunking import ChunkSettings, chunk_document
    from longdoc.indexers.embedder import Embedder
    from longdoc.indexers.ingest import ingest
    from longdoc.indexers.library import Library
    from longdoc.indexers.loaders import load_file

    kinds = {"stub": lambda: StubEmbedder(), "sampled": lambda: StubEmbedder(sample_every=10),
             "real": Embedder}
    embedder = kinds[embedder_kind]()
    embedder.tokenizer.count("warm up")
    if stage == "ingest" and embedder_kind != "stub":  # load the model outside the timing
        getattr(embedder, "_real", embedder).embed(["warm up"])
    started = time.perf_counter()
    out: dict = {}
    if stage in ("load", "chunk"):
        doc = load_file(Path(path))
        out["pages"] = len(doc.pages)
        if stage == "chunk":
            chunks, tokens = chunk_document(doc, embedder.tokenizer, ChunkSettings())
            out.update(chunks=len(chunks), tokens=tokens)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            report = ingest(Library(Path(tmp) / "lib"), [Path(path)], embedder)
            out.update(chunks=report.embedded_chunks, status=report.results[0].status)
    out["seconds"] = time.perf_counter() - started
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


class StubEmbedder:
    """The real tokenizer and name; constant unit vectors instead of MiniLM's forward pass.

    With `sample_every`, every n-th call (and the first) runs MiniLM for real on one batch of
    its texts: the model's memory and its activations at their full batch size are then part
    of the peak, as in a real ingest, at a fraction of the time.
    """

    def __init__(self, sample_every: int = 0) -> None:
        from longdoc.indexers.embedder import Embedder

        self._real = Embedder()
        self.name, self.batch_size = self._real.name, self._real.batch_size
        self.tokenizer = self._real.tokenizer
        self.sample_every, self.calls = sample_every, 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        sampled = self.sample_every and self.calls % self.sample_every == 0
        self.calls += 1
        head = self._real.embed(texts[:self.batch_size]) if sampled else []
        return head + [[1.0] + [0.0] * 383 for _ in texts[len(head):]]


def measure(stage: str, path: str, embedder: str) -> dict:
    cmd = [sys.executable, __file__, "--child", stage, path, embedder]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{stage} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--stage", choices=["load", "chunk", "ingest"], default="ingest")
    parser.add_argument("--embedder", choices=["real", "sampled", "stub"], default="sampled")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path, small = Path(tmp) / "big.txt", Path(tmp) / "small.txt"
        make_text(path, args.mb)
        make_text(small, 0.001, seed=1)
        size_mb = path.stat().st_size / 1e6
        base = measure(args.stage, str(small), args.embedder)
        run = measure(args.stage, str(path), args.embedder)
    budget = 1536 + 3 * size_mb
    print(f"file: {size_mb:.1f} MB, stage: {args.stage}, embedder: {args.embedder}")
    print(f"baseline (the same stage on a 1 kB file): peak RSS {base['peak_mb']:.0f} MB")
    growth = run["peak_mb"] - base["peak_mb"]
    print(f"with the file: peak RSS {run['peak_mb']:.0f} MB (+{growth:.0f} MB = "
          f"{growth / size_mb:.1f}x the file), "
          f"{run['seconds']:.1f} s ({size_mb / run['seconds']:.2f} MB/s)  "
          f"{ {k: v for k, v in run.items() if k not in ('peak_mb', 'seconds')} }")
    verdict = "ok" if run["peak_mb"] <= budget else "OVER"
    print(f"target: peak RSS <= 1.5 GB + 3x file = {budget:.0f} MB: {verdict}")


if __name__ == "__main__":
    main()
