"""What every command shares: library options, the console, and one-line error handling."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from longdoc.cli.config import is_library_path, setting
from longdoc.core.errors import LongdocError
from longdoc.indexers.library import Library, library_path

console = Console()
err_console = Console(stderr=True)

IndexOpt = Annotated[Optional[Path], typer.Option(
    "--index", help="Library folder (default: the named library under your data directory; "
    "see: longdoc config).",
    show_default=False)]
LibraryOpt = Annotated[Optional[str], typer.Option(
    "--library", "-L", help="Name of a library under your data directory.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ChromaOpt = Annotated[Optional[str], typer.Option(
    "--chroma", envvar="LONGDOC_CHROMA", help="A Chroma server's URL (chroma run) for the "
    "library's vectors; recorded in the library, so later commands find it.",
    show_default=False)]


def open_library(index: Path | None, library: str | None, chroma: str | None = None
                 ) -> Library:
    """The library the flags name, else the configured one (LONGDOC_LIBRARY, config file)."""
    if index is None and library is None:
        configured = str(setting("library"))
        if is_library_path(configured):
            index = Path(configured)
        else:
            library = configured
    return Library(library_path(index, library), chroma)


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handles_errors(func):
    """Turn known errors into one line and exit code 2; Ctrl-C into exit code 130."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except LongdocError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            err_console.print("interrupted: what was finished is saved; run again to continue")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line unless debugging
            if os.environ.get("LONGDOC_DEBUG"):
                raise
            fail(f"unexpected {type(exc).__name__}: {exc} (LONGDOC_DEBUG=1 shows the traceback)",
                 code=1)

    return wrapper


def print_json(data: object) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
