"""Real servers for tests: started on a free loopback port, waited for, and stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(args: list[str], probe: str, log: Path, wait_s: float = 180.0):
    """Run `args` (a server) until the block ends; `probe`: a URL that answers once it is up."""
    import httpx

    with open(log, "wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            if proc.poll() is not None:
                pytest.fail(f"{args[0]} exited: {log.read_text()[-500:]}")
            try:
                if httpx.get(probe, timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{' '.join(args[:3])} did not start in {wait_s:.0f} s")
            time.sleep(0.5)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def llama_server_args(model: Path, port: int, n_ctx: int = 2048) -> list[str]:
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host",
            "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)]


def in_process_flags(threads: int | None = None) -> list[str]:
    """llama_cpp.server flags for longdoc's in-process settings: every core (or `threads`) for
    prompt and generation, flash attention, the same batch, and logits for the last token only
    (the server's default, logits for every prompt token, serves echoed log-probabilities,
    which longdoc does not ask of this server)."""
    import os

    from longdoc.llm.settings import ModelSettings

    defaults, cores = ModelSettings(), str(threads or os.cpu_count() or 1)
    return ["--n_threads", cores, "--n_threads_batch", cores,
            "--flash_attn", str(defaults.flash_attn).lower(), "--n_batch", str(defaults.n_batch),
            "--n_ubatch", str(defaults.n_batch), "--logits_all", "false"]


def chroma_args(path: Path, port: int) -> list[str]:
    chroma = Path(sys.executable).with_name("chroma")
    return [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port",
            str(port)]
