"""Progress displays shared by commands: tree builds."""

from __future__ import annotations

from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from longdoc.cli.common import err_console


@contextmanager
def tree_progress(titles: dict[str, str], enabled: bool = True):
    """Yields a factory: doc_id -> callback(done, expected) that drives one bar per document.

    The display starts with the first bar, when a tree is really being built (loaded trees
    report nothing): a live display that ran for every answer would redraw the terminal's
    last line while the answer streams onto it, and erase it.
    """
    bar = Progress(TextColumn("{task.description:<44}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=err_console, transient=True,
                   redirect_stdout=False, redirect_stderr=False, disable=not enabled)
    tasks: dict[str, int] = {}

    def factory(doc_id: str):
        def update(done: int, expected: int) -> None:
            if not tasks:
                bar.start()
            if doc_id not in tasks:
                label = f"Tree of summaries: {titles.get(doc_id, doc_id)[:24]}"
                tasks[doc_id] = bar.add_task(label, total=expected)
            bar.update(tasks[doc_id], completed=done, total=expected)
        return update

    try:
        yield factory
    finally:
        if tasks:
            bar.stop()
