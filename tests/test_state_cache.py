"""The KV state cache on disk: store, look up, evict least recently used, discard damage."""

from __future__ import annotations

import time

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
