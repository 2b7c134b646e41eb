"""The evaluation runner with a scripted LLM: grouping, resume, refusal of other settings,
cut-off lines, a full disk, and the report built from the results."""

from __future__ import annotations

import errno
import json
import os

import pytest

from longdoc.core.errors import LongdocError
from longdoc.eval.datasets import load_questions, select
from longdoc.eval.report import markdown, paired_permutation_p, summarize
from longdoc.eval.runner import Reporter, RunSettings, load_results, prepare_run, run_eval
from longdoc.pipelines.closed_book import CLOSED_BOOK_STYLES
from longdoc.pipelines.options import MC_MODES, PipelineOptions
from longdoc.pipelines.prompts import (
    CLOSED_BOOK_INSTRUCTION,
    CLOSED_BOOK_SYSTEM,
    CONCISE_INSTRUCTION,
    STYLES,
)

from fakes import ScriptedLLM

DOCS = {"a.txt": "The lighthouse keeper was Ada Quill. She painted it green.",
        "b.txt": "The mill was built by Tobias Wren in 1871 near the river."}


@pytest.fixture
def question_file(tmp_path):
    for name, text in DOCS.items():
        (tmp_path / name).write_text(text)
    rows = [
        {"id": "t:1", "dataset": "t", "question": "Who kept the lighthouse?",
         "answers": ["Ada Quill"], "doc_path": "a.txt", "meta": {"answer_type": "extractive"}},
        {"id": "t:2", "dataset": "t", "question": "Who built the mill?",
         "answers": ["Tobias Wren"], "doc_path": "b.txt", "meta": {"answer_type": "extractive"}},
        {"id": "t:3", "dataset": "t", "question": "What colour was the lighthouse?",
         "answers": ["A", "green"], "options": ["green", "red"], "doc_path": "a.txt",
         "meta": {"answer_type": "multiple_choice"}},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def _reply(messages):
    text = messages[-1]["content"]
    if "Options:" in text:
        return "A"
    if "lighthouse" in text and "Ada Quill" in text:
        return "Ada Quill"
    if "mill" in text and "Tobias Wren" in text:
        return "Tobias Wren"
    return "I do not know"


def _settings(path, **kw) -> RunSettings:
    base = dict(questions_file=str(path), question_ids_hash="h", pipelines=["none", "full"],
                model_id="scripted-model", model_name="scripted", ctx=2048, max_tokens=64,
                rag_tokens=512, tree_mode="collapsed", temperature=0.0, seed=0)
    return RunSettings(**{**base, **kw})


def _run(out, path, embedder, llm, options=None, **kw) -> int:
    questions = select(load_questions(path))
    settings = _settings(path, **kw)
    state = prepare_run(out, settings)
    return run_eval(state, settings, questions, lambda: llm, embedder, Reporter(),
                    options or PipelineOptions())


def test_run_groups_by_document_and_scores(tmp_path, question_file, embedder):
    llm = ScriptedLLM(_reply, context_size=2048)
    out = tmp_path / "run"
    assert _run(out, question_file, embedder, llm) == 6
    loaded = load_results(out / "results.jsonl")
    rows = loaded.rows
    assert not loaded.repaired and not loaded.problems
    order = [(r["doc"], r["pipeline"]) for r in rows]
    # each document is read by one pipeline at a time (all its questions together)
    assert order == [("a.txt", "none"), ("a.txt", "none"), ("a.txt", "full"), ("a.txt", "full"),
                     ("b.txt", "none"), ("b.txt", "full")]
    full = {r["qid"]: r["score"] for r in rows if r["pipeline"] == "full"}
    closed = {r["qid"]: r["score"] for r in rows if r["pipeline"] == "none"}
    assert full == {"t:1": 1.0, "t:3": 1.0, "t:2": 1.0}
    assert closed["t:1"] == 0.0 and closed["t:3"] == 1.0  # "A" is right without reading
    summary = summarize(rows)
    assert summary["table"]["all"]["full"]["score"] == 1.0
    assert "| t |" in markdown(summary, "test")


def test_resume_after_a_cut_off_line(tmp_path, question_file, embedder):
    out = tmp_path / "run"
    _run(out, question_file, embedder, ScriptedLLM(_reply, 2048))
    results = out / "results.jsonl"
    lines = results.read_bytes().splitlines(keepends=True)
    results.write_bytes(b"".join(lines[:3]) + lines[3][:25])  # killed mid-write
    llm = ScriptedLLM(_reply, 2048)
    assert _run(out, question_file, embedder, llm) == 3
    rows = load_results(results).rows
    assert len(rows) == 6 and len({(r["qid"], r["pipeline"]) for r in rows}) == 6
    assert _run(out, question_file, embedder, llm) == 0  # nothing left to do


def test_other_settings_are_refused(tmp_path, question_file, embedder):
    out = tmp_path / "run"
    _run(out, question_file, embedder, ScriptedLLM(_reply, 2048))
    before = (out / "results.jsonl").read_bytes()
    with pytest.raises(LongdocError, match="holds a run made with other settings.*ctx"):
        _run(out, question_file, embedder, ScriptedLLM(_reply, 4096), ctx=4096)
    assert (out / "results.jsonl").read_bytes() == before


def test_the_run_chunks_its_library_as_recorded(tmp_path, question_file, embedder):
    from longdoc.indexers.manifest import Manifest

    out = tmp_path / "run"
    _run(out, question_file, embedder, ScriptedLLM(_reply, 2048), chunk_size=32,
         chunk_overlap=8)
    manifest = Manifest.load(out / "library" / "manifest.json")
    assert (manifest.chunk_size, manifest.chunk_overlap) == (32, 8)
    recorded = json.loads((out / "run.json").read_text())["settings"]
    assert (recorded["chunk_size"], recorded["chunk_overlap"]) == (32, 8)
    before = (out / "results.jsonl").read_bytes()
    with pytest.raises(LongdocError, match="other settings.*chunk_size: 32 in the run, 200 now"):
        _run(out, question_file, embedder, ScriptedLLM(_reply, 2048))
    assert (out / "results.jsonl").read_bytes() == before
    older = {k: v for k, v in recorded.items() if k not in ("chunk_size", "chunk_overlap")}
    assert _settings(question_file).differences(older) == []  # older runs: the default


def test_disk_full_leaves_no_half_line(tmp_path, question_file, embedder, monkeypatch):
    out = tmp_path / "run"
    calls = {"n": 0}
    real_fsync = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("results.jsonl"):
            calls["n"] += 1
            if calls["n"] == 3:  # the third result line does not fit on the disk
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(LongdocError, match="disk full"):
        _run(out, question_file, embedder, ScriptedLLM(_reply, 2048))
    monkeypatch.setattr(os, "fsync", real_fsync)
    raw = (out / "results.jsonl").read_bytes()
    assert raw.endswith(b"\n") and len(raw.splitlines()) == 2
    assert _run(out, question_file, embedder, ScriptedLLM(_reply, 2048)) == 4


def test_paired_permutation_test():
    assert paired_permutation_p([1.0] * 12, [0.0] * 12) < 0.01
    assert paired_permutation_p([1, 0, 1, 0], [0, 1, 0, 1]) > 0.5
    assert paired_permutation_p([0.5, 0.5], [0.5, 0.5]) == 1.0


def test_extractive_questions_get_the_concise_prompt(tmp_path, question_file, embedder):
    llm = ScriptedLLM(_reply, context_size=2048)
    _run(tmp_path / "run", question_file, embedder, llm, pipelines=["full"], style="auto")
    generated = [call[-1]["content"] for call, limit in zip(llm.calls, llm.max_tokens,
                                                              strict=True) if limit > 1]
    assert generated and all(CONCISE_INSTRUCTION in text for text in generated)


@pytest.mark.parametrize("style, extractive, free_text", [
    ("auto", "concise", "full"),  # the shortest phrase only where gold answers are spans
    ("detailed", "detailed", "detailed"),
    ("quote", "quote", "quote"),  # closed book has nothing to quote: its own brief prompt
])
def test_each_question_is_asked_in_its_style(tmp_path, question_file, embedder, style,
                                             extractive, free_text):
    rows = [json.loads(line) for line in question_file.read_text().splitlines()][:2]
    rows[1]["meta"]["answer_type"] = "free_text"  # the mill
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    llm = ScriptedLLM(_reply, context_size=2048)
    _run(tmp_path / "run", mixed, embedder, llm, pipelines=["none", "full"], style=style)
    asked = {(call[0]["content"], "lighthouse" in call[-1]["content"]): call[-1]["content"]
             for call in llm.calls}
    assert len(asked) == 4  # two questions, each closed book and full
    for (system, lighthouse), text in asked.items():
        wanted = extractive if lighthouse else free_text
        if system == CLOSED_BOOK_SYSTEM:
            assert text.endswith(CLOSED_BOOK_STYLES.get(wanted, CLOSED_BOOK_INSTRUCTION))
        else:
            assert text.endswith(STYLES[wanted])


def test_every_mc_method_recorded_and_reported(tmp_path, question_file, embedder):
    llm = ScriptedLLM(_reply, context_size=2048)
    out = tmp_path / "run"
    _run(out, question_file, embedder, llm, PipelineOptions(mc_mode="pmi", mc_all_modes=True),
         mc_mode="pmi", mc_all=True)
    rows = load_results(out / "results.jsonl").rows
    mc = [r for r in rows if r["qid"] == "t:3"]
    assert {r["pipeline"] for r in mc} == {"none", "full"}
    for r in mc:
        assert set(r["mc_picks"]) == set(MC_MODES)
        assert r["answer"].startswith(r["mc_picks"]["pmi"] + ".")  # answered by the run's mode
        assert 0.0 <= r["mc_margin"] <= 1.0  # its confidence, for choosing auto's margin
    methods = summarize(rows)["mc_methods"]
    assert set(methods["t"]["full"]) == set(MC_MODES)
    assert methods["t"]["full"]["pmi"]["n"] == 1
    assert "Multiple choice by method" in markdown(summarize(rows), "run")


def test_a_setting_an_older_run_did_not_record_means_what_older_versions_used(tmp_path):
    from dataclasses import asdict

    older = {k: v for k, v in asdict(_settings(tmp_path)).items()
             if k not in ("flash_attn", "kv_type")}
    assert _settings(tmp_path, flash_attn=False).differences(older) == []
    assert _settings(tmp_path, flash_attn=True).differences(older) == [
        "flash_attn: False in the run, True now"]
    before_the_fallback_was_chosen = {k: v for k, v in older.items() if k != "auto_fallback"} | {
        "pipelines": ["none", "auto"]}
    assert _settings(tmp_path, flash_attn=False, pipelines=["none", "auto"]).differences(
        before_the_fallback_was_chosen) == ["auto_fallback: 'full' in the run, 'coa' now"]
    # only auto has a fallback: a run without it resumes whatever the fallback is
    assert _settings(tmp_path, flash_attn=False, auto_fallback="full").differences(older) == []
    coa_before_coa_options = {k: v for k, v in older.items() if k != "coa_options"} | {
        "pipelines": ["none", "coa"]}
    assert _settings(tmp_path, flash_attn=False, pipelines=["none", "coa"]).differences(
        coa_before_coa_options) == []
    assert _settings(tmp_path, flash_attn=False, pipelines=["none", "coa"],
                     coa_options=True).differences(
        coa_before_coa_options) == ["coa_options: False in the run, True now"]


def test_a_setting_for_other_pipelines_does_not_stop_a_resume(tmp_path):
    from dataclasses import asdict

    made_without = asdict(_settings(tmp_path))  # none and full: no workers to read options
    assert _settings(tmp_path, coa_options=True).differences(made_without) == []
    assert _settings(tmp_path, retrieve_per_option=True).differences(made_without) == []
    with_coa = {**made_without, "pipelines": ["none", "coa"]}
    assert _settings(tmp_path, pipelines=["none", "coa"], coa_options=True).differences(
        with_coa) == ["coa_options: False in the run, True now"]
    rag_only = {**made_without, "pipelines": ["rag"]}
    assert _settings(tmp_path, pipelines=["rag"], full_focus_tokens=768).differences(
        rag_only) == []
    assert _settings(tmp_path, full_focus_tokens=768).differences(made_without) == [
        "full_focus_tokens: 0 in the run, 768 now"]
    before_full_focus = {k: v for k, v in made_without.items() if k != "full_focus_tokens"}
    assert _settings(tmp_path).differences(before_full_focus) == []
    assert _settings(tmp_path, rag_order="relevance").differences(made_without) == []
    with_rag = {**made_without, "pipelines": ["none", "rag"]}
    assert _settings(tmp_path, pipelines=["none", "rag"], rag_order="relevance").differences(
        with_rag) == ["rag_order: 'document' in the run, 'relevance' now"]
    before_rag_order = {k: v for k, v in with_rag.items() if k != "rag_order"}
    assert _settings(tmp_path, pipelines=["none", "rag"]).differences(before_rag_order) == []
    assert _settings(tmp_path, pipelines=["none", "rag"], rag_lead_tokens=256).differences(
        before_rag_order) == ["rag_lead_tokens: 0 in the run, 256 now"]
    assert _settings(tmp_path, pipelines=["none", "rag"], rag_draft=True).differences(
        before_rag_order) == ["rag_draft: False in the run, True now"]
    assert _settings(tmp_path, rag_draft=True).differences(made_without) == []
    assert _settings(tmp_path, pipelines=["none", "rag"], question_first="rag").differences(
        before_rag_order) == ["question_first: 'none' in the run, 'rag' now"]
    assert _settings(tmp_path, pipelines=["none", "coa"], question_first="rag").differences(
        with_coa) == []  # names no pipeline of the run
    assert _settings(tmp_path, pipelines=["none", "coa"], question_first="coa").differences(
        with_coa) == ["question_first: 'none' in the run, 'coa' now"]
    # asked first for multiple choice only is a setting of its own, for its pipeline alone
    assert _settings(tmp_path, pipelines=["none", "coa"], question_first="coa:mc").differences(
        {**with_coa, "question_first": "coa"}) == [
        "question_first: 'coa' in the run, 'coa:mc' now"]
    assert _settings(tmp_path, pipelines=["none", "rag"], question_first="rag,full:mc"
                     ).differences({**with_rag, "question_first": "rag"}) == []


def test_a_run_from_before_tree_tokens_meant_its_rag_tokens(tmp_path):
    from dataclasses import asdict

    older = {k: v for k, v in asdict(_settings(tmp_path)).items() if k != "tree_tokens"}
    assert _settings(tmp_path, tree_tokens=512).differences(older) == []
    assert _settings(tmp_path, tree_tokens=1536).differences(older) == [
        "tree_tokens: 512 in the run, 1536 now"]


def test_auto_rows_record_their_route(tmp_path, question_file, embedder):
    out = tmp_path / "run"
    _run(out, question_file, embedder, ScriptedLLM(_reply, 2048), pipelines=["full", "auto"])
    rows = load_results(out / "results.jsonl").rows
    routes = [r["route"] for r in rows if r["pipeline"] == "auto"]
    assert routes and all(route[0]["pipeline"] == "rag" for route in routes)
    assert all(r["route"] is None for r in rows if r["pipeline"] == "full")
    assert "auto: where questions were settled" in markdown(summarize(rows), "test")
