"""`longdoc config`: the effective settings and where each one comes from."""

from __future__ import annotations

from rich.table import Table

from longdoc.cli.common import JsonOpt, console, handles_errors, print_json
from longdoc.cli.config import SETTINGS, config_file, effective, is_library_path
from longdoc.indexers.library import library_path
from longdoc.llm.model_store import DEFAULT_MODEL


def _shown(key: str, value: object) -> str:
    if value is not None:
        return str(value)
    return {"model": f"{DEFAULT_MODEL} (built in)",
            "ctx": "trained context, capped by memory and 32k"}.get(key, "-")


def _library_folder(value: str) -> str:
    if is_library_path(value):
        return str(library_path(index=value))
    return str(library_path(name=value))


@handles_errors
def config(json_out: JsonOpt = False) -> None:
    """Show the effective settings and where each comes from: a LONGDOC_* environment
    variable, the config file, or the built-in default (flags override all of them)."""
    rows = effective()
    path = config_file()
    folder = _library_folder(str(next(r.value for r in rows if r.key == "library")))
    if json_out:
        print_json({"file": str(path), "file_exists": path.exists(), "library_folder": folder,
                    "settings": {r.key: {"value": r.value, "source": r.source,
                                         "env": SETTINGS[r.key].env} for r in rows}})
        return
    table = Table(title=f"config file: {path}{'' if path.exists() else ' (none)'}",
                  title_justify="left")
    for col in ("setting", "value", "source", "environment"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r.key, _shown(r.key, r.value), r.source, SETTINGS[r.key].env)
    console.print(table)
    console.print(f"library folder: {folder}", highlight=False, soft_wrap=True)
    console.print("[dim]flags (--model, --ctx, --index/--library, --pipeline) override these[/]")
