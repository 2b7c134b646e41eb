"""Pipeline benchmark on one real document of the dev set (default: Paul Graham's "gap" essay,
about 8,000 tokens), everything measured in the same run:

    .venv/bin/python benchmarks/pipelines.py [DOC.txt] [--ctx N]

1. raw llama.cpp prefill (Llama.eval of the document's tokens) against the full pipeline's
   prompt tokens / time to first token            (target >= 0.9 of raw)
2. second question on the same document, same process, against the first   (target <= 5%)
3. a second `longdoc ask --pipeline full` in a new process with the state cache, against a
   cold one                                        (target <= 25%)
4. rag time against full time for the same question (reported)

With --long-ctx N (default 2048, so the document is >= 3x the window):
5. coa: prompt tokens processed / document tokens   (target <= 1.3)
6. tree: build prompt tokens / document tokens      (target <= 1.5), and the time of a second
   question once the tree exists against the first (target <= 10%)
7. all four pipelines' time and tokens for the same question, side by side
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library
from longdoc.llm.llama import LlamaCppLLM
from longdoc.llm.model_store import resolve_model
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import get_pipeline

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"
DEFAULT_DOC = DEV / "docs" / "tonic_pg" / "gap.txt"
Q1 = "Why do some people believe that wealth should be distributed equally?"
Q2 = "How did the rise of the middle class change the way people got rich?"


def raw_prefill_tps(model_path: Path, tokens: list[int], n_ctx: int) -> float:
    from llama_cpp import Llama

    llama = Llama(str(model_path), n_ctx=n_ctx, n_batch=512, n_threads=os.cpu_count(),
                  n_threads_batch=os.cpu_count(), verbose=False)
    started = time.perf_counter()
    llama.eval(tokens)
    elapsed = time.perf_counter() - started
    del llama
    return len(tokens) / elapsed


def cli_full(question: str, index: Path, env: dict, n_ctx: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "longdoc.cli.main", "ask", question, "-p", "full",
                    "--index", str(index), "--ctx", str(n_ctx), "--json", "--full-focus",
                    "0"], check=True, env=env,
                   capture_output=True, text=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("doc", nargs="?", type=Path, default=DEFAULT_DOC)
    parser.add_argument("--ctx", type=int, default=12288)
    parser.add_argument("--long-ctx", type=int, default=2048)
    parser.add_argument("--skip-short", action="store_true", help="only parts 5-7")
    args = parser.parse_args()
    ref = resolve_model(None)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lib = Library(tmp / "index")
        embedder = Embedder()
        ingest(lib, [args.doc], embedder)
        doc_id = lib.documents()[0].doc_id

        if not args.skip_short:
            short_context_part(args, ref, lib, embedder, doc_id, tmp)
        long_document_part(args, ref, lib, embedder, doc_id)


def short_context_part(args, ref, lib, embedder, doc_id, tmp: Path) -> None:
    llm = LlamaCppLLM(ref, n_ctx=args.ctx, state_cache=None)
    doc_tokens = llm._tokenize(lib.load_document(doc_id).text)
    print(f"document: {args.doc.name}, {len(doc_tokens):,} tokens; context {args.ctx:,}; "
          f"{os.cpu_count()} threads; {llm.offload_summary()}")
    raw = raw_prefill_tps(ref.path, doc_tokens, args.ctx)
    print(f"raw llama.cpp prefill:          {raw:8.1f} tokens/s")

    # the reuse of the document's KV state, without the 0.5B's default --full-focus 768
    # (its passages come after the shared prefix, so no question reuses them)
    ctx = AskContext(lib, llm, [doc_id], PipelineOptions(full_focus_tokens=0), embedder=embedder)
    first = get_pipeline("full").answer(Q1, ctx)
    full_tps = first.usage.prompt_tokens / first.timings.first_token_s
    print(f"full pipeline prefill:          {full_tps:8.1f} tokens/s "
          f"({first.usage.prompt_tokens:,} prompt tokens, first token "
          f"{first.timings.first_token_s:.1f} s) -> {full_tps / raw:.3f} of raw "
          "(target >= 0.9)")
    second = get_pipeline("full").answer(Q2, ctx)
    ratio = second.timings.total_s / first.timings.total_s
    print(f"second question, same process:  {second.timings.total_s:8.2f} s vs "
          f"{first.timings.total_s:.2f} s -> {ratio:.3f} (target <= 0.05)")
    rag = get_pipeline("rag").answer(Q1, ctx)
    # full's time for Q1 is the cold one; rag reads ~1.5k tokens
    ratio = rag.timings.total_s / first.timings.total_s
    print(f"rag vs full, same question:     {rag.timings.total_s:8.2f} s vs "
          f"{first.timings.total_s:.2f} s -> {ratio:.3f} "
          f"(rag {rag.usage.prompt_tokens:,} prompt tokens)")
    del llm

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache")}
    models = tmp / "cache" / "longdoc" / "models"
    models.parent.mkdir(parents=True)
    models.symlink_to(ref.path.parent, target_is_directory=True)
    cold = cli_full(Q1, lib.root, env, args.ctx)
    warm = cli_full(Q2, lib.root, env, args.ctx)
    print(f"new process with state cache:   {warm:8.2f} s vs cold {cold:.2f} s -> "
          f"{warm / cold:.3f} (target <= 0.25)")


def long_document_part(args, ref, lib, embedder, doc_id) -> None:
    llm = LlamaCppLLM(ref, n_ctx=args.long_ctx, state_cache=None)
    doc_tokens = llm.count_tokens(lib.load_document(doc_id).text)
    print(f"\nlong document: {doc_tokens:,} tokens in a {args.long_ctx:,}-token window "
          f"({doc_tokens / args.long_ctx:.1f}x)")
    ctx = AskContext(lib, llm, [doc_id], embedder=embedder)
    answers = {name: get_pipeline(name).answer(Q1, ctx) for name in ("full", "rag", "coa")}
    coa = answers["coa"]
    print(f"coa prompt tokens / document tokens: {coa.usage.prompt_tokens / doc_tokens:.3f} "
          f"({coa.usage.prompt_tokens:,} over {coa.usage.calls} calls; target <= 1.3)")
    answers["tree"] = get_pipeline("tree").answer(Q1, ctx)
    build = next(iter(answers["tree"].trace.build.values()))
    print(f"tree build prompt tokens / document tokens: "
          f"{build['prompt_tokens'] / doc_tokens:.3f} ({build['calls']} summaries, "
          f"{build['seconds']:.1f} s; target <= 1.5)")
    again = get_pipeline("tree").answer(Q2, ctx)
    first_s = answers["tree"].timings.total_s
    print(f"tree second question: {again.timings.total_s:.2f} s vs first (with build) "
          f"{first_s:.2f} s -> {again.timings.total_s / first_s:.3f} (target <= 0.10)")
    print(f"\n{'pipeline':<9}{'prompt tok':>11}{'generated':>10}{'calls':>6}{'time s':>8}  answer")
    for name, a in answers.items():
        print(f"{name:<9}{a.usage.prompt_tokens:>11,}{a.usage.completion_tokens:>10,}"
              f"{a.usage.calls:>6}{a.timings.total_s:>8.1f}  {a.text[:70]!r}")


if __name__ == "__main__":
    main()
