"""Library health for `longdoc doctor`: the manifest against the document files, the vectors
in chromadb against each document's chunks, and the stored BM25 index. Each problem names the
command that repairs it (ingest re-reads damaged documents, re-embeds missing vectors and
rewrites a BM25 index that does not match; see repair.py)."""

from __future__ import annotations

from longdoc.core.checks import FAIL, OK, WARN, Check
from longdoc.core.errors import LongdocError
from longdoc.indexers.library import Library
from longdoc.indexers.vector_store import DamagedVectors

MAX_LISTED = 5  # problems of the same kind named one by one


def library_health(library: Library) -> list[Check]:
    root = library.root
    if not library.manifest_path.exists():
        try:
            library.manifest  # noqa: B018 - raises the message that says what is left
        except LongdocError as exc:
            lost = "lost its manifest" in str(exc)
            return [Check("library", "manifest", FAIL if lost else WARN, str(exc),
                          f"longdoc ingest PATH --index {root}")]
    try:
        manifest = library.manifest
    except LongdocError as exc:
        return [Check("library", "manifest", FAIL, str(exc),
                      f"mv {library.manifest_path} {library.manifest_path}.bad && "
                      f"longdoc ingest PATH --index {root}")]
    sources = sorted(manifest.files)
    ingest = f"longdoc ingest {sources[0] if sources else 'PATH'} --index {root}"
    checks = [Check("library", "manifest", OK, f"{root}: {len(manifest.documents)} documents, "
                    f"{sum(d.chunks for d in manifest.documents.values()):,} chunks")]
    if manifest.pending:
        checks.append(Check("library", "interrupted", FAIL, f"an interrupted ingest or forget "
                            f"left data of {len(manifest.pending)} documents", ingest))
    checks += _documents(library) + [_vectors(library, ingest), _bm25(library, ingest)]
    return checks


def _documents(library: Library) -> list[Check]:
    checks = []
    for record in library.documents():
        why = library.damaged(record.doc_id)
        if why:
            fix = (f"longdoc ingest {record.sources[0]} --index {library.root}" if record.sources
                   else f"longdoc forget {record.doc_id[:8]} --index {library.root}")
            checks.append(Check("library", f"document {record.doc_id[:8]}", FAIL, why, fix))
    known = set(library.manifest.documents)
    folder = library.root / "docs"
    strays = sorted(p.name for p in folder.glob("*.json") if p.stem not in known) \
        if folder.is_dir() else []
    if strays:
        checks.append(Check("library", "document files", WARN,
                            f"{len(strays)} files in {folder} belong to no document "
                            f"({', '.join(strays[:MAX_LISTED])}); nothing reads them",
                            f"rm {' '.join(str(folder / s) for s in strays[:MAX_LISTED])}"))
    if not checks:
        checks.append(Check("library", "documents", OK, f"{len(known)} document files "
                            "readable"))
    return checks


def _vectors(library: Library, ingest: str) -> Check:
    try:
        counts = library.vectors.counts_by_doc()
    except DamagedVectors as exc:
        return Check("library", "vectors", FAIL, str(exc), ingest)
    short = [d for d in library.documents() if counts.get(d.doc_id, 0) != d.chunks]
    if short:
        named = ", ".join(f"'{d.title}' {counts.get(d.doc_id, 0)} of {d.chunks}"
                          for d in short[:MAX_LISTED])
        return Check("library", "vectors", FAIL, f"{len(short)} documents have the wrong "
                     f"number of vectors ({named})", ingest)
    return Check("library", "vectors", OK, f"{sum(counts.values()):,} vectors, one per chunk")


def _bm25(library: Library, ingest: str) -> Check:
    problem = library.bm25_problem()
    if problem:
        return Check("library", "bm25", FAIL, f"{library.bm25_path}: {problem} (rebuilt in "
                     "memory by every question until repaired)", ingest)
    return Check("library", "bm25", OK, f"{library.bm25_path} matches the documents")
