"""A `longdoc chat` session: one model and one library for many questions, and the slash
commands that change what the next question reads."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field

from rich.markup import escape
from rich.panel import Panel

from longdoc.cli.answering import answer_question, run_pipelines, show_answer_details
from longdoc.cli.common import console, err_console
from longdoc.cli.compare_cmd import print_comparison
from longdoc.cli.interrupts import KeptInterrupt
from longdoc.cli.render import trace_lines
from longdoc.cli.runtime import select_documents, warn_missing_vectors
from longdoc.core.errors import LongdocError
from longdoc.pipelines.answer import Answer
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.registry import PIPELINES, get_pipeline, parse_pipelines

HELP = [
    ("QUESTION", "answer it from the chosen documents with the current pipeline"),
    ("/pipeline [NAME]", f"show or switch the pipeline ({', '.join(PIPELINES)})"),
    ("/docs", "list the library's documents (* = chosen)"),
    ("/doc REF… | /doc all", "choose documents by id prefix, title or file name (quote "
                             "titles with spaces)"),
    ("/compare [PIPELINES]", "the last question through several pipelines (default: all)"),
    ("/trace", "the working of the last answer (or of each answer of /compare)"),
    ("/help", "this list"),
    ("/quit", "leave (Ctrl-D too); Ctrl-C stops an answer, not the session"),
]


@dataclass
class ChatSession:
    """What persists between questions: the context (model, library, documents read so far,
    so a second question about a document reuses its KV prefix), the pipeline, the last
    question and its answers."""

    context: AskContext
    pipeline: str = "rag"
    last_question: str | None = None
    last_answers: list[Answer] = field(default_factory=list)
    failures: int = 0

    def handle(self, line: str) -> bool:
        """Act on one input line; False when the session should end. Errors are one line
        each and the session goes on; Ctrl-C stops the answer being written."""
        line = line.strip()
        if not line:
            return True
        try:
            if line.startswith("/"):
                return self.command(line[1:])
            self.ask(line)
        except LongdocError as exc:
            self.failures += 1
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                              soft_wrap=True)
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            sys.stdout.flush()
            err_console.print("[yellow]stopped[/] (the session goes on; /quit leaves)")
        return True

    def ask(self, question: str) -> None:
        # before a long document's prefill: work, not a hang (Ctrl-C now stops this answer)
        n = len(self.context.doc_ids)
        err_console.print(f"[dim]answering with {self.pipeline} from {n} "
                          f"document{'s' * (n != 1)}…[/]", highlight=False)
        with KeptInterrupt() as ctrl_c:
            answer = answer_question(self.pipeline, question, self.context)
        ctrl_c.raise_if_hit()
        self.last_question, self.last_answers = question, [answer]
        show_answer_details(answer)

    def command(self, text: str) -> bool:
        try:
            words = shlex.split(text)
        except ValueError as exc:
            raise LongdocError(f"cannot read the command: {exc}") from None
        name, args = (words[0].lower(), words[1:]) if words else ("", [])
        if name in ("quit", "exit", "q"):
            return False
        handler = COMMANDS.get(name)
        if handler is None:
            raise LongdocError(f"unknown command '/{name}' (/help lists them)")
        handler(self, args)
        return True

    def set_pipeline(self, args: list[str]) -> None:
        if args:
            self.pipeline = get_pipeline(args[0]).name
            if self.pipeline == "rag":
                warn_missing_vectors(self.context.library, self.context.doc_ids)
        console.print(f"pipeline: [bold]{self.pipeline}[/]")

    def list_docs(self, _args: list[str]) -> None:
        chosen = set(self.context.doc_ids)
        for record in self.context.library.documents():
            mark = "*" if record.doc_id in chosen else " "
            ocr = f", {len(record.ocr_pages)} by OCR" if record.ocr_pages else ""
            console.print(f"{mark} {record.doc_id[:10]}  {escape(record.title)}  "
                          f"[dim]({record.kind}, {record.pages} p.{ocr}, {record.words:,} "
                          "words)[/]", highlight=False)

    def choose_docs(self, args: list[str]) -> None:
        if args:
            refs = None if [a.lower() for a in args] == ["all"] else args
            self.context.doc_ids = select_documents(self.context.library, refs)
            if self.pipeline == "rag":
                warn_missing_vectors(self.context.library, self.context.doc_ids)
        titles = self.context.titles()
        console.print(f"reading {len(titles)} document{'s' * (len(titles) != 1)}: "
                      + "; ".join(escape(t) for t in titles.values()), highlight=False)

    def compare(self, args: list[str]) -> None:
        if self.last_question is None:
            raise LongdocError("nothing to compare yet: ask a question first")
        names = parse_pipelines(",".join(args) if args else "all")
        answers = run_pipelines(names, self.last_question, self.context)
        self.last_answers = answers
        print_comparison(self.last_question, answers)

    def show_trace(self, _args: list[str]) -> None:
        if not self.last_answers:
            raise LongdocError("no answer yet to show the working of")
        for answer in self.last_answers:
            console.print(Panel("\n".join(trace_lines(answer)) or "(nothing to show)",
                                title=f"trace: {answer.pipeline}", title_align="left"))

    def show_help(self, _args: list[str]) -> None:
        width = max(len(usage) for usage, _ in HELP)
        for usage, what in HELP:
            console.print(f"  [bold]{escape(usage.ljust(width))}[/]  {what}", highlight=False)


COMMANDS = {
    "pipeline": ChatSession.set_pipeline, "p": ChatSession.set_pipeline,
    "docs": ChatSession.list_docs, "doc": ChatSession.choose_docs,
    "compare": ChatSession.compare, "trace": ChatSession.show_trace,
    "help": ChatSession.show_help, "?": ChatSession.show_help,
}
