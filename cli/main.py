"""The `longdoc` command: a typer app whose command groups live in their own modules."""

from __future__ import annotations

from typing import Annotated

import typer

from longdoc.cli import (
    ask_cmd,
    chat_cmd,
    compare_cmd,
    config_cmd,
    docs_cmd,
    doctor_cmd,
    eval_cmd,
    ingest_cmd,
    models_cmd,
    report_cmd,
)
from longdoc.core.files import use_private_umask

app = typer.Typer(
    name="longdoc", no_args_is_help=True, pretty_exceptions_enable=False,
    help="Ask questions of long documents on your own machine, and compare the answers of "
         "four pipelines (full, rag, coa, tree) on local GGUF models.",
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("longdoc")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"longdoc {_version()}")
        raise typer.Exit()


@app.callback()
def _private_files(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version of longdoc and exit.")] = False,
) -> None:
    # one permission policy: whatever any command writes (library, chroma, KV states, model
    # cache, run folders) is for the user only; core/files.py says more
    use_private_umask()


app.command("ingest")(ingest_cmd.ingest)
app.command("docs")(docs_cmd.docs)
app.command("forget")(docs_cmd.forget)
app.command("ask")(ask_cmd.ask)
app.command("compare")(compare_cmd.compare)
app.command("chat")(chat_cmd.chat)
app.command("models")(models_cmd.models)
app.command("eval")(eval_cmd.evaluate)
app.command("report")(report_cmd.report)
app.command("config")(config_cmd.config)
app.command("doctor")(doctor_cmd.doctor)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
