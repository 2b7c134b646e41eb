"""The HTTP backend (ServerLLM against `python -m llama_cpp.server`) against the model in this
process (LlamaCppLLM), on the same questions about the same document, same model, `full`
pipeline, temperature 0. Prints each side's total time and the ratio HTTP / in-process.

    .venv/bin/python benchmarks/server_vs_inprocess.py [N_QUESTIONS] [CTX]   (default 10, 2048)

Both sides answer the questions in the same order, so both reuse the document's KV prefix from
the second question on (the server through its own prompt cache). The server runs on this
machine with the same settings (threads, flash attention, batch), so the ratio is the cost of
HTTP, tokenising over the wire and the server's own work, not of a faster machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

QUESTIONS = [
    "Who built the lighthouse?", "Who was its first keeper?", "What colour was the tower painted?",
    "Why was it painted that colour?", "What did the lamp burn until 1902?",
    "How far could the kerosene lamp be seen?", "When was the light electrified?",
    "How many ships does the logbook record?", "Who followed Ada Quill as keeper?",
    "How many steps lead to the lamp room?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(llm, library, questions: list[str]) -> tuple[float, list[str]]:
    from longdoc.pipelines.base import AskContext
    from longdoc.pipelines.options import PipelineOptions
    from longdoc.pipelines.registry import get_pipeline

    ctx = AskContext(library, llm, [d.doc_id for d in library.documents()],
                     PipelineOptions(answer_tokens=32))
    started = time.perf_counter()
    answers = [get_pipeline("full").answer(q, ctx).text for q in questions]
    return time.perf_counter() - started, answers


def main() -> None:
    from longdoc.indexers.embedder import Embedder
    from longdoc.indexers.ingest import ingest
    from longdoc.indexers.library import Library
    from longdoc.llm.llama import LlamaCppLLM
    from longdoc.llm.model_store import resolve_model
    from longdoc.llm.settings import ModelSettings, load_llm

    from conftest import LIGHTHOUSE

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    ctx = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
    questions = QUESTIONS[:n]
    ref = resolve_model(None)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "varn.txt").write_text(LIGHTHOUSE)
        library = Library(Path(tmp) / "index")
        ingest(library, [Path(tmp) / "varn.txt"], Embedder())
        local_s, local = _run(LlamaCppLLM(ref, n_ctx=ctx), library, questions)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(ref.path), "--host",
             "127.0.0.1", "--port", str(port), "--n_ctx", str(ctx), *same_settings_flags()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            llm = _connect(load_llm, ModelSettings(server=[f"http://127.0.0.1:{port}"], ctx=ctx))
            remote_s, remote = _run(llm, library, questions)
        finally:
            server.terminate()
            server.wait()
    same = sum(a == b for a, b in zip(local, remote, strict=True))
    print(f"{n} questions, full, ctx {ctx}: in-process {local_s:.1f} s, HTTP {remote_s:.1f} s, "
          f"ratio {remote_s / local_s:.2f}; identical answers {same}/{n}")


def same_settings_flags() -> list[str]:
    """The server with the in-process defaults: all cores for prompt and generation, flash
    attention, the same batch, and logits kept for the last token only (the server's default,
    logits for every prompt token, is there for echoed log-probabilities, which longdoc does not
    ask of this server)."""
    from longdoc.llm.settings import ModelSettings

    defaults, cores = ModelSettings(), str(os.cpu_count() or 1)
    return ["--n_threads", cores, "--n_threads_batch", cores,
            "--flash_attn", str(defaults.flash_attn).lower(), "--n_batch", str(defaults.n_batch),
            "--n_ubatch", str(defaults.n_batch), "--logits_all", "false"]


def _connect(load_llm, settings):
    deadline = time.monotonic() + 180
    while True:
        try:
            return load_llm(settings)
        except Exception:  # noqa: BLE001 - the server is still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


if __name__ == "__main__":
    main()
