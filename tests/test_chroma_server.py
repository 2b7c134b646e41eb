"""A library whose vectors live in a real `chroma run` server: ingest, retrieval, re-ingest
(nothing embedded again), and two ingests from two processes at once (both land, once)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server_procs import chroma_args, free_port, running

pytest.importorskip("chromadb")


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    with running(chroma_args(root / "data", port), f"http://127.0.0.1:{port}/api/v2/heartbeat",
                 root / "chroma.log"):
        yield f"http://127.0.0.1:{port}"


def _ingest(path, index, chroma) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "longdoc.cli.main", "ingest", str(path), "--index", str(index),
         "--chroma", chroma, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "LONGDOC_INDEX": ""})


def _done(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out


def test_ingest_retrieve_reingest(chroma, tmp_path, embedder):
    import json

    from longdoc.indexers.library import Library

    from conftest import LIGHTHOUSE

    (tmp_path / "varn.txt").write_text(LIGHTHOUSE)
    index = tmp_path / "index"
    first = json.loads(_done(_ingest(tmp_path / "varn.txt", index, chroma)))
    assert first["embedded_chunks"] > 0
    assert not (index / "chroma").exists()  # the vectors are in the server only
    library = Library(index)  # finds the server recorded in the library
    assert library.vectors.server.url == chroma
    hits = library.vectors.search(embedder.embed(["Who painted the tower green?"])[0], 2)
    assert hits and hits[0][0] == library.documents()[0].doc_id
    again = json.loads(_done(_ingest(tmp_path / "varn.txt", index, chroma)))
    assert again["embedded_chunks"] == 0


def test_two_concurrent_ingests_both_land_once(chroma, tmp_path):
    from longdoc.indexers.library import Library

    for name, text in (("a.txt", "Alpha station logs the tide at dawn. " * 40),
                       ("b.txt", "Beta station counts the seals at dusk. " * 40)):
        (tmp_path / name).write_text(text)
    index = tmp_path / "index"
    procs = [_ingest(tmp_path / n, index, chroma) for n in ("a.txt", "b.txt")]
    for proc in procs:
        _done(proc)
    library = Library(index)
    records = library.documents()
    assert sorted(r.title for r in records) == ["a", "b"]
    counts = library.vectors.counts_by_doc()
    assert {r.doc_id: r.chunks for r in records} == dict(counts)
    assert library.vectors.count() == sum(r.chunks for r in records)
