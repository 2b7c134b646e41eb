"""Shared fixtures: a real embedder and a real library built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "sample_docs"
SAMPLE_PDF = SAMPLE_DOCS / "hacker_folklore.pdf"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def sample_library(tmp_path_factory, embedder) -> Library:
    """The sample documents, ingested once; tests must not modify it."""
    root = tmp_path_factory.mktemp("sample-library")
    docs = root / "docs"
    shutil.copytree(SAMPLE_DOCS, docs)
    lib = Library(root / "index")
    ingest(lib, [docs], embedder)
    return lib
