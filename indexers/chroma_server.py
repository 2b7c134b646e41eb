"""A library whose vectors live in a Chroma server (`chroma run`), reached by
`chromadb.HttpClient`. Everything else of the library (manifest, document texts, BM25, trees)
stays in its folder; `chroma_server.json` there records the server and the library's collection,
so every later command, on this machine or another one that shares the folder, finds them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from longdoc.core.errors import LongdocError
from longdoc.core.files import write_json_atomic

CONFIG = "chroma_server.json"


class ChromaServerError(LongdocError):
    """The Chroma server cannot be reached or failed (the library's files are untouched)."""


@dataclass
class ChromaServer:
    url: str
    collection: str

    def client(self):
        import chromadb
        from chromadb.config import Settings

        parts = urlsplit(self.url)
        return chromadb.HttpClient(
            host=parts.hostname or "localhost", port=parts.port or 8000,
            ssl=parts.scheme == "https", settings=Settings(anonymized_telemetry=False))


def chroma_server(root: Path, url: str | None) -> ChromaServer | None:
    """The Chroma server of the library at `root`: `url` (recorded if new), else the one
    recorded; None for a library with embedded vectors."""
    path = root / CONFIG
    recorded = _read(path)
    if url is None:
        return ChromaServer(**recorded) if recorded else None
    url = _check_url(url)
    collection = recorded["collection"] if recorded else f"longdoc-{uuid.uuid4().hex[:24]}"
    if not recorded or recorded["url"] != url:
        write_json_atomic(path, {"url": url, "collection": collection})
    return ChromaServer(url, collection)


def _check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LongdocError(f"--chroma {url!r} is not an http:// or https:// URL")
    return url


def _read(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
        if isinstance(data.get("url"), str) and isinstance(data.get("collection"), str):
            return {"url": data["url"], "collection": data["collection"]}
    except (OSError, ValueError, AttributeError):
        pass
    raise LongdocError(f"{path} is unreadable: delete it and run longdoc ingest with --chroma")
