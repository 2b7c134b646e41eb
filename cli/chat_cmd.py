"""`longdoc chat`: an interactive session. The model and the library load once; each question
is answered as `ask` answers it, and slash commands switch pipeline or documents between
questions. Piped input is read one question (or command) per line, so a session can be
scripted.

Line editing and history come from the standard library's `readline` (GNU readline or
libedit, whichever Python was built with): arrow keys, Ctrl-R search and a history file,
with no extra dependency; prompt-toolkit would add completion menus, not needed here.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from longdoc.cli.chat_session import ChatSession
from longdoc.cli.common import (
    IndexOpt,
    LibraryOpt,
    console,
    err_console,
    handles_errors,
    open_library,
)
from longdoc.cli.options import answer_options, model_options
from longdoc.cli.runtime import open_session
from longdoc.core.files import private_dir
from longdoc.llm.settings import ModelSettings
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import PIPELINES, get_pipeline

HISTORY_LINES = 1000


@handles_errors
@model_options
@answer_options()
def chat(
    pipeline: Annotated[str, typer.Option(
        "--pipeline", "-p", help=f"Pipeline to start with: {', '.join(PIPELINES)}.")] = "rag",
    doc: Annotated[Optional[list[str]], typer.Option(
        "--doc", "-d", help="Start with this document (id, title or file name); repeatable.")]
    = None,
    index: IndexOpt = None, library: LibraryOpt = None,
    *, settings: ModelSettings, options: PipelineOptions,
) -> None:
    """Ask question after question with one loaded model; /help inside lists the commands.

    Piped input: one question or command per line; exit code 2 when any of them failed."""
    name = get_pipeline(pipeline).name  # an unknown name fails before the model loads
    lib = open_library(index, library)
    # pipelines and documents change during a session: the trained context, not one sized
    doc_ids, titles, llm = open_session(lib, doc, settings, False, [get_pipeline(name)],
                                        options, sized=False)
    session = ChatSession(AskContext(lib, llm, doc_ids, options), name)
    err_console.print(f"[dim]{len(titles)} document{'s' * (len(titles) != 1)} · pipeline "
                      f"{name} · /help lists the commands · /quit or Ctrl-D leaves[/]",
                      highlight=False)
    if sys.stdin.isatty():
        with line_history(history_path()):
            run_lines(session, prompted_lines(session))
        return
    run_lines(session, scripted_lines(sys.stdin))
    if session.failures:
        raise typer.Exit(2)


def run_lines(session: ChatSession, lines: Iterable[str]) -> None:
    """Hand each line to the session until the input ends or the session is left."""
    for line in lines:
        if not session.handle(line):
            break


def prompted_lines(session: ChatSession) -> Iterator[str]:
    """Lines typed at a prompt that names the pipeline; Ctrl-C at the prompt drops the line."""
    while True:
        try:
            yield input(f"{session.pipeline}> ")
        except EOFError:
            sys.stdout.write("\n")
            return
        except KeyboardInterrupt:
            sys.stdout.write("\n")


def scripted_lines(stream: Iterable[str]) -> Iterator[str]:
    """Piped lines, each echoed before its answer; blank lines and '#' comments skipped."""
    for raw in stream:
        line = raw.strip()
        if line and not line.startswith("#"):
            console.print(f"[bold]> {escape(line)}[/]", highlight=False)
            yield line


def history_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "longdoc" / "chat_history"


@contextmanager
def line_history(path: Path):
    """readline's line editing, with the history of earlier sessions loaded from `path` and
    saved back atomically at the end (a lost history is only an inconvenience)."""
    try:
        import readline
    except ImportError:  # a Python built without it: plain input()
        yield
        return
    readline.set_history_length(HISTORY_LINES)
    try:
        readline.read_history_file(str(path))
    except OSError:
        pass
    try:
        yield
    finally:
        try:
            private_dir(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            os.close(fd)
            readline.write_history_file(tmp)
            os.replace(tmp, path)
        except OSError:
            pass
