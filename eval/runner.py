"""The evaluation loop: resumable, one result line appended the moment it exists.

Questions are grouped by document and each document is read by one pipeline at a time, so the
KV state of a document (full), its tree (tree) and its segment states (coa) are reused across
that document's questions. `results.jsonl` only ever gains whole lines (eval/results.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from longdoc.core.errors import LongdocError
from longdoc.core.files import private_dir, write_json_atomic
from longdoc.core.text import LETTERS
from longdoc.eval.datasets import EvalQuestion
from longdoc.eval.judge import Judge
from longdoc.eval.results import append_result, load_results
from longdoc.eval.scoring import PROMPT_VERSION, choices_for, pose, score, style_for
from longdoc.indexers.chunking import ChunkSettings
from longdoc.indexers.embedder import Embedder
from longdoc.indexers.ingest import ingest
from longdoc.indexers.library import Library
from longdoc.llm.protocol import LLM
from longdoc.llm.server_http import ServerError
from longdoc.pipelines.base import AskContext
from longdoc.pipelines.model_defaults import GENERIC
from longdoc.pipelines.options import MC_ONLY, PipelineOptions
from longdoc.pipelines.registry import get_pipeline
from longdoc.pipelines.trace import AutoTrace

# settings added after runs were made, and what those runs used
UNRECORDED_MEANT = {"flash_attn": False, "kv_type": "f16", "auto_fallback": "full",
                    "coa_options": False, "full_focus_tokens": 0, "rag_order": "document",
                    "coa_sentences": 2, "rag_lead_tokens": 0, "rag_draft": False,
                    "coa_keep": "recent", "chunk_size": 200, "chunk_overlap": 40,
                    "cad_alpha": 0.0, "question_first": "none"}
# settings that change only some pipelines' answers: a run without them resumes whatever they are
ONLY_FOR_PIPELINES = {"coa_options": {"coa", "auto"}, "retrieve_per_option": {"rag", "auto"},
                      "full_focus_tokens": {"full", "auto"}, "rag_order": {"rag", "auto"},
                      "coa_sentences": {"coa", "auto"}, "rag_lead_tokens": {"rag", "auto"},
                      "rag_draft": {"rag", "auto"}, "coa_keep": {"coa", "auto"},
                      "question_first": {"rag", "tree", "full", "coa", "auto"},
                      "auto_fallback": {"auto"}}
# settings split off another: runs made before the split used the other's value
UNRECORDED_SPLIT_FROM = {"tree_tokens": "rag_tokens"}
_DEFAULT = PipelineOptions()  # the answer options' defaults, written once there


@dataclass
class RunSettings:
    """What a run is; a resumed run must match it exactly."""

    questions_file: str
    question_ids_hash: str
    pipelines: list[str]
    model_id: str
    model_name: str
    ctx: int
    max_tokens: int
    rag_tokens: int
    tree_mode: str
    temperature: float
    seed: int
    prompt_version: str = PROMPT_VERSION
    mc_mode: str = _DEFAULT.mc_mode
    mc_all: bool = False  # every multiple-choice method's pick recorded
    style: str = _DEFAULT.style
    cad_alpha: float = _DEFAULT.cad_alpha
    retrieve_per_option: bool = _DEFAULT.retrieve_per_option
    coa_options: bool = _DEFAULT.coa_options
    full_focus_tokens: int = GENERIC["full_focus_tokens"]  # eval records the model's value
    rag_order: str = _DEFAULT.rag_order
    rag_lead_tokens: int = _DEFAULT.rag_lead_tokens
    rag_draft: bool = _DEFAULT.rag_draft
    question_first: str = GENERIC["question_first"]  # eval records the model's value
    coa_sentences: int = GENERIC["coa_sentences"]  # eval records the model's value
    coa_keep: str = _DEFAULT.coa_keep
    auto_margin: float = _DEFAULT.auto_margin
    auto_fallback: str = GENERIC["auto_fallback"]  # eval records the model's value
    tree_tokens: int = _DEFAULT.tree_tokens
    flash_attn: bool = True
    kv_type: str = "f16"
    judge_model_id: str | None = None
    judge_prompt_version: str | None = None
    chunk_size: int = ChunkSettings.size  # the run's library; every eval before had the default
    chunk_overlap: int = ChunkSettings.overlap

    @property
    def chunks(self) -> ChunkSettings:
        return ChunkSettings(self.chunk_size, self.chunk_overlap)

    def differences(self, other: dict) -> list[str]:
        # a setting an older run did not record had the value older versions used
        def recorded(key: str):
            if key not in other and key in UNRECORDED_SPLIT_FROM:
                return other.get(UNRECORDED_SPLIT_FROM[key])
            return other.get(key, UNRECORDED_MEANT.get(key))

        def matters(key: str) -> bool:
            return key not in ONLY_FOR_PIPELINES or bool(
                ONLY_FOR_PIPELINES[key] & set(self.pipelines))

        def differs(key: str, now) -> bool:
            if key == "question_first":  # only the run's pipelines among those it names
                return self._asked_first(recorded(key)) != self._asked_first(now)
            return recorded(key) != now

        return [f"{k}: {recorded(k)!r} in the run, {v!r} now"
                for k, v in asdict(self).items() if matters(k) and differs(k, v)]

    def _asked_first(self, question_first: str) -> set[str]:
        """The names `question_first` gives to the run's pipelines (each maybe ending in
        MC_ONLY; auto's first step is rag)."""
        names = PipelineOptions(question_first=question_first).asked_first()
        readers = {"rag" if p == "auto" else p for p in self.pipelines}
        return {name for name in names if name.removesuffix(MC_ONLY) in readers}


