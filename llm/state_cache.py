"""A size-capped, least-recently-used cache of model KV states on disk.

Keys hash (model id, context size, prompt-prefix tokens): the tokens already encode the
document and the prompt template. Every file's sha256 is kept in `index.json` and checked
before use, so a damaged file is discarded and rebuilt instead of feeding the model garbage.

Each entry also keeps `marks`: a small sample of hashed 8-word runs of the prefix's text,
chosen by hash value so that the same runs are picked wherever the text sits. `longdoc
forget` removes the states whose marks are found in a forgotten document's text, without
keeping any of that text in the index.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from array import array
from collections.abc import Callable
from pathlib import Path

from longdoc.core.files import write_json_atomic

DEFAULT_MAX_BYTES = 2 << 30
MARK_WORDS = 8  # words per hashed run
MARK_EVERY = 8  # a run is a mark when its hash is 0 modulo this
MAX_MARKS = 64  # marks kept per entry (the smallest hashes)
MIN_MATCHES = 3  # marks found in a text for a state to count as computed from it


def text_marks(text: str) -> set[str]:
    """The hashes of the 8-word runs of `text` that are sampled as marks."""
    words = re.findall(r"\w+", text.lower())
    marks = set()
    for i in range(len(words) - MARK_WORDS + 1):
        digest = hashlib.sha256(" ".join(words[i:i + MARK_WORDS]).encode()).hexdigest()[:16]
        if int(digest, 16) % MARK_EVERY == 0:
            marks.add(digest)
    return marks


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

    def store(self, key: str, write: Callable[[Path], bool], text: str = "") -> Path | None:
        """`write(tmp_path)` writes the state file; it becomes visible only when complete.
        `text` is the prefix as text (only its marks are kept)."""
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
        index[key] = {"size": size, "sha256": digest, "used": time.time(),
                      "marks": sorted(text_marks(text))[:MAX_MARKS]}
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

    def count(self) -> int:
        return len(self._load_index())

    def remove_text(self, text: str) -> tuple[int, int]:
        """Remove the states computed from `text` (a document): (states, bytes) removed."""
        wanted = text_marks(text)
        index = self._load_index()
        found = [k for k, e in index.items() if _matches(e.get("marks"), wanted)]
        freed = 0
        for key in found:
            self._path(key).unlink(missing_ok=True)
            freed += index.pop(key).get("size", 0)
        if found:
            write_json_atomic(self.index_path, index)
        return len(found), freed


def _matches(marks: object, wanted: set[str]) -> bool:
    if not isinstance(marks, list) or not marks or not wanted:
        return False
    hits = sum(1 for m in marks if m in wanted)
    return hits >= min(MIN_MATCHES, len(marks))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()
