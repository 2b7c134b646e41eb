"""Defaults from a TOML file and LONGDOC_* environment variables.

Precedence: a flag, then the environment, then the file, then the built-in default. Each
setting is one row of SETTINGS (TOML key, environment variable, type, check, default); a value
that fails its check is an error naming where it came from, never silently ignored.

The file is `$LONGDOC_CONFIG`, else `$XDG_CONFIG_HOME/longdoc/config.toml` (by default
`~/.config/longdoc/config.toml`), for example:

    model = "qwen2.5-coder-1.5b"
    ctx = 8192
    library = "papers"        # a library name, or a folder path
    pipeline = "full"
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from longdoc.core.errors import LongdocError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def _model(value: str) -> str:
    from longdoc.llm.model_store import KNOWN_MODELS

    if value in KNOWN_MODELS or Path(value).expanduser().is_file():
        return ""
    return f"not a GGUF file or a known model ({', '.join(KNOWN_MODELS)})"


def _ctx(value: int) -> str:
    from longdoc.llm.settings import MIN_CTX

    return "" if value >= MIN_CTX else f"at least {MIN_CTX} tokens"


def _library(value: str) -> str:
    if is_library_path(value) or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        return ""
    return "a library name (letters, digits, '.', '_', '-') or a folder path"


def _pipeline(value: str) -> str:
    from longdoc.pipelines.registry import PIPELINES

    return "" if value in PIPELINES else f"one of {', '.join(PIPELINES)}"


@dataclass(frozen=True)
class Setting:
    key: str  # in the TOML file
    env: str
    kind: type  # str or int
    check: Callable[[object], str]  # what is wrong with a value ('' when nothing is)
    default: object  # None: decided later (the default model, a context that fits memory)
    help: str


SETTINGS = {s.key: s for s in (
    Setting("model", "LONGDOC_MODEL", str, _model, None, "GGUF path or known model name"),
    Setting("ctx", "LONGDOC_CTX", int, _ctx, None, "context size in tokens"),
    Setting("library", "LONGDOC_LIBRARY", str, _library, "default",
            "library name, or library folder"),
    Setting("pipeline", "LONGDOC_PIPELINE", str, _pipeline, "rag", "pipeline of ask"),
)}
# an older name of LONGDOC_LIBRARY, still read
ALIASES = {"LONGDOC_INDEX": "library"}


@dataclass(frozen=True)
class Resolved:
    key: str
    value: object
    source: str  # 'flag', 'env NAME', 'config file' (config_file()) or 'default'


def config_file() -> Path:
    named = os.environ.get("LONGDOC_CONFIG")
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "longdoc" / "config.toml"


def is_library_path(value: str) -> bool:
    return "/" in value or value.startswith(("~", "."))


def _checked(setting: Setting, value: object, where: str) -> object:
    if setting.kind is int and isinstance(value, str):
        try:
            value = int(value.strip().replace("_", ""))
        except ValueError:
            raise LongdocError(f"{where}: '{value}' is not a whole number") from None
    if not isinstance(value, setting.kind) or isinstance(value, bool):
        raise LongdocError(f"{where}: {setting.key} must be a "
                           f"{'whole number' if setting.kind is int else 'string'}")
    problem = setting.check(value)
    if problem:
        raise LongdocError(f"{where}: '{value}' is not valid for {setting.key} ({problem})")
    return value


def read_file(path: Path) -> dict[str, object]:
    """The settings in the config file, checked ({} when there is no file)."""
    if not path.exists():
        if os.environ.get("LONGDOC_CONFIG"):
            raise LongdocError(f"config file {path} (named by LONGDOC_CONFIG) does not exist")
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LongdocError(f"config file {path} cannot be read: {exc}") from None
    unknown = sorted(set(raw) - set(SETTINGS))
    if unknown:
        raise LongdocError(f"config file {path}: unknown setting '{unknown[0]}' (known: "
                           f"{', '.join(SETTINGS)})")
    return {k: _checked(SETTINGS[k], v, f"config file {path}") for k, v in raw.items()}


def _from_env(setting: Setting) -> tuple[object, str] | None:
    names = [setting.env] + [a for a, key in ALIASES.items() if key == setting.key]
    for name in names:
        raw = os.environ.get(name, "")
        if raw.strip():
            return _checked(setting, raw.strip(), f"{name}={raw}"), f"env {name}"
    return None


def resolve(key: str, flag: object = None, file: dict | None = None) -> Resolved:
    """The effective value of one setting: `flag` (when given), env, file, default."""
    setting = SETTINGS[key]
    path = config_file()
    file = read_file(path) if file is None else file  # a broken file is an error anyway
    if flag is not None:
        return Resolved(key, flag, "flag")
    env = _from_env(setting)
    if env is not None:
        return Resolved(key, *env)
    if key in file:
        return Resolved(key, file[key], "config file")
    return Resolved(key, setting.default, "default")


def setting(key: str, flag: object = None) -> object:
    """The value a command uses: `flag` when given, else the configured one. Every setting is
    checked, so a bad value is reported by whichever command runs first."""
    configured = {r.key: r.value for r in effective()}
    return flag if flag is not None else configured[key]


def effective() -> list[Resolved]:
    """Every setting, resolved (the file is read once; a bad value anywhere is an error)."""
    file = read_file(config_file())
    return [resolve(key, file=file) for key in SETTINGS]