@dataclass
class RunState:
    out: Path
    done: set[tuple[str, str]] = field(default_factory=set)
    repaired: bool = False
    problems: list[str] = field(default_factory=list)  # bad lines of results.jsonl

    @property
    def results_path(self) -> Path:
        return self.out / "results.jsonl"


class Reporter:
    """What the runner tells its caller (a progress display, or nothing)."""

    def start(self, pipelines: list[str], totals: dict[str, int],
              done: dict[str, list[float]]) -> None: ...

    def result(self, pipeline: str, value: float) -> None: ...

    def note(self, message: str) -> None: ...


def check_run_folder(out: Path) -> None:
    """Refuse an `--out` that cannot be a run folder, before anything is loaded."""
    if out.exists() and not out.is_dir():
        raise LongdocError(f"--out {out} is a file, not a run folder; use another --out")
    results = out / "results.jsonl"
    if results.is_dir():
        raise LongdocError(f"{results} is a folder, not a results file; use another --out")


def prepare_run(out: Path, settings: RunSettings) -> RunState:
    check_run_folder(out)
    try:
        private_dir(out)
    except OSError as exc:
        raise LongdocError(f"cannot create run folder {out}: {exc.strerror or exc}") from None
    run_file = out / "run.json"
    if run_file.exists():
        try:
            recorded = json.loads(run_file.read_text())["settings"]
            if not isinstance(recorded, dict):
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError):
            raise LongdocError(f"{run_file} is unreadable; use another --out") from None
        diffs = settings.differences(recorded)
        if diffs:
            raise LongdocError(f"--out {out} holds a run made with other settings ("
                               + "; ".join(diffs) + "); use another --out")
    else:
        write_json_atomic(run_file, {"settings": asdict(settings),
                                     "started": time.strftime("%Y-%m-%dT%H:%M:%S")})
    state = RunState(out)
    results = load_results(state.results_path)
    state.repaired, state.problems = results.repaired, results.problems
    state.done = {(r["qid"], r["pipeline"]) for r in results.rows}
    return state


def ingest_documents(library: Library, questions: list[EvalQuestion], embedder: Embedder,
                     chunks: ChunkSettings | None = None) -> dict[Path, str]:
    paths = sorted({q.doc_path for q in questions})
    report = ingest(library, paths, embedder, chunks)
    by_path = {Path(r.path): r.doc_id for r in report.results if r.doc_id}
    return {p: by_path[p.resolve()] for p in paths if p.resolve() in by_path}


@dataclass
class DocumentWork:
    """One document's questions, and what answering them needs."""

    doc_path: Path
    doc_id: str
    doc_tokens: int
    questions: list[EvalQuestion]


