"""Forgetting what is gone: files that disappeared and documents no file points to any more.

A path given to `--prune` that does not exist or cannot be read never removes anything: a
missing disk or a typo must not look like every file under it was deleted.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from longdoc.indexers.ingest_types import FileResult
from longdoc.indexers.library import Library
from longdoc.indexers.manifest import Manifest


def prune_roots(library: Library, manifest: Manifest, paths: list[Path]) -> list[FileResult]:
    """Prune under every readable path of `paths`; each unreadable one is reported instead."""
    roots, results = [], []
    for raw in paths:
        root = Path(raw).expanduser().absolute()
        why = _unreadable(root)
        if why:
            results.append(FileResult(str(root), "skipped", f"not pruned: {why}, so nothing "
                                      "indexed from under it was removed"))
        else:
            roots.append(root.resolve())
    return results + _prune(library, manifest, roots)


def _unreadable(root: Path) -> str:
    """Why `root` cannot be trusted to say which files are gone ('' when it can)."""
    try:
        if stat.S_ISDIR(os.stat(root).st_mode):
            os.listdir(root)
        elif not os.access(root, os.R_OK):
            return "it cannot be read"
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    return ""


def _gone(path: Path) -> bool:
    """True only when the file is certainly not there (not when it cannot be looked at)."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno in (errno.ENOENT, errno.ENOTDIR)
    return False


def drop_orphan(library: Library, manifest: Manifest, doc_id: str) -> bool:
    if any(f.doc_id == doc_id for f in manifest.files.values()):
        return False
    manifest.documents.pop(doc_id, None)
    library.remove_documents([doc_id])
    return True


def refresh_sources(manifest: Manifest) -> None:
    for doc_id, doc in manifest.documents.items():
        doc.sources = manifest.sources_of(doc_id)


def _prune(library: Library, manifest: Manifest, roots: list[Path]) -> list[FileResult]:
    """Forget files under `roots` that no longer exist, and documents left without a file."""
    removed = []
    for key in sorted(manifest.files):
        path = Path(key)
        under = any(path == r or r in path.parents for r in roots)
        if under and _gone(path):
            record = manifest.files.pop(key)
            title = manifest.documents.get(record.doc_id, None)
            dropped = drop_orphan(library, manifest, record.doc_id)
            removed.append(FileResult(key, "removed", "file no longer exists" if dropped
                                      else "file gone; content still indexed from another file",
                                      record.doc_id, title.title if title else ""))
    if removed:
        refresh_sources(manifest)
        manifest.save(library.manifest_path)
    return removed
