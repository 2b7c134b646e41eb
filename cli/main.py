"""The `longdoc` command: a typer app whose command groups live in their own modules."""

from __future__ import annotations

import typer

from longdoc.cli import ask_cmd, chat_cmd, compare_cmd, eval_cmd, ingest_cmd, models_cmd
from longdoc.core.files import use_private_umask

app = typer.Typer(
    name="longdoc", no_args_is_help=True, pretty_exceptions_enable=False,
    help="Ask questions of long documents on your own machine, and compare the answers of "
         "four pipelines (full, rag, coa, tree) on local GGUF models.",
)


@app.callback()
def _private_files() -> None:
    # one permission policy: whatever any command writes (library, chroma, KV states, model
    # cache, run folders) is for the user only; core/files.py says more
    use_private_umask()


app.command("ingest")(ingest_cmd.ingest)
app.command("docs")(ingest_cmd.docs)
app.command("ask")(ask_cmd.ask)
app.command("compare")(compare_cmd.compare)
app.command("chat")(chat_cmd.chat)
app.command("models")(models_cmd.models)
app.command("eval")(eval_cmd.evaluate)
app.command("report")(eval_cmd.report)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
