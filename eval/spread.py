"""An evaluation spread over several model servers: one thread per server takes the next
document and answers all its questions (so that server's prompt cache serves them); the calling
thread is the only writer of results.jsonl. Resume works as for one model: a line is written
only once its answer is whole, and whatever was not written is answered again.
"""

from __future__ import annotations

import queue
import threading

from longdoc.eval.datasets import EvalQuestion
from longdoc.eval.judge import Judge
from longdoc.eval.runner import (
    DocumentWork,
    Reporter,
    RunSettings,
    RunState,
    answer_document,
    plan_run,
    record,
)
from longdoc.indexers.embedder import Embedder
from longdoc.llm.protocol import LLM
from longdoc.pipelines.options import PipelineOptions

DONE = object()  # a worker has no document left


def run_spread(state: RunState, settings: RunSettings, questions: list[EvalQuestion],
               llms: list[LLM], embedder: Embedder, reporter: Reporter,
               options: PipelineOptions, judge: Judge | None = None) -> int:
    """Answer every (question, pipeline) not done yet, one document per server at a time;
    returns how many were run. The first error stops every worker and is raised here."""
    library, plan = plan_run(state, settings, questions, embedder, reporter)
    todo: queue.Queue[DocumentWork] = queue.Queue()
    for work in plan:
        todo.put(work)
    rows: queue.Queue = queue.Queue(maxsize=64)
    stop = threading.Event()

    def worker(llm: LLM) -> None:
        try:
            while not stop.is_set():
                try:
                    work = todo.get_nowait()
                except queue.Empty:
                    return
                for row in answer_document(work, library, llm, embedder, state, settings,
                                           options, judge):
                    if stop.is_set():
                        return
                    rows.put(row)
        except BaseException as exc:  # noqa: BLE001 - handed to the writer, raised there
            rows.put(exc)
        finally:
            rows.put(DONE)

    threads = [threading.Thread(target=worker, args=(llm,), daemon=True) for llm in llms]
    for thread in threads:
        thread.start()
    return _write(state, reporter, rows, len(threads), stop)


def _write(state: RunState, reporter: Reporter, rows: queue.Queue, workers: int,
           stop: threading.Event) -> int:
    """The single writer: append rows as workers hand them over; on the first error, stop
    the workers and raise it."""
    ran = 0
    try:
        while workers:
            item = rows.get()
            if item is DONE:
                workers -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                record(state, reporter, item)
                ran += 1
    finally:
        stop.set()
        while True:  # let blocked workers finish their put and exit
            try:
                rows.get_nowait()
            except queue.Empty:
                break
    return ran
