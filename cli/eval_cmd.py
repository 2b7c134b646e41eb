"""`longdoc eval`: score pipelines against gold answers, resumably."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from longdoc.cli.common import err_console, handles_errors
from longdoc.cli.options import answer_options, model_options
from longdoc.cli.report_cmd import warn_problems, write_report
from longdoc.cli.runtime import load_llm, load_server_llm, warn_generated_choice
from longdoc.core.errors import LongdocError
from longdoc.eval.datasets import EvalQuestion, load_questions, select
from longdoc.eval.judge import JUDGE_PROMPT_VERSION, Judge
from longdoc.eval.runner import RunSettings, RunState, check_run_folder, prepare_run, run_eval
from longdoc.eval.scoring import MC_MODES
from longdoc.eval.spread import run_spread
from longdoc.indexers.chunking import ChunkSettings
from longdoc.indexers.embedder import Embedder
from longdoc.llm.model_store import resolve_model
from longdoc.llm.protocol import LLM
from longdoc.llm.settings import ModelSettings, context_for
from longdoc.pipelines.options import PipelineOptions
from longdoc.pipelines.registry import parse_pipelines


class RichReporter:
    """One bar per pipeline, with its running mean score."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, int] = {}
        self.scores: dict[str, list[float]] = {}

    def start(self, pipelines, totals, done) -> None:
        for p in pipelines:
            self.scores[p] = list(done.get(p, []))
            self.tasks[p] = self.progress.add_task(self._label(p), total=totals[p],
                                                   completed=len(self.scores[p]))

    def _label(self, p: str) -> str:
        s = self.scores[p]
        return f"{p:<5} score {sum(s) / len(s):.3f}" if s else f"{p:<5} score  -   "

    def result(self, pipeline: str, value: float) -> None:
        self.scores[pipeline].append(value)
        self.progress.update(self.tasks[pipeline], advance=1,
                             description=self._label(pipeline))

    def note(self, message: str) -> None:
        self.progress.console.print(f"[yellow]{message}[/]")


