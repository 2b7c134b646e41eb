"""`longdoc chat` on the scripted LLM: piped lines, slash commands, errors that do not end the
session, Ctrl-C that stops one answer; and the command's one-line errors before a model loads."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys

import pytest

from longdoc.cli.chat_cmd import run_lines, scripted_lines
from longdoc.cli.chat_session import ChatSession
from longdoc.pipelines.base import AskContext

from fakes import ScriptedLLM


def _session(library, embedder, reply="Ada Quill kept the light.") -> ChatSession:
    llm = ScriptedLLM(reply)
    doc_ids = [d.doc_id for d in library.documents()]
    return ChatSession(AskContext(library, llm, doc_ids, embedder=embedder), "rag")


def test_piped_session_answers_each_question_and_runs_commands(lighthouse_library, embedder,
                                                               capsys):
    session = _session(lighthouse_library, embedder)
    script = ["Who was the first keeper?", "", "# a comment", "/pipeline full",
              "When was the light electrified?", "/docs", "/doc varn_lighthouse.txt", "/trace",
              "/compare none,full", "/help", "/quit", "never asked"]
    run_lines(session, scripted_lines(script))
    out = capsys.readouterr().out
    assert len(session.context.llm.calls) == 4  # rag, full, then none and full for /compare
    assert "> Who was the first keeper?" in out and "never asked" not in out
    assert out.count("citations") >= 2 and "varn_lighthouse" in out
    assert "rag: " in out and "full: " in out and "prompt tokens" in out  # the usage lines
    assert "pipeline: full" in out and "* " in out  # /pipeline and /docs
    assert "trace: full" in out and "All pipelines give compatible answers" in out
    assert "/compare [PIPELINES]" in out
    assert session.pipeline == "full" and session.failures == 0
    assert [a.pipeline for a in session.last_answers] == ["none", "full"]


def test_bad_commands_are_one_line_errors_and_the_session_goes_on(lighthouse_library,
                                                                   embedder, capsys):
    session = _session(lighthouse_library, embedder)
    run_lines(session, ["/compare", "/trace", "/bogus", "/pipeline magic", "/doc nope.pdf",
                        '/doc "unbalanced', "Who was the first keeper?"])
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 6 and session.failures == 6
    assert "ask a question first" in errors[0] and "unknown command '/bogus'" in errors[2]
    assert "unknown pipeline 'magic'" in errors[3] and "nope.pdf" in errors[4]
    assert "Traceback" not in captured.err
    assert session.pipeline == "rag" and len(session.context.doc_ids) == 1  # unchanged
    assert len(session.context.llm.calls) == 1  # the question after the errors was answered


def test_ctrl_c_stops_the_answer_not_the_session(lighthouse_library, embedder, capsys):
    asked = []

    def reply(messages):
        asked.append(messages)
        if len(asked) == 1:
            raise KeyboardInterrupt  # as a Ctrl-C in the middle of generating would
        return "Ada Quill."

    session = _session(lighthouse_library, embedder, reply)
    run_lines(session, ["Who was the first keeper?", "Who was the first keeper, again?"])
    captured = capsys.readouterr()
    assert "stopped" in captured.err and len(asked) == 2
    assert captured.err.count("answering with rag from 1 document…") == 2  # work, not a hang
    assert [a.text for a in session.last_answers] == ["Ada Quill."]


def _ctrl_c_inside_a_c_callback() -> None:
    """Ctrl-C while C code (libc's qsort here, llama.cpp's logger in real life) runs a Python
    callback: ctypes prints the KeyboardInterrupt and drops it."""
    def compare(a, b) -> int:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the handler runs at the next bytecode, still in the callback
            pass
        return 0

    callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(compare)
    values = (ctypes.c_int * 2)(2, 1)
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.qsort(values, 2, ctypes.sizeof(ctypes.c_int), callback)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # ctypes' print
def test_ctrl_c_swallowed_by_a_c_callback_still_stops_the_answer(lighthouse_library, embedder,
                                                                  capsys):
    def reply(messages):
        _ctrl_c_inside_a_c_callback()
        return "Ada Quill."

    session = _session(lighthouse_library, embedder, reply)
    run_lines(session, ["Who was the first keeper?"])
    captured = capsys.readouterr()
    assert "stopped" in captured.err
    assert session.last_answers == []  # the interrupted answer is not kept


def test_chat_errors_before_loading_a_model(tmp_path):
    def chat(*args):
        return subprocess.run([sys.executable, "-m", "longdoc.cli.main", "chat", *args],
                              input="What?\n", capture_output=True, text=True, timeout=120)

    for result, text in [(chat("--index", str(tmp_path / "none")), "nothing ingested yet"),
                         (chat("--index", str(tmp_path), "-p", "magic"), "unknown pipeline")]:
        assert result.returncode == 2 and text in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
