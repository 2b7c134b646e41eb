"""`longdoc chat` through a pseudo-terminal on the real default model: a question stopped by
Ctrl-C, two questions answered, one pipeline switch, /quit, and the history file."""

from __future__ import annotations

import sys
import time

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect comes with the dev extra (.[dev])")


@pytest.mark.model
def test_chat_session_through_a_terminal(lighthouse_library, cli_env, tmp_path):
    env = {**cli_env, "XDG_STATE_HOME": str(tmp_path / "state"), "COLUMNS": "100"}
    child = pexpect.spawn(sys.executable, [
        "-m", "longdoc.cli.main", "chat", "--index", str(lighthouse_library.root), "-p", "full",
        "--ctx", "2048", "--max-tokens", "24", "--threads", "1"],  # 1 thread: fast on busy cores
        env=env, encoding="utf-8", timeout=240)  # a cap for busy CI cores
    child.expect_exact("full> ")
    child.sendline("Who was the first keeper of the lighthouse?")
    # the session's own word that it is answering (the terminal's echo comes before the
    # line is read, and Ctrl-C at the prompt only drops the line)
    child.expect_exact("answering with full from 1 document")
    time.sleep(0.2)
    child.sendintr()  # Ctrl-C while the model reads or answers: that answer stops, not chat
    child.expect_exact("stopped")
    child.expect_exact("full> ")
    child.sendline("Who was the first keeper of the lighthouse?")
    child.expect(r"full: [\d,]+ prompt tokens")
    child.expect_exact("full> ")
    child.sendline("/pipeline rag")
    child.expect_exact("rag> ")
    child.sendline("In which year was the light electrified?")
    child.expect("citations")
    child.expect(r"rag: [\d,]+ prompt tokens")
    child.expect_exact("rag> ")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    history = (tmp_path / "state" / "longdoc" / "chat_history").read_text()
    assert "In which year was the light electrified?" in history and "/pipeline rag" in history
