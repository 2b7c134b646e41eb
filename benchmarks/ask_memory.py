"""Peak memory of `longdoc ask` on a ~2,000-token document: the old defaults (the whole trained
context, 32k, without flash attention) against today's (the context sized to the work).

    .venv/bin/python benchmarks/ask_memory.py [--pipeline full] [--repeats 2]

Each run is a new process with the state cache off; its peak resident memory comes from
wait4's rusage. Target: today's <= 0.60 x the old.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "sample_docs" / "hacker_writing_style.txt"
QUESTION = "What does the text say about hackers' writing style?"
OLD_DEFAULTS = ["--ctx", "32768", "--no-flash-attn"]


def peak_rss_mb(args: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{proc.stderr.read().decode()}")
    return usage.ru_maxrss / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", default="full")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "longdoc.cli.main"]
    with tempfile.TemporaryDirectory() as tmp:
        index, doc = str(Path(tmp) / "lib"), Path(tmp) / "style.txt"
        doc.write_text(DOC.read_text()[:8000])  # about 2,000 tokens
        subprocess.run(cli + ["ingest", str(doc), "--index", index], check=True,
                       capture_output=True)
        ask = cli + ["ask", QUESTION, "-p", args.pipeline, "--index", index,
                     "--state-cache-mb", "0", "--max-tokens", "32"]
        runs = {"old defaults (32k, no flash attention)": [], "today (sized context)": []}
        for _ in range(args.repeats):  # alternated
            runs["old defaults (32k, no flash attention)"].append(peak_rss_mb(ask + OLD_DEFAULTS))
            runs["today (sized context)"].append(peak_rss_mb(ask))
    print(f"`ask -p {args.pipeline}` on the first 8,000 characters of {DOC.name}; medians of "
          f"{args.repeats}")
    medians = {k: statistics.median(m for m, _ in v) for k, v in runs.items()}
    for name, values in runs.items():
        seconds = statistics.median(s for _, s in values)
        print(f"  {name:<40} peak RSS {medians[name]:7.0f} MB   {seconds:6.1f} s")
    old, new = medians.values()
    print(f"today / old: {new / old:.2f} (target <= 0.60)")


if __name__ == "__main__":
    main()
