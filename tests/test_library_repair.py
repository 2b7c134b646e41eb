"""Damaged libraries: a bad document JSON, a deleted or corrupt vector store, a lost manifest.
Re-ingest repairs what is damaged; questions leave out what cannot be read, with a warning."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from longdoc.cli.runtime import select_documents, warn_missing_vectors
from longdoc.core.errors import LongdocError
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.registry import get_pipeline

from conftest import LIGHTHOUSE
from fakes import ScriptedLLM

MILL = ("The mill on the river Dee was built by Tobias Wren in 1871. It ground wheat and "
        "barley for the village of Hollin until the flood of 1923 broke its wheel.\n")


@pytest.fixture
def library(tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lighthouse.txt").write_text(LIGHTHOUSE)
    (docs / "mill.txt").write_text(MILL)
    lib = Library(tmp_path / "index")
    ingest(lib, [docs], embedder)
    return lib, docs


def _doc_id(lib: Library, title_word: str) -> str:
    return next(d.doc_id for d in Library(lib.root).documents() if title_word in d.title.lower()
                or any(title_word in s for s in d.sources))


def _forget_chroma_clients() -> None:
    """chromadb keeps one client per path in a process; a new process would not have it."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


@pytest.mark.parametrize("damage", [b"{cut off", b'{"title": "x"}',
                                    b'{"title": "t", "kind": "txt", "pages": ["p"], '
                                    b'"chunks": [{"text": 5}]}'])
def test_a_damaged_document_is_left_out_then_repaired(library, embedder, damage, capsys):
    lib, docs = library
    mill = _doc_id(lib, "mill")
    lib.doc_path(mill).write_bytes(damage)
    fresh = Library(lib.root)
    with pytest.raises(LongdocError, match="damaged on disk.*re-ingest its file"):
        fresh.load_chunks(mill)
    doc_ids = select_documents(fresh, None)
    assert mill not in doc_ids and len(doc_ids) == 1
    assert "is damaged on disk" in capsys.readouterr().err
    ctx = AskContext(fresh, ScriptedLLM("Ada Quill"), doc_ids)
    assert get_pipeline("full").answer("Who kept the light?", ctx).text == "Ada Quill"
    (docs / "mill.txt").touch()
    report = ingest(Library(lib.root), [docs], embedder)
    status = {os.path.basename(r.path): (r.status, r.reason) for r in report.results}
    assert status["mill.txt"][0] == "updated" and "repaired" in status["mill.txt"][1]
    assert status["lighthouse.txt"] == ("unchanged", "")
    repaired = Library(lib.root)
    assert repaired.load_chunks(mill) and select_documents(repaired, None).count(mill) == 1
    assert repaired.vectors.count() == sum(d.chunks for d in repaired.documents())


def test_a_deleted_vector_store_is_noticed_and_reembedded(library, embedder, capsys):
    lib, docs = library
    chunks = sum(d.chunks for d in lib.documents())
    shutil.rmtree(lib.root / "chroma")
    _forget_chroma_clients()
    fresh = Library(lib.root)
    warn_missing_vectors(fresh, [d.doc_id for d in fresh.documents()])
    assert capsys.readouterr().err.count("vectors in") == 2
    report = ingest(Library(lib.root), [docs], embedder)
    repaired = [r for r in report.results if r.status == "repaired"]
    assert len(repaired) == 2 and all("0 of" in r.reason for r in repaired)
    assert report.embedded_chunks == chunks
    again = Library(lib.root)
    assert again.vectors.count() == chunks
    hits = again.vectors.search(embedder.embed(["Who built the mill?"])[0], 1)
    assert hits[0][0] == _doc_id(lib, "mill")
    assert ingest(Library(lib.root), [docs], embedder).count("repaired") == 0


def test_a_corrupt_vector_store_is_one_error_then_rebuilt(library, embedder):
    lib, docs = library
    chunks = sum(d.chunks for d in lib.documents())
    sqlite = lib.root / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(b"this is not a database" * 1000)
    _forget_chroma_clients()
    with pytest.raises(LongdocError, match="chroma.sqlite3 cannot be read"):
        Library(lib.root).vectors.count()
    report = ingest(Library(lib.root), [docs], embedder)
    assert report.results[0].status == "repaired" and "moved to chroma.damaged-" in \
        report.results[0].reason
    assert len(list(lib.root.glob("chroma.damaged-*"))) == 1  # kept, not deleted
    assert Library(lib.root).vectors.count() == chunks


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "longdoc.cli.main", *args],
                          capture_output=True, text=True, timeout=600)


def _one_line_error(result, text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error:")
    assert text in " ".join(result.stderr.split())


def test_cli_corrupt_chroma_damaged_document_and_index_a_file(library, tmp_path):
    lib, _ = library
    mill = _doc_id(lib, "mill")
    lib.doc_path(mill).write_text(json.dumps({"title": "wrong shape"}))
    missing_model = str(tmp_path / "missing.gguf")
    result = _cli("ask", "Who?", "--index", str(lib.root), "-p", "full", "--model",
                  missing_model)
    assert "is damaged on disk" in result.stderr and "left out" in result.stderr
    _one_line_error(result, "not found")  # it went on to load the model
    (lib.root / "chroma" / "chroma.sqlite3").write_bytes(b"\x00garbage" * 4096)
    _one_line_error(_cli("ask", "Who?", "--index", str(lib.root), "-p", "rag", "--model",
                         missing_model), "chroma.sqlite3 cannot be read")
    _one_line_error(_cli("docs", "--index", str(lib.root / "manifest.json")),
                    "is a file, not a library folder")


def test_cli_lost_manifest_and_private_files(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "mill.txt").write_text(MILL)
    index = tmp_path / "index"
    first = _cli("ingest", str(docs), "--index", str(index))
    assert first.returncode == 0, first.stderr
    modes = {p: p.stat().st_mode & 0o777 for p in [index, *index.rglob("*")]}
    assert modes and all(m == (0o700 if p.is_dir() else 0o600) for p, m in modes.items()), \
        {str(p.relative_to(tmp_path)): oct(m) for p, m in modes.items()}
    (index / "manifest.json").unlink()
    before = sorted(p.relative_to(index) for p in index.rglob("*"))
    _one_line_error(_cli("docs", "--index", str(index)), "has lost its manifest.json")
    assert sorted(p.relative_to(index) for p in index.rglob("*")) == before
    again = _cli("ingest", str(docs), "--index", str(index), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["results"][0]["status"] == "added"
    listed = _cli("docs", "--index", str(index), "--json")
    assert len(json.loads(listed.stdout)["documents"]) == 1
