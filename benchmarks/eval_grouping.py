"""Evaluation speed: 20 dev questions through `full`, grouped by document with prefix reuse,
against the same 20 run cold (the model's KV cache emptied before every question).

    .venv/bin/python benchmarks/eval_grouping.py [--dataset leval_tpo] [--n 20] [--ctx 8192]

Target: grouped at least 5x faster per question.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from longdoc.eval.datasets import load_questions, select
from longdoc.eval.runner import ingest_documents
from longdoc.eval.scoring import pose
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.library import Library
from longdoc.llm.llama import LlamaCppLLM
from longdoc.llm.model_store import resolve_model
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import get_pipeline

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev" / "questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=DEV)
    parser.add_argument("--dataset", default="leval_tpo")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--ctx", type=int, default=8192)
    args = parser.parse_args()
    questions = select(load_questions(args.questions), [args.dataset], limit=args.n)
    embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "index")
        doc_ids = ingest_documents(lib, questions, embedder)
        lib.reload()
        llm = LlamaCppLLM(resolve_model(None), n_ctx=args.ctx, state_cache=None)
        full = get_pipeline("full")
        short = PipelineOptions(answer_tokens=64)
        contexts = {p: AskContext(lib, llm, [d], short) for p, d in doc_ids.items()}
        print(f"{len(questions)} questions of {args.dataset} over {len(doc_ids)} documents; "
              f"context {args.ctx:,}")

        started = time.perf_counter()
        for q in sorted(questions, key=lambda q: str(q.doc_path)):  # grouped by document
            full.answer(pose(q), contexts[q.doc_path])
        grouped = (time.perf_counter() - started) / len(questions)

        started = time.perf_counter()
        for q in questions:
            llm._llama._ctx.kv_cache_seq_rm(-1, 0, -1)  # cold: nothing of the last prompt kept
            llm._llama.reset()
            full.answer(pose(q), contexts[q.doc_path])
        cold = (time.perf_counter() - started) / len(questions)

    print(f"grouped with prefix reuse: {grouped:7.2f} s/question")
    print(f"every question cold:       {cold:7.2f} s/question")
    print(f"speed-up: {cold / grouped:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
