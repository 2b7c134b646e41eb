"""Small file helpers: atomic writes, the library's write lock, and one permission policy.

Policy: everything longdoc writes (libraries, caches, run folders) is for the user only,
files 0600 and folders 0700. Atomic writes get it from `mkstemp` and `private_dir`; code
that lets a third party create files (chromadb, llama.cpp state files) runs under
`private_umask`, and `make_private` repairs a tree written before this policy.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from longdoc.core.errors import LibraryBusy

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077


@contextmanager
def private_umask():
    """Files and folders created inside are user-only (whoever creates them)."""
    old = os.umask(PRIVATE_UMASK)
    os.umask(old | PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)


def use_private_umask() -> None:
    """For the whole process (the CLI): every file it creates from now on is user-only."""
    os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """`path` as a folder of mode 0700 (created with its parents if needed)."""
    with private_umask():
        path.mkdir(parents=True, exist_ok=True)
    st = path.stat()
    if st.st_mode & 0o777 != PRIVATE_DIR and st.st_uid == os.getuid():
        try:
            path.chmod(PRIVATE_DIR)
        except OSError:  # not ours to change (a shared folder): the files stay 0600
            pass
    return path


def make_private(root: Path) -> None:
    """Bring every file under `root` to 0600 and every folder to 0700 (links left alone)."""
    for folder, dirs, files in os.walk(root):
        for name, mode in [(n, PRIVATE_DIR) for n in dirs] + [(n, PRIVATE_FILE) for n in files]:
            target = Path(folder) / name
            try:
                st = target.lstat()
                if not target.is_symlink() and st.st_mode & 0o777 != mode:
                    target.chmod(mode)
            except OSError:
                continue
    if root.is_dir():
        private_dir(root)


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON so that a crash leaves either the old file or the new one, never half."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def write_lock(root: Path, wait_s: float = 5.0):
    """One writer per library: an exclusive flock on `root/.lock` (released if the process dies)."""
    private_dir(root)
    with open(os.open(root / ".lock", os.O_WRONLY | os.O_CREAT, PRIVATE_FILE), "w") as fh:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LibraryBusy(
                        f"library {root} is busy: another longdoc process is writing to it"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
