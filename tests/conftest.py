"""Shared fixtures: a real embedder and a real library built once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from longdoc.cli.config import ALIASES, SETTINGS
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "sample_docs"
SAMPLE_PDF = SAMPLE_DOCS / "hacker_folklore.pdf"


CONFIG_ENV = {s.env for s in SETTINGS.values()} | set(ALIASES) | {"LONGDOC_CONFIG"}


@pytest.fixture(scope="session", autouse=True)
def no_user_config(tmp_path_factory):
    """No test reads the user's configuration: an empty config file, no LONGDOC_* defaults
    (subprocesses inherit this environment)."""
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text("")
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k in CONFIG_ENV}
    os.environ["LONGDOC_CONFIG"] = str(path)
    yield path
    os.environ.pop("LONGDOC_CONFIG", None)
    os.environ.update(saved)


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


LIGHTHOUSE = """The Lighthouse of Varn Island

The lighthouse on Varn Island was built in 1871 by the engineer Tobias Wren. Its first keeper
was a woman named Ada Quill, who kept the light burning for thirty-two years. In 1887 Ada Quill
painted the tower dark green, because the island's council had run out of white paint and the
fishermen said a green tower was easier to see against the winter snow.

The lamp burned whale oil until 1902, when it was replaced by a kerosene lamp brought from
Glasgow. The kerosene lamp could be seen from twenty-one nautical miles away on a clear night.
In 1934 the light was electrified, and a cable was laid from the mainland village of Hollin.

Ada Quill kept a logbook of every ship that passed. Her logbook records 4,112 ships, the largest
of which was the steamer Corvina. She retired in 1903 and was followed by her nephew, Elias
Quill, who kept the light until it was automated in 1961.

Today the lighthouse is a small museum. Visitors can climb the 117 steps to the lamp room, and
the museum shows Ada Quill's logbook, her paint brushes, and the old kerosene lamp.
"""


@pytest.fixture(scope="session")
def model_ref():
    """The default model, assembled into the user cache once (as a user's first run does)."""
    from longdoc.llm.model_store import resolve_model

    return resolve_model(None)


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory, model_ref):
    """Environment for CLI runs: a private cache (state files) that still sees the model."""
    import os

    cache = tmp_path_factory.mktemp("xdg-cache")
    (cache / "longdoc").mkdir()
    (cache / "longdoc" / "models").symlink_to(model_ref.path.parent, target_is_directory=True)
    return {**os.environ, "XDG_CACHE_HOME": str(cache), "LONGDOC_INDEX": ""}


@pytest.fixture(scope="session")
def lighthouse_library(tmp_path_factory, embedder) -> Library:
    root = tmp_path_factory.mktemp("lighthouse")
    (root / "varn_lighthouse.txt").write_text(LIGHTHOUSE)
    lib = Library(root / "index")
    ingest(lib, [root / "varn_lighthouse.txt"], embedder)
    return lib


@pytest.fixture(scope="session")
def real_llm(model_ref, tmp_path_factory):
    """The real default model, loaded once for every end-to-end test."""
    from longdoc.llm.llama import LlamaCppLLM
    from longdoc.llm.state_cache import StateCache

    return LlamaCppLLM(model_ref, n_ctx=10240,
                       state_cache=StateCache(tmp_path_factory.mktemp("states")))
