"""One permission policy: files 0600 and folders 0700 wherever longdoc writes."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from longdoc.cli.main import app
from longdoc.core.files import make_private, private_umask, write_json_atomic
from longdoc.llm.state_cache import StateCache


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_atomic_writes_and_new_folders_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        write_json_atomic(tmp_path / "a" / "b" / "x.json", {"k": 1})
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a" / "b") == 0o700 and _mode(tmp_path / "a" / "b" / "x.json") == 0o600


def test_state_files_written_by_a_third_party_under_the_private_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with private_umask():
            cache = StateCache(tmp_path / "states")
            path = cache.store("k" * 40, lambda tmp: tmp.write_bytes(b"kv state") > 0)
        outside = tmp_path / "after.txt"
        outside.write_text("x")  # the umask is restored afterwards
    finally:
        os.umask(old)
    assert _mode(path) == 0o600 and _mode(tmp_path / "states") == 0o700
    assert _mode(tmp_path / "states" / "index.json") == 0o600
    assert _mode(outside) == 0o644


def test_make_private_repairs_an_old_tree(tmp_path):
    (tmp_path / "lib" / "chroma" / "seg").mkdir(parents=True)
    files = [tmp_path / "lib" / "manifest.json", tmp_path / "lib" / "chroma" / "seg" / "data"]
    for f in files:
        f.write_text("x")
        f.chmod(0o644)
    for d in (tmp_path / "lib", tmp_path / "lib" / "chroma", tmp_path / "lib" / "chroma" / "seg"):
        d.chmod(0o755)
    make_private(tmp_path / "lib")
    assert all(_mode(f) == 0o600 for f in files)
    assert _mode(tmp_path / "lib" / "chroma" / "seg") == 0o700 and _mode(tmp_path / "lib") == 0o700


def test_every_command_runs_under_the_private_umask(tmp_path):
    old = os.umask(0o022)
    try:
        result = CliRunner().invoke(app, ["docs", "--index", str(tmp_path / "none")])
        assert result.exit_code == 2
        now = os.umask(0o022)
    finally:
        os.umask(old)
    assert now & 0o077 == 0o077
