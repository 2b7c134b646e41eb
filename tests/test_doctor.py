"""`longdoc doctor` on a healthy library (exit 0) and on damaged ones (exit 1, naming the
command that repairs each problem; running that command makes the library healthy again)."""

from __future__ import annotations

import json
import shlex
import shutil

import pytest
from typer.testing import CliRunner

from longdoc.cli.main import app
from longdoc.indexers.library import Library

runner = CliRunner()


@pytest.fixture
def library(tmp_path, sample_library) -> Library:
    shutil.copytree(sample_library.root, tmp_path / "index")
    return Library(tmp_path / "index")


def _doctor(lib: Library) -> tuple[int, dict]:
    result = runner.invoke(app, ["doctor", "--index", str(lib.root), "--json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _failed(report: dict) -> list[dict]:
    return [c for c in report["checks"] if c["status"] == "fail"]


def test_healthy_library_exits_0(library):
    code, report = _doctor(library)
    assert code == 0 and report["ok"], _failed(report)
    names = {c["name"] for c in report["checks"]}
    assert {"python", "llama-cpp-python", "context", "manifest", "vectors", "bm25",
            "KV state cache", "OCR of scanned PDFs"} <= names
    assert any(c["name"].startswith("qwen2.5-coder-0.5b") and "sha256" in c["detail"]
               for c in report["checks"])
    text = runner.invoke(app, ["doctor", "--index", str(library.root)], terminal_width=80)
    assert text.exit_code == 0 and "nothing is broken" in text.output


def _lose_text(lib: Library) -> str:
    doc = next(d for d in lib.documents() if d.kind == "txt")
    lib.doc_path(doc.doc_id).unlink()
    return f"document {doc.doc_id[:8]}"


def _corrupt_bm25(lib: Library) -> str:
    lib.bm25_path.write_text('{"version": 1, "keys": [["x", 0]], "tokens": 5}')
    return "bm25"


def _lose_vectors(lib: Library) -> str:
    lib.vectors.delete_documents([next(d for d in lib.documents() if d.kind == "md").doc_id])
    return "vectors"


@pytest.mark.parametrize("damage", [_lose_text, _corrupt_bm25, _lose_vectors])
def test_damage_exits_1_and_the_named_fix_repairs_it(library, damage):
    name = damage(library)
    code, report = _doctor(library)
    failed = _failed(report)
    assert code == 1 and not report["ok"]
    assert [c["name"] for c in failed] == [name]
    fix = failed[0]["fix"]
    assert fix.startswith("longdoc ingest ") and fix.endswith(f"--index {library.root}")
    repaired = runner.invoke(app, shlex.split(fix)[1:])
    assert repaired.exit_code in (0, 2), repaired.output  # 2: nothing new was indexed
    code, report = _doctor(Library(library.root))
    assert code == 0, _failed(report)


def test_lost_manifest_and_empty_library(tmp_path, library):
    library.manifest_path.unlink()
    code, report = _doctor(library)
    assert code == 1 and "lost its manifest" in _failed(report)[0]["detail"]
    code, report = _doctor(Library(tmp_path / "new"))
    manifest = next(c for c in report["checks"] if c["name"] == "manifest")
    assert code == 0 and manifest["status"] == "warn" and "nothing ingested yet" in \
        manifest["detail"]


def test_a_bad_configuration_is_reported(library, monkeypatch):
    monkeypatch.setenv("LONGDOC_CTX", "lots")
    code, report = _doctor(library)
    assert code == 1 and _failed(report)[0]["area"] == "config"
