"""`longdoc forget`: documents leave the manifest, chunks, vectors, BM25, trees and the state
cache; an unknown or ambiguous reference removes nothing; the file can be ingested again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from longdoc.cli.main import app
from longdoc.indexers.bm25_index import BM25Index
from longdoc.indexers.forget import forget_documents
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library
from longdoc.llm.state_cache import StateCache

runner = CliRunner()


@pytest.fixture
def library(tmp_path, sample_library) -> Library:
    """A copy of the sample library that the test may change."""
    shutil.copytree(sample_library.root, tmp_path / "index")
    return Library(tmp_path / "index")


def _cli(*args: str, cache=None):
    env = {"XDG_CACHE_HOME": str(cache)} if cache else {}
    return runner.invoke(app, list(args), env=env)


def _by_kind(lib: Library, kind: str):
    return next(d for d in lib.documents() if d.kind == kind)


def test_forget_removes_every_trace_and_only_that_document(library, tmp_path):
    txt, pdf = _by_kind(library, "txt"), _by_kind(library, "pdf")
    tree_dir = library.root / "trees" / txt.doc_id
    tree_dir.mkdir(parents=True)
    (tree_dir / "model.json").write_text("{}")
    states = StateCache(tmp_path / "cache" / "longdoc" / "states")
    page = library.load_document(txt.doc_id).pages[0]
    other = library.load_document(pdf.doc_id).pages[3]
    states.store("mine", lambda p: p.write_bytes(b"x" * 10) > 0, text="Read: " + page[:3000])
    states.store("other", lambda p: p.write_bytes(b"y" * 10) > 0, text="Read: " + other)

    result = _cli("forget", "hacker_writing_style.txt", "--index", str(library.root),
                  "--json", cache=tmp_path / "cache")
    assert result.exit_code == 0, result.output
    gone = json.loads(result.stdout)["forgotten"]
    assert [g["doc_id"] for g in gone] == [txt.doc_id] and gone[0]["states_removed"] == 1

    lib = Library(library.root)
    assert txt.doc_id not in lib.manifest.documents and pdf.doc_id in lib.manifest.documents
    assert not any(f.doc_id == txt.doc_id for f in lib.manifest.files.values())
    assert lib.manifest.pending == []
    assert not lib.doc_path(txt.doc_id).exists() and not tree_dir.exists()
    counts = lib.vectors.counts_by_doc()
    assert txt.doc_id not in counts and counts[pdf.doc_id] == pdf.chunks
    stored = BM25Index.load(lib.bm25_path)
    assert stored is not None and stored.doc_ids == sorted(lib.manifest.documents)
    assert states.lookup("mine") is None and states.lookup("other") is not None
    listing = _cli("docs", "--index", str(library.root), "--json")
    assert txt.doc_id not in listing.stdout and pdf.doc_id in listing.stdout


def test_unknown_or_ambiguous_reference_removes_nothing(tmp_path, embedder):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.txt").write_text(f"Notes from folder {folder}. " * 40)
    lib = Library(tmp_path / "index")
    ingest(lib, [tmp_path / "a", tmp_path / "b"], embedder)
    before = lib.manifest_path.read_bytes()
    first = lib.documents()[0].doc_id
    for ref, message in (("nothing-like-it", "no indexed document matches 'nothing-like-it'"),
                         ("notes.txt", "'notes.txt' matches 2 documents")):
        result = _cli("forget", first[:8], ref, "--index", str(lib.root))
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [f"error: {message}; use the document id"
                                                      if "matches 2" in message else
                                                      f"error: {message} (see: longdoc docs)"]
        assert lib.manifest_path.read_bytes() == before
    assert forget_documents(Library(lib.root), [str(tmp_path / "a" / "notes.txt")])
    assert [d.sources for d in Library(lib.root).documents()] == [[str(tmp_path / "b" /
                                                                       "notes.txt")]]


def test_forgotten_file_can_be_ingested_again(library, embedder):
    md = _by_kind(library, "md")
    source = md.sources[0]
    forget_documents(library, [md.doc_id[:6]])
    report = ingest(Library(library.root), [Path(source)], embedder)
    statuses = {r.path: r.status for r in report.results}
    assert statuses[source] == "added"
    lib = Library(library.root)
    assert lib.manifest.documents[md.doc_id].chunks == md.chunks
    assert lib.vectors.counts_by_doc()[md.doc_id] == md.chunks


def test_a_crash_midway_leaves_the_document_gone_and_the_next_run_cleans_up(library,
                                                                            monkeypatch):
    txt = _by_kind(library, "txt")

    def crash(self, doc_ids):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Library, "remove_documents", crash)
        with pytest.raises(KeyboardInterrupt):
            forget_documents(library, [txt.title])
    lib = Library(library.root)
    assert txt.doc_id not in lib.manifest.documents and lib.manifest.pending == [txt.doc_id]
    assert txt.doc_id in lib.vectors.counts_by_doc()  # left behind, read by nothing
    forget_documents(lib, [_by_kind(lib, "md").doc_id])
    lib = Library(library.root)
    assert lib.manifest.pending == [] and not lib.doc_path(txt.doc_id).exists()
    assert set(lib.vectors.counts_by_doc()) == {_by_kind(lib, "pdf").doc_id}
