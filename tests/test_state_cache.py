"""The KV state cache on disk: store, look up, evict least recently used, discard damage."""

from __future__ import annotations

import time

import pytest

from longdoc.llm.state_cache import StateCache


def _writer(data: bytes):
    def write(path):
        path.write_bytes(data)
        return True
    return write


def test_store_and_lookup(tmp_path):
    cache = StateCache(tmp_path, max_bytes=1000)
    key = cache.key("model", "fa1-f16", [1, 2, 3])
    assert cache.lookup(key) is None
    path = cache.store(key, _writer(b"x" * 100))
    assert cache.lookup(key) == path and path.read_bytes() == b"x" * 100
    assert key != cache.key("model", "fa0-f16", [1, 2, 3]) != cache.key("model", "fa1-f16", [1, 2])


def test_least_recently_used_is_evicted(tmp_path):
    cache = StateCache(tmp_path, max_bytes=250)
    a, b, c = (cache.key("m", "x", [i]) for i in range(3))
    cache.store(a, _writer(b"a" * 100))
    time.sleep(0.01)
    cache.store(b, _writer(b"b" * 100))
    time.sleep(0.01)
    assert cache.lookup(a)  # a is now the most recently used
    time.sleep(0.01)
    cache.store(c, _writer(b"c" * 100))
    assert cache.lookup(b) is None
    assert cache.lookup(a) and cache.lookup(c)
    assert cache.total_bytes() <= 250


def test_damaged_file_is_discarded(tmp_path):
    cache = StateCache(tmp_path)
    key = cache.key("m", "x", [7])
    path = cache.store(key, _writer(b"good state" * 10))
    path.write_bytes(b"bad state!" * 10)  # same size, other content
    assert cache.lookup(key) is None
    assert not path.exists()


def test_failed_write_leaves_nothing(tmp_path):
    cache = StateCache(tmp_path)
    key = cache.key("m", "x", [9])
    assert cache.store(key, lambda p: False) is None
    assert cache.lookup(key) is None
    assert list(tmp_path.glob("*.kv")) == []


def test_states_are_found_by_the_text_they_were_computed_from(tmp_path):
    doc = " ".join(f"word{i} of the lighthouse keeper's log" for i in range(200))
    other = " ".join(f"entry{i} in the harbour master's ledger" for i in range(200))
    cache = StateCache(tmp_path)
    cache.store("a", _writer(b"a" * 10), text="<|system|> Read the document.\n" + doc[:2000])
    cache.store("b", _writer(b"b" * 20), text="<|system|> Read the document.\n" + other)
    cache.store("old", _writer(b"c" * 5))  # stored before marks existed: never matched
    assert cache.remove_text("an unrelated text of a few words only") == (0, 0)
    assert cache.remove_text(doc) == (1, 10)
    assert cache.lookup("a") is None and cache.lookup("b") and cache.lookup("old")
    assert cache.count() == 2


@pytest.mark.model
def test_a_real_prefix_state_is_found_by_its_document(real_llm, tmp_path, monkeypatch):
    from conftest import LIGHTHOUSE

    cache = StateCache(tmp_path)
    monkeypatch.setattr(real_llm, "state_cache", cache)
    context = f"Document:\n{LIGHTHOUSE * 2}"
    real_llm.chat([{"role": "user", "content": f"{context}\nWho built the lighthouse?"}], 1,
                  cache_prefix=context)
    assert cache.count() == 1
    assert cache.remove_text(LIGHTHOUSE)[0] == 1 and cache.count() == 0
