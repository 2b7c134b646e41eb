"""`longdoc eval` spread over two local model servers against one, on this machine.

    .venv/bin/python benchmarks/eval_servers.py [--docs 4] [--per-doc 2] [--ctx 4096]

Takes the shortest dev essays (tonic_pg) that fit the context, a few questions each, and runs
`eval -p full` twice in new run folders: against one `llama_cpp.server` using every core, and
against two servers with the cores split between them (documents spread over both by longdoc).
The servers are started and ready before the clock starts. Prints both wall times and the ratio.
On a machine whose cores one server already keeps busy, two servers cannot be faster; the
spread pays when each server has its own GPU or machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"
CLI = [sys.executable, "-m", "longdoc.cli.main"]
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def pick_questions(folder: Path, docs: int, per_doc: int, ctx: int) -> Path:
    """A question file in `folder` over the shortest tonic_pg essays that fit `ctx`."""
    by_doc: dict[str, list[dict]] = {}
    for line in (DEV / "questions.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["dataset"] == "tonic_pg":
            by_doc.setdefault(row["doc_path"], []).append(row)
    sizes = {p: (DEV / p).stat().st_size for p in by_doc}
    fitting = sorted((p for p in by_doc if sizes[p] / 4 < ctx * 0.7), key=sizes.get)[:docs]
    rows = []
    for path in fitting:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEV / path, folder / path)
        rows += by_doc[path][:per_doc]
    out = folder / "questions.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return out


def timed_eval(questions: Path, out: Path, urls: list[str], ctx: int) -> float:
    args = CLI + ["eval", str(questions), "-p", "full", "--out", str(out), "--ctx", str(ctx)]
    for url in urls:
        args += ["--server", url]
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=4)
    parser.add_argument("--per-doc", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=4096)
    args = parser.parse_args()
    from longdoc.llm.model_store import resolve_model

    from server_procs import free_port, in_process_flags, llama_server_args, running

    model, cores = resolve_model(None).path, os.cpu_count() or 2
    layouts = {"one server, all cores": [cores],
               "two servers, cores split": [max(1, cores // 2)] * 2}
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        questions = pick_questions(Path(tmp), args.docs, args.per_doc, args.ctx)
        count = len(questions.read_text().splitlines())
        for i, (name, threads) in enumerate(layouts.items()):
            with ExitStack() as servers:
                urls = []
                for j, n in enumerate(threads):
                    port = free_port()
                    urls.append(f"http://127.0.0.1:{port}")
                    command = llama_server_args(model, port, args.ctx) + in_process_flags(n)
                    servers.enter_context(running(command, f"{urls[-1]}/v1/models",
                                                  Path(tmp) / f"server{i}{j}.log"))
                times[name] = timed_eval(questions, Path(tmp) / f"run{i}", urls, args.ctx)
    print(f"{count} questions over {args.docs} essays, full, ctx {args.ctx}, {cores} cores")
    for name, seconds in times.items():
        print(f"  {name:<28} {seconds:7.1f} s")
    one, two = times.values()
    print(f"two servers / one: {two / one:.2f}")


if __name__ == "__main__":
    main()
