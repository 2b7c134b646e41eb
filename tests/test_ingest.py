"""Ingest on a real library: incremental re-ingest, changes, prune, bad files, crashes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library

from conftest import SAMPLE_DOCS, SAMPLE_PDF
from pdf_factory import blank_pdf, corrupt_copy, encrypted_copy


@pytest.fixture
def docs_dir(tmp_path) -> Path:
    target = tmp_path / "docs"
    shutil.copytree(SAMPLE_DOCS, target)
    return target


def _vector_count_matches(lib: Library) -> None:
    lib.reload()
    expected = sum(d.chunks for d in lib.documents())
    assert lib.vectors.count() == expected


def test_sample_library_contents(sample_library):
    docs = {d.kind: d for d in sample_library.documents()}
    assert set(docs) == {"pdf", "md", "txt"}
    assert docs["pdf"].pages == 10 and docs["pdf"].chunks > 20
    assert all(d.tokens > d.words for d in docs.values())
    _vector_count_matches(sample_library)
    hits = sample_library.bm25().search("Royal McBee LGP-30 Mel", k=3)
    assert hits and hits[0][0] == docs["pdf"].doc_id


def test_reingest_unchanged_is_fast_and_embeds_nothing(tmp_path, docs_dir, embedder):
    lib = Library(tmp_path / "index")
    first = ingest(lib, [docs_dir], embedder)
    assert first.count("added") == 3
    started = time.perf_counter()
    second = ingest(Library(lib.root), [docs_dir], embedder)
    elapsed = time.perf_counter() - started
    assert second.count("unchanged") == 3 and second.embedded_chunks == 0
    assert elapsed < 1.0


def test_changed_file_replaces_its_chunks(tmp_path, docs_dir, embedder):
    lib = Library(tmp_path / "index")
    ingest(lib, [docs_dir], embedder)
    target = docs_dir / "hacker_writing_style.txt"
    old_id = lib.resolve_doc("hacker_writing_style.txt").doc_id
    target.write_text("A short replacement text about the colour of the sky: it is teal.\n")
    report = ingest(Library(lib.root), [docs_dir], embedder)
    assert report.count("updated") == 1
    lib = Library(lib.root)
    assert old_id not in lib.manifest.documents
    assert not lib.doc_path(old_id).exists()
    assert len(lib.documents()) == 3
    _vector_count_matches(lib)
    new = lib.resolve_doc("hacker_writing_style.txt")
    assert lib.bm25().search("teal sky", k=1)[0][0] == new.doc_id


def test_duplicate_content_is_indexed_once(tmp_path, docs_dir, embedder):
    shutil.copy(docs_dir / "hacker_slang_and_culture.md", docs_dir / "copy.md")
    lib = Library(tmp_path / "index")
    report = ingest(lib, [docs_dir], embedder)
    assert report.count("added") == 3 and report.count("duplicate") == 1
    assert len(lib.documents()) == 3
    _vector_count_matches(lib)


def test_prune_removes_vanished_files(tmp_path, docs_dir, embedder):
    lib = Library(tmp_path / "index")
    ingest(lib, [docs_dir], embedder)
    (docs_dir / "hacker_slang_and_culture.md").unlink()
    kept = ingest(Library(lib.root), [docs_dir], embedder)
    assert len(Library(lib.root).documents()) == 3 and kept.count("removed") == 0
    pruned = ingest(Library(lib.root), [docs_dir], embedder, prune=True)
    assert pruned.count("removed") == 1
    lib = Library(lib.root)
    assert len(lib.documents()) == 2
    _vector_count_matches(lib)
    assert all(d.kind != "md" for d in lib.documents())


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path, embedder):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SAMPLE_DOCS / "hacker_slang_and_culture.md", folder / "good.md")
    corrupt_copy(SAMPLE_PDF, folder / "corrupt.pdf")
    encrypted_copy(SAMPLE_PDF, folder / "locked.pdf")
    blank_pdf(folder / "scanned.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "latin1.txt").write_bytes("Crème brûlée à la café, naïve façade. " .encode("latin-1")
                                        * 30)
    (folder / "table.xlsx").write_bytes(b"PK\x03\x04")
    lib = Library(tmp_path / "index")
    report = ingest(lib, [folder, tmp_path / "does-not-exist"], embedder)
    status = {Path(r.path).name: (r.status, r.reason) for r in report.results}
    assert status["good.md"][0] == "added"
    assert status["latin1.txt"][0] == "added"
    assert status["corrupt.pdf"] == ("failed", status["corrupt.pdf"][1])
    assert "corrupt PDF" in status["corrupt.pdf"][1]
    assert "encrypted" in status["locked.pdf"][1]
    assert "no extractable text" in status["scanned.pdf"][1]
    assert status["empty.txt"] == ("failed", "empty file")
    assert status["binary.txt"] == ("failed", "binary content, not text")
    assert status["table.xlsx"][0] == "skipped"
    assert status["does-not-exist"] == ("failed", "no such file or directory")
    assert report.indexed_any
    assert len(Library(lib.root).documents()) == 2


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longdoc.cli.main", *args],
                          capture_output=True, text=True, timeout=300, **kwargs)


def test_cli_exit_codes_and_json(tmp_path, docs_dir):
    index = str(tmp_path / "index")
    ok = _cli("ingest", str(docs_dir), "--index", index, "--json")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert sorted(r["status"] for r in data["results"]) == ["added"] * 3
    listing = json.loads(_cli("docs", "--index", index, "--json").stdout)
    assert len(listing["documents"]) == 3
    assert {"title", "pages", "words", "tokens", "chunks", "ingested_at"} <= set(
        listing["documents"][0])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    none = _cli("ingest", str(bad), "--index", str(tmp_path / "other"))
    assert none.returncode == 2
    assert "empty file" in none.stdout
    assert "Traceback" not in none.stdout + none.stderr


def test_cli_docs_on_empty_library_is_one_line(tmp_path):
    result = _cli("docs", "--index", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: nothing ingested yet")
    assert len(result.stderr.strip().splitlines()) == 1


def test_killed_ingest_leaves_usable_library_and_next_run_finishes(tmp_path, embedder):
    folder = tmp_path / "many"
    folder.mkdir()
    text = (SAMPLE_DOCS / "hacker_writing_style.txt").read_text()
    for i in range(12):
        (folder / f"doc{i:02d}.txt").write_text(f"Document number {i}.\n\n{text}")
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "longdoc.cli.main", "ingest", str(folder),
                             "--index", str(index)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = index / "manifest.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if manifest.exists():
            try:
                done = len(json.loads(manifest.read_text())["documents"])
            except ValueError:
                done = 0
            if done >= 2:
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = Library(index)
    assert 2 <= len(partial.documents()) < 12, "the kill came too late to test anything"
    # usable as it is: listing and searching only see complete documents
    assert partial.bm25().search("hacker writing style", k=3)
    report = ingest(Library(index), [folder], embedder)
    assert report.count("added") + report.count("unchanged") == 12
    lib = Library(index)
    assert len(lib.documents()) == 12 and not lib.manifest.pending
    _vector_count_matches(lib)


def test_a_second_writer_gets_a_clear_busy_error(tmp_path, docs_dir, embedder):
    from longdoc.core.errors import LibraryBusy
    from longdoc.core.files import write_lock

    lib = Library(tmp_path / "index")
    with write_lock(lib.root):  # another writer holds the library
        with pytest.raises(LibraryBusy, match="is busy: another longdoc process"):
            ingest(lib, [docs_dir], embedder)
    assert ingest(lib, [docs_dir], embedder).count("added") == 3  # free again
