"""`longdoc models`: the default and known models, and what is in the model cache."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from longdoc.cli.common import JsonOpt, console, handles_errors, print_json
from longdoc.llm.model_store import cached_models, describe_known, models_dir
from longdoc.llm.settings import trained_context
from longdoc.pipelines.model_defaults import GENERIC, defaults_of

# the flag each per-model default stands for
FLAGS = {"full_focus_tokens": "--full-focus", "coa_sentences": "--coa-sentences",
         "question_first": "--question-first", "auto_fallback": "--auto-fallback"}


@handles_errors
def models(json_out: JsonOpt = False) -> None:
    """List the default and known models, and the models assembled in the cache."""
    rows = describe_known()
    known_paths = {r["path"] for r in rows}
    for r in rows:
        r["context"] = trained_context(Path(r["path"])) if r["assembled"] else None
        r["defaults"] = defaults_of(r["name"])
    extra = [m for m in cached_models() if m["path"] not in known_paths]
    for m in extra:
        m["context"] = trained_context(Path(m["path"]))
    if json_out:
        print_json({"cache": str(models_dir()), "known": rows, "other_cached": extra})
        return
    table = Table(title=f"Models (cache: {models_dir()})", title_justify="left")
    for col in ("name", "status", "size", "context", "sha256"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        status = "assembled" if r["assembled"] else "installed" if r["installed"] else \
            "not installed"
        name = r["name"] + (" (default)" if r["default"] else "")
        table.add_row(name, status, f"{r['size'] / 1e6:,.0f} MB",
                      f"{r['context']:,}" if r["context"] else "-", r["sha256"][:16] + "…")
    for m in extra:
        table.add_row(Path(m["path"]).name, "cached", f"{m['size'] / 1e6:,.0f} MB",
                      f"{m['context']:,}" if m["context"] else "-",
                      (m["sha256"] or "-")[:16])
    console.print(table)
    for r in rows:
        if flags := _flags(r["defaults"]):
            console.print(f"[dim]{r['name']} answers with {flags} unless told otherwise[/]")
    console.print("[dim]any other GGUF file works too: longdoc ask … --model PATH[/]")


def _flags(defaults: dict[str, int | str]) -> str:
    """The model's defaults that differ from other models', as the flags they stand for."""
    return " ".join(f"{FLAGS[option]} {value}" for option, value in defaults.items()
                    if value != GENERIC[option])
