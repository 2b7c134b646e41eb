"""Cold start: from a new process to the first answer token of `longdoc ask --pipeline rag`.

    .venv/bin/python benchmarks/cold_start.py [DOC] [--repeats 3]

Ingests DOC (default: a dev essay) into a temporary library, then, each in a new process:
1. `longdoc ask -p rag` end to end: seconds from the start of the process to its first byte on
   stdout (the first answer token), with the state cache off (a cold document);
2. the same steps timed one by one (imports, library open, model load, embedder load,
   retrieval, prefill to the first token);
3. raw `Llama.eval` of as many tokens as rag's prompt had, at the product's settings.
Target: (1) <= (3) + 3 s. Also `longdoc docs` and `longdoc --help` (target < 1.5 s each).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"
DEFAULT_DOC = DEV / "docs" / "tonic_pg" / "gap.txt"
FALLBACK_DOC = Path(__file__).resolve().parents[1] / "sample_docs" / "hacker_folklore.pdf"
QUESTION = "Why do some people believe that wealth should be distributed equally?"
CLI = [sys.executable, "-m", "longdoc.cli.main"]

STEPS = r'''
import json, sys, time
t0 = time.perf_counter(); marks = {}
def mark(name):
    marks[name] = time.perf_counter() - t0 - sum(marks.values())
from longdoc.cli.common import open_library
from longdoc.cli.runtime import open_session
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import get_pipeline
from longdoc.llm.settings import ModelSettings
mark("imports")
lib = open_library(sys.argv[1], None); lib.documents(); mark("library open")
rag, options = get_pipeline("rag"), PipelineOptions()
doc_ids, _, llm = open_session(lib, None, ModelSettings(state_cache_mb=0), True, [rag], options)
mark("model load")
ctx = AskContext(lib, llm, doc_ids, options)
ctx.get_embedder().embed(["warm up"]); mark("embedder load")
answer = rag.answer(sys.argv[2], ctx)
marks["retrieval + prefill to first token"] = answer.timings.first_token_s
print(json.dumps({"steps": marks, "prompt_tokens": answer.usage.prompt_tokens}))
'''

RAW = r'''
import sys, time
from llama_cpp import Llama
from longdoc.llm.model_store import resolve_model
from longdoc.llm.settings import ModelSettings
s = ModelSettings(); path = str(resolve_model(None).path)
n = int(sys.argv[1]); text = open(sys.argv[2], errors="ignore").read()
llama = Llama(path, n_ctx=n + 64, n_batch=s.n_batch, n_ubatch=s.n_batch,
              flash_attn=s.flash_attn, verbose=False)
tokens = (llama.tokenize(text.encode(), add_bos=False) * 4)[:n]
t = time.perf_counter(); llama.eval(tokens); print(time.perf_counter() - t)
'''


def first_byte_s(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    proc.stdout.read(1)
    elapsed = time.perf_counter() - started
    proc.stdout.read()
    if proc.wait() != 0:
        raise SystemExit(f"failed: {' '.join(args)}")
    return elapsed


def run_s(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("doc", nargs="?", type=Path,
                        default=DEFAULT_DOC if DEFAULT_DOC.exists() else FALLBACK_DOC)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "LONGDOC_INDEX": ""}
    with tempfile.TemporaryDirectory() as tmp:
        index = str(Path(tmp) / "lib")
        subprocess.run(CLI + ["ingest", str(args.doc), "--index", index], check=True,
                       capture_output=True, env=env)
        ask = CLI + ["ask", QUESTION, "-p", "rag", "--index", index, "--state-cache-mb", "0"]
        e2e = [first_byte_s(ask, env) for _ in range(args.repeats)]
        steps = [json.loads(subprocess.run([sys.executable, "-c", STEPS, index, QUESTION],
                                           check=True, capture_output=True, text=True,
                                           env=env).stdout) for _ in range(args.repeats)]
        n = steps[0]["prompt_tokens"]
        text_file = args.doc if args.doc.suffix != ".pdf" else Path(__file__)
        raw = [float(subprocess.run([sys.executable, "-c", RAW, str(n), str(text_file)],
                                    check=True, capture_output=True, text=True,
                                    env=env).stdout) for _ in range(args.repeats)]
        docs = [run_s(CLI + ["docs", "--index", index], env) for _ in range(args.repeats)]
        helps = [run_s(CLI + ["--help"], env) for _ in range(args.repeats)]
    print(f"{args.doc.name}; medians of {args.repeats} runs; rag prompt {n} tokens")
    for name in steps[0]["steps"]:
        print(f"  {name:<36} {statistics.median(s['steps'][name] for s in steps):7.2f} s")
    cold, prefill = statistics.median(e2e), statistics.median(raw)
    print(f"cold `ask -p rag`, process start to first token: {cold:.2f} s")
    print(f"raw prefill of {n} tokens: {prefill:.2f} s; overhead {cold - prefill:.2f} s "
          "(target <= 3 s)")
    print(f"`longdoc docs` {statistics.median(docs):.2f} s, `longdoc --help` "
          f"{statistics.median(helps):.2f} s (target < 1.5 s)")


if __name__ == "__main__":
    main()
