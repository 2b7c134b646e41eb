"""`results.jsonl`: one result per line, appended and fsynced the moment it exists.

Reading never rewrites a line it does not understand: only a cut-off *last* line (no newline
at its end, as a crash or a full disk leaves it) is repaired. Any other bad line is reported
with its line number, left in the file untouched and left out of the results.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.core.files import PRIVATE_FILE

REQUIRED = {"qid": str, "pipeline": str, "dataset": str}


@dataclass
class ResultsFile:
    rows: list[dict] = field(default_factory=list)
    repaired: bool = False  # a cut-off last line was removed (or its newline added)
    problems: list[str] = field(default_factory=list)  # "<file>:<line>: <why> (...)"


def _row_problem(raw: bytes) -> tuple[dict | None, str]:
    try:
        row = json.loads(raw)
    except ValueError:
        return None, "malformed JSON"
    if not isinstance(row, dict):
        return None, "not a JSON object"
    for key, kind in REQUIRED.items():
        if not isinstance(row.get(key), kind):
            return None, f"no {key}"
    score = row.get("score")
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return None, "no numeric score"
    return row, ""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LongdocError(f"cannot read {path}: {exc.strerror or exc}") from None


def load_results(path: Path) -> ResultsFile:
    """Every good result line of `path`; see the module docstring for bad lines."""
    if not path.exists() and not path.is_symlink():
        return ResultsFile()
    data = _read(path)
    out = ResultsFile()
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends in a newline
    if tail.strip():
        row, _ = _row_problem(tail)
        _repair_tail(path, len(data) - len(tail), fixed=row is not None)
        out.repaired = True
        if row is not None:
            lines.append(tail)
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        row, why = _row_problem(raw)
        if row is None:
            out.problems.append(f"{path}:{number}: {why} (kept in the file, left out)")
        else:
            out.rows.append(row)
    return out


def _repair_tail(path: Path, cut: int, fixed: bool) -> None:
    """A complete last line gets its newline; a cut-off one is removed."""
    with open(path, "r+b") as fh:
        if fixed:
            fh.seek(0, os.SEEK_END)
            fh.write(b"\n")
        else:
            fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())


def append_result(path: Path, row: dict) -> None:
    line = (json.dumps(row, ensure_ascii=False) + "\n").encode()
    with open(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE), "ab") as fh:
        start = fh.tell()
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError as exc:
            fh.truncate(start)  # never leave half a line behind
            if exc.errno == errno.ENOSPC:
                raise LongdocError("disk full: the results so far are kept; free some space "
                                   "and run the same command again to continue") from None
            raise