@handles_errors
@model_options
@answer_options(max_tokens=128)
def evaluate(
    questions_file: Annotated[Path, typer.Argument(help="JSONL (dev format) or CSV/JSONL of "
                                                   "question, answer, document.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder (resumes if present).")],
    pipelines: Annotated[str, typer.Option("--pipelines", "-p")] = "none,full,rag,coa,tree",
    datasets: Annotated[Optional[str], typer.Option(
        help="Comma-separated dataset names to keep.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="First N questions per dataset.")] = None,
    sample_per_dataset: Annotated[Optional[int], typer.Option(
        help="A seeded random sample of N questions per dataset.")] = None,
    sample_seed: Annotated[int, typer.Option(
        "--sample-seed", help="Seed of the sample (--sample-per-dataset).")] = 0,
    mc_mode: Annotated[str, typer.Option(
        help="Multiple choice: 'likelihood' (each option's text, per token), "
             "'likelihood-char' (per character), 'pmi' (after reading minus without), "
             "'letters' (letter probability over cyclic permutations), 'ensemble' "
             "(likelihood + letters), 'verify' (each option proposed, p(Yes) - p(No)), "
             "'ensemble-verify' (all three) or 'generate' (parse the letter the model "
             "writes).")]
    = PipelineOptions.mc_mode,
    mc_all: Annotated[bool, typer.Option(
        "--mc-all", help="Also record every other method's pick in each result line, to "
                         "compare the methods on the same answers.")] = False,
    retrieve_per_option: Annotated[bool, typer.Option(
        "--retrieve-per-option", help="rag, multiple choice: also retrieve for the question "
                                      "joined with each option.")] = False,
    coa_options: Annotated[bool, typer.Option(
        "--coa-options", help="coa, multiple choice: the workers read the options too, not "
                              "only the question.")] = False,
    judge_model: Annotated[Optional[str], typer.Option(
        help="A local GGUF (path or short name) that also grades free-text answers.")] = None,
    allow_outside_docs: Annotated[bool, typer.Option(
        "--allow-outside-docs", help="Accept documents outside the question file's folder "
        "(absolute paths, '..').")] = False,
    chunk_size: Annotated[int, typer.Option(
        help="Chunk size in embedder tokens of the run's library (rag, tree, full's focus).")]
    = ChunkSettings.size,
    chunk_overlap: Annotated[int, typer.Option(
        help="Overlap between the run's chunks in embedder tokens.")] = ChunkSettings.overlap,
    *, settings: ModelSettings, options: PipelineOptions,
) -> None:
    """Answer every question with every pipeline, score the answers, and write a report."""
    names = parse_pipelines(pipelines)
    chunks = ChunkSettings(chunk_size, chunk_overlap)
    chunks.validate()
    check_run_folder(out)
    if mc_mode not in MC_MODES:
        raise LongdocError(f"--mc-mode must be one of {', '.join(MC_MODES)}, not '{mc_mode}'")
    questions = _questions(questions_file, datasets, limit, sample_per_dataset, sample_seed,
                           allow_outside_docs)
    options = options.but(mc_mode=mc_mode if mc_mode != "generate" else options.mc_mode,
                          mc_all_modes=mc_all, retrieve_per_option=retrieve_per_option,
                          coa_options=coa_options)
    servers, mc_mode = _connect(settings, out, mc_mode)
    # the model's own defaults, once: run.json records the options the answers are made with
    options = options.for_model(_model_identity(settings, servers)[1])
    run = _run_settings(questions_file, questions, names, settings, servers, options, mc_mode,
                        judge_model, chunks)
    state = prepare_run(out, run)
    if state.repaired:
        err_console.print("[yellow]results.jsonl ended in a cut-off line (a crash?); it was "
                          "repaired and a lost answer will be run again[/]")
    warn_problems(state.problems)
    err_console.print(f"{len(questions)} questions x {len(names)} pipelines; "
                      f"{len(state.done)} answers already in {out}")
    settings.state_dir = out / "states"  # never evicts the states of the user's documents
    _answer_all(state, run, questions, settings, servers, options, judge_model)
    write_report(out)


def _run_settings(questions_file: Path, questions: list[EvalQuestion], names: list[str],
                  settings: ModelSettings, servers: list[LLM], options: PipelineOptions,
                  mc_mode: str, judge_model: str | None,
                  chunks: ChunkSettings) -> RunSettings:
    """What the run records in run.json; a resumed run must match it."""
    model_id, model_name = _model_identity(settings, servers)
    judge_ref = resolve_model(judge_model) if judge_model else None
    return RunSettings(
        str(Path(questions_file).resolve()), _ids_hash(questions), names, model_id,
        model_name, settings.ctx, options.answer_tokens, options.rag_tokens, options.tree_mode,
        settings.temperature, settings.seed, mc_mode=mc_mode, mc_all=options.mc_all_modes,
        style=options.style, cad_alpha=options.cad_alpha,
        retrieve_per_option=options.retrieve_per_option,
        coa_options=options.coa_options, full_focus_tokens=options.full_focus_tokens,
        rag_order=options.rag_order, rag_lead_tokens=options.rag_lead_tokens,
        rag_draft=options.rag_draft, question_first=options.question_first,
        coa_sentences=options.coa_sentences,
        coa_keep=options.coa_keep,
        auto_margin=options.auto_margin, auto_fallback=options.auto_fallback,
        tree_tokens=options.tree_tokens, flash_attn=settings.flash_attn, kv_type=settings.kv_type,
        judge_model_id=judge_ref.model_id if judge_ref else None,
        judge_prompt_version=JUDGE_PROMPT_VERSION if judge_ref else None,
        chunk_size=chunks.size, chunk_overlap=chunks.overlap)


def _answer_all(state: RunState, run: RunSettings, questions: list[EvalQuestion],
                settings: ModelSettings, servers: list[LLM], options: PipelineOptions,
                judge_model: str | None) -> None:
    """Answer what the run still lacks, here or spread over the model servers."""
    holder: dict = {"llm": servers[0]} if servers else {}

    def make_llm():
        if "llm" not in holder:
            holder["llm"] = load_llm(settings)
        return holder["llm"]

    with Progress(TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err_console) as bar:
        judge = None
        if judge_model:
            judge = Judge(load_llm(ModelSettings(judge_model, 4096, settings.gpu_layers,
                                                 settings.threads, state_cache_mb=0),
                                   quiet=True))
        if len(servers) > 1:
            run_spread(state, run, questions, servers, Embedder(), RichReporter(bar), options,
                       judge)
        else:
            run_eval(state, run, questions, make_llm, Embedder(), RichReporter(bar), options,
                     judge)


def _connect(settings: ModelSettings, out: Path, mc_mode: str) -> tuple[list[LLM], str]:
    """The model servers (none: the model runs here) and the multiple-choice mode they
    allow; fixes `settings.ctx` to the context the run records (the default context depends
    on free memory)."""
    recorded = _recorded_settings(out).get("ctx")
    if not settings.server:
        settings.ctx = settings.ctx or recorded or context_for(settings)
        return [], mc_mode
    settings.ctx = settings.ctx or recorded
    urls = list(dict.fromkeys(settings.server))
    servers = [load_server_llm(settings, url) for url in urls]
    ids = {s.model_id for s in servers}
    if len(ids) > 1:
        raise LongdocError("the --server URLs serve different models (" + ", ".join(
            f"{u}: {s.name}" for u, s in zip(urls, servers, strict=True)) + ")")
    settings.ctx = settings.ctx or min(s.context_size for s in servers)
    for llm in servers:
        if llm.context_size < settings.ctx:
            raise LongdocError(f"{llm.name} at a server has a context of {llm.context_size} "
                               f"tokens, less than the run's {settings.ctx}")
        llm.context_size = settings.ctx  # every server budgets prompts alike
    if not all(getattr(s, "scores_prompts", True) for s in servers):
        warn_generated_choice(servers[0])
        mc_mode = "generate"  # the letter the model writes (options listed in the question)
    return servers, mc_mode


def _model_identity(settings: ModelSettings, servers: list[LLM]) -> tuple[str, str]:
    if servers:
        return servers[0].model_id, servers[0].name
    ref = resolve_model(settings.model)
    return ref.model_id, ref.name


def _questions(path: Path, datasets: str | None, limit: int | None,
               sample_per_dataset: int | None, sample_seed: int,
               allow_outside_docs: bool = False) -> list[EvalQuestion]:
    loaded = load_questions(path, allow_outside_docs)
    for problem in loaded.problems:
        err_console.print(f"[yellow]{escape(path.name)}:{problem.line}: "
                          f"{escape(problem.reason)} (skipped)[/]",
                          highlight=False, soft_wrap=True)
    wanted = [d.strip() for d in datasets.split(",")] if datasets else None
    questions = select(loaded, wanted, limit, sample_per_dataset, sample_seed)
    if not questions:
        raise LongdocError("no question to run")
    return questions


def _ids_hash(questions: list[EvalQuestion]) -> str:
    return hashlib.sha256("\n".join(q.id for q in questions).encode()).hexdigest()[:16]


def _recorded_settings(out: Path) -> dict:
    try:
        return json.loads((out / "run.json").read_text())["settings"]
    except (OSError, ValueError, KeyError):
        return {}
