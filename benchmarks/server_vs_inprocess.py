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
    from server_procs import free_port, in_process_flags, llama_server_args, running

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    ctx = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
    questions = QUESTIONS[:n]
    ref = resolve_model(None)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "varn.txt").write_text(LIGHTHOUSE)
        library = Library(Path(tmp) / "index")
        ingest(library, [Path(tmp) / "varn.txt"], Embedder())
        local_s, local = _run(LlamaCppLLM(ref, n_ctx=ctx), library, questions)
        port = free_port()
        args = llama_server_args(ref.path, port, ctx) + in_process_flags()
        with running(args, f"http://127.0.0.1:{port}/v1/models", Path(tmp) / "server.log"):
            llm = load_llm(ModelSettings(server=[f"http://127.0.0.1:{port}"], ctx=ctx))
            remote_s, remote = _run(llm, library, questions)
    same = sum(a == b for a, b in zip(local, remote, strict=True))
    print(f"{n} questions, full, ctx {ctx}: in-process {local_s:.1f} s, HTTP {remote_s:.1f} s, "
          f"ratio {remote_s / local_s:.2f}; identical answers {same}/{n}")


if __name__ == "__main__":
    main()
