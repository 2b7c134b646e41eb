"""A size-capped, least-recently-used cache of model KV states on disk.

Keys hash (model id, context size, prompt-prefix tokens): the tokens already encode the
document and the prompt template. Every file's sha256 is kept in `index.json` and checked
before use, so a damaged file is discarded and rebuilt instead of feeding the model garbage.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from array import array
from collections.abc import Callable
from pathlib import Path

from longdoc.core.files import write_json_atomic

DEFAULT_MAX_BYTES = 2 << 30


class StateCache:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    @property
    def index_path(self) -> Path:
        return self.root / "index.json"

    @staticmethod
    def key(model_id: str, layout: str, tokens: list[int]) -> str:
        """`layout` names how the KV cells are laid out (flash attention transposes V; the cache
        type sets their size), not the context size: a sequence's state loads into any context
        with room for it, so commands that size their context differently share states."""
        digest = hashlib.sha256(f"{model_id}:{layout}:".encode())
        digest.update(array("i", tokens).tobytes())
        return digest.hexdigest()[:40]

    def _load_index(self) -> dict:
        try:
            data = json.loads(self.index_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.kv"

    def lookup(self, key: str) -> Path | None:
        index = self._load_index()
        entry = index.get(key)
        path = self._path(key)
        if not entry or not path.exists():
            return None
        if path.stat().st_size != entry.get("size") or _sha256(path) != entry.get("sha256"):
            path.unlink(missing_ok=True)
            index.pop(key, None)
            write_json_atomic(self.index_path, index)
            return None
        entry["used"] = time.time()
        write_json_atomic(self.index_path, index)
        return path

    def store(self, key: str, write: Callable[[Path], bool]) -> Path | None:
        """`write(tmp_path)` writes the state file; it becomes visible only when complete."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.{os.getpid()}.tmp"
        try:
            if not write(tmp) or not tmp.exists():
                return None
            size = tmp.stat().st_size
            if size > self.max_bytes:
                return None
            digest = _sha256(tmp)
            path = self._path(key)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        index = self._load_index()
        index[key] = {"size": size, "sha256": digest, "used": time.time()}
        self._evict(index)
        write_json_atomic(self.index_path, index)
        return path

    def _evict(self, index: dict) -> None:
        total = sum(e["size"] for e in index.values())
        for key in sorted(index, key=lambda k: index[k]["used"]):
            if total <= self.max_bytes:
                break
            total -= index[key]["size"]
            self._path(key).unlink(missing_ok=True)
            del index[key]

    def total_bytes(self) -> int:
        return sum(e["size"] for e in self._load_index().values())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()
