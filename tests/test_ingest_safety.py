"""Ingest never hangs on or opens what is not a regular file, and never prunes under a path
that cannot be read."""

from __future__ import annotations

import os
import shutil
import signal

import pytest

from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library

from conftest import LIGHTHOUSE, SAMPLE_DOCS


@pytest.fixture
def alarm():
    """Fail instead of hanging forever (a FIFO opened for reading blocks)."""
    def timeout(signum, frame):
        raise TimeoutError("ingest hung")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_prune_under_a_missing_path_removes_nothing(tmp_path, embedder):
    docs = tmp_path / "docs"
    shutil.copytree(SAMPLE_DOCS, docs)
    lib = Library(tmp_path / "index")
    ingest(lib, [docs], embedder)
    chunks = lib.vectors.count()
    docs.rename(tmp_path / "unplugged")  # a disk that is not mounted, a typo
    report = ingest(Library(lib.root), [docs], embedder, prune=True)
    assert report.count("removed") == 0
    notes = {r.status: r.reason for r in report.results}
    assert notes["failed"] == "no such file or directory"
    assert notes["skipped"].startswith("not pruned: no such file or directory")
    fresh = Library(lib.root)
    assert len(fresh.documents()) == 3 and fresh.vectors.count() == chunks


def test_fifos_and_odd_links_are_skipped_and_listed(tmp_path, embedder, alarm):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text(LIGHTHOUSE)
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("elsewhere")
    (folder / "sub" / "to_folder").symlink_to(other, target_is_directory=True)
    lib = Library(tmp_path / "index")
    report = ingest(lib, [folder, folder / "pipe.txt"], embedder)
    reasons = {os.path.basename(r.path): (r.status, r.reason) for r in report.results}
    assert reasons["good.txt"][0] == "added"
    assert reasons["pipe.txt"] == ("skipped", "not a regular file (FIFO)")
    assert reasons["dangling.txt"] == ("skipped", "not a regular file (dangling symbolic link)")
    assert reasons["loop.txt"] == ("skipped", "not a regular file (symbolic link loop)")
    assert reasons["to_folder"] == ("skipped", "not a regular file (link to a folder, "
                                               "not followed)")
    assert report.count("skipped") == 5  # the FIFO given by name is listed too


def test_prune_under_an_unreadable_folder_removes_nothing(tmp_path, monkeypatch):
    from longdoc.indexers import prune
    from longdoc.indexers.manifest import DocRecord, FileRecord, Manifest

    folder = tmp_path / "papers"
    folder.mkdir()
    manifest = Manifest("e", 200, 40)
    manifest.documents["d"] = DocRecord("d", "T", "txt", 1, 1, 1, 1, "now")
    manifest.files[str(folder / "gone.txt")] = FileRecord("d", 1, 1)
    real_listdir = os.listdir

    def listdir(path):
        if str(path) == str(folder):
            raise PermissionError(13, "Permission denied")
        return real_listdir(path)

    monkeypatch.setattr(prune.os, "listdir", listdir)
    results = prune.prune_roots(Library(tmp_path / "index"), manifest, [folder])
    assert [(r.status, r.reason) for r in results] == [
        ("skipped", "not pruned: permission denied, so nothing indexed from under it was "
                    "removed")]
    assert "d" in manifest.documents and len(manifest.files) == 1
    monkeypatch.setattr(prune.os, "listdir", real_listdir)
    removed = prune.prune_roots(Library(tmp_path / "index"), manifest, [folder])
    assert [r.status for r in removed] == ["removed"] and not manifest.documents
