"""The numpy query encoder gives sentence-transformers' vectors, and Embedder uses it only for
a few texts before torch is loaded."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from longdoc.indexers.embedder import QUICK_TEXTS, Embedder, default_embedder_path
from longdoc.indexers.numpy_bert import NumpyBert, erf

TEXTS = [
    "Why do some people believe that wealth should be distributed equally?",
    "x",
    "Who painted the tower of the Varn Island lighthouse green, and in which year?",
    "The kerosene lamp could be seen from twenty-one nautical miles. " * 40,  # > 256 tokens
]


def test_vectors_match_sentence_transformers(embedder):
    quick = NumpyBert.load(default_embedder_path())
    assert quick is not None
    ours = np.array(quick.embed(TEXTS))
    theirs = np.array(embedder.model.encode(TEXTS, normalize_embeddings=True))
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)


def test_erf_matches_math_erf():
    import math

    xs = np.linspace(-4, 4, 161)
    assert np.abs(erf(xs) - np.array([math.erf(x) for x in xs])).max() < 2e-7


def test_other_layouts_are_left_to_sentence_transformers(tmp_path):
    folder = tmp_path / "other"
    shutil.copytree(default_embedder_path(), folder)
    assert NumpyBert.load(folder) is not None
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_cls_token": True}))
    assert NumpyBert.load(folder) is None
    (folder / "modules.json").write_text("not json")
    assert NumpyBert.load(folder) is None


def test_embedder_uses_numpy_for_a_question_only_before_torch_is_loaded():
    fresh = Embedder()
    question = fresh.embed(TEXTS[:1])
    assert "model" not in fresh.__dict__, "one question must not import torch"
    batch = fresh.embed([f"chunk {i}" for i in range(QUICK_TEXTS + 1)])
    assert "model" in fresh.__dict__ and len(batch) == QUICK_TEXTS + 1
    again = fresh.embed(TEXTS[:1])  # torch is loaded now: the same vector from it
    assert np.abs(np.array(question) - np.array(again)).max() < 1e-5


@pytest.mark.parametrize("count", [1, QUICK_TEXTS])
def test_quick_path_gives_one_vector_per_text(count):
    fresh = Embedder()
    vectors = fresh.embed([f"question {i}" for i in range(count)])
    assert len(vectors) == count and all(len(v) == 384 for v in vectors)
    assert "model" not in fresh.__dict__