def plan_run(state: RunState, settings: RunSettings, questions: list[EvalQuestion],
             embedder: Embedder, reporter: Reporter) -> tuple[Library, list[DocumentWork]]:
    """Ingest the documents and list their questions, shortest documents first (an
    interrupted run has then answered the most questions)."""
    library = Library(state.out / "library")
    doc_ids = ingest_documents(library, questions, embedder, settings.chunks)
    library.reload()
    rows = load_results(state.results_path).rows
    scores: dict[str, list[float]] = {p: [] for p in settings.pipelines}
    for r in rows:
        scores.setdefault(r["pipeline"], []).append(r["score"])
    totals = {p: len(questions) for p in settings.pipelines}
    reporter.start(settings.pipelines, totals, scores)
    for q in questions:
        if q.doc_path not in doc_ids:
            reporter.note(f"{q.id}: document {q.doc_path.name} could not be ingested; skipped")
    groups = _by_document(questions, doc_ids)
    work = [DocumentWork(p, doc_ids[p], library.manifest.documents[doc_ids[p]].tokens, g)
            for p, g in groups.items()]
    return library, sorted(work, key=lambda w: (w.doc_tokens, str(w.doc_path)))


def answer_document(work: DocumentWork, library: Library, llm: LLM, embedder: Embedder,
                    state: RunState, settings: RunSettings, options: PipelineOptions,
                    judge: Judge | None = None) -> Iterator[dict]:
    """The result rows of a document's questions not done yet, one pipeline at a time."""
    for name in settings.pipelines:
        todo = [q for q in work.questions if (q.id, name) not in state.done]
        if not todo:
            continue
        ctx = AskContext(library, llm, [work.doc_id], options, embedder=embedder)
        pipeline = get_pipeline(name)
        resolved = ctx.options  # with the model's defaults filled in
        for q in todo:
            ctx.options = resolved.but(style=style_for(q, settings.style))
            row = _answer_one(q, name, pipeline, ctx, settings, work.doc_id, work.doc_tokens)
            if judge and q.answer_type == "free_text" and not row["error"]:
                row["judge"] = judge.grade(q.question, q.answers, row["answer"])
            yield row


def record(state: RunState, reporter: Reporter, row: dict) -> None:
    """Append one result line (the only writer of results.jsonl) and report it."""
    append_result(state.results_path, row)
    state.done.add((row["qid"], row["pipeline"]))
    reporter.result(row["pipeline"], row["score"])


def run_eval(state: RunState, settings: RunSettings, questions: list[EvalQuestion],
             make_llm: Callable[[], LLM], embedder: Embedder, reporter: Reporter,
             options: PipelineOptions, judge: Judge | None = None) -> int:
    """Answer and score every (question, pipeline) not done yet; returns how many were run."""
    library, plan = plan_run(state, settings, questions, embedder, reporter)
    llm = None
    ran = 0
    for work in plan:
        if all((q.id, n) in state.done for q in work.questions for n in settings.pipelines):
            continue
        llm = llm or make_llm()
        for row in answer_document(work, library, llm, embedder, state, settings, options,
                                   judge):
            record(state, reporter, row)
            ran += 1
    return ran


def _by_document(questions: list[EvalQuestion],
                 doc_ids: dict[Path, str]) -> dict[Path, list[EvalQuestion]]:
    groups: dict[Path, list[EvalQuestion]] = {}
    for q in questions:
        if q.doc_path in doc_ids:
            groups.setdefault(q.doc_path, []).append(q)
    return groups


def _answer_one(q: EvalQuestion, name: str, pipeline, ctx: AskContext, settings: RunSettings,
                doc_id: str, doc_tokens: int) -> dict:
    row = {"qid": q.id, "dataset": q.dataset, "pipeline": name, "doc": q.doc_path.name,
           "doc_id": doc_id, "doc_tokens": doc_tokens, "answer_type": q.answer_type,
           "question": q.question, "gold": q.answers, "model_id": settings.model_id}
    try:
        answer = pipeline.answer(pose(q, settings.mc_mode), ctx,
                                 choices_for(q, settings.mc_mode))
    except ServerError:
        raise  # the model server failed, not the question: stop, record nothing
    except LongdocError as exc:
        return {**row, "answer": "", "score": 0.0, "metric": None, "error": str(exc)}
    result = score(q, answer.text)
    return {**row, "answer": answer.text, "score": round(result.value, 4),
            "metric": result.metric, "score_extra": result.extra,
            "usage": asdict(answer.usage), "timings": asdict(answer.timings),
            "kept_fraction": answer.kept_fraction,
            "citations": [[c.page_start, c.page_end] for c in answer.citations],
            "mc_picks": {m: LETTERS[i] for m, i in answer.choice.picks.items()}
            if answer.choice else None,
            "mc_margin": round(answer.choice.margin(), 4) if answer.choice else None,
            "route": [asdict(step) for step in answer.trace.steps]
            if isinstance(answer.trace, AutoTrace) else None,
            "error": None}
