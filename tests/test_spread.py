"""An evaluation spread over several model servers (scripted here): every answer written once,
all questions of a document by one server, resume unchanged, the first server error stops it."""

from __future__ import annotations

import pytest
from test_runner import _reply, _settings, question_file  # noqa: F401 - a fixture

from longdoc.eval.datasets import load_questions, select
from longdoc.eval.runner import Reporter, load_results, prepare_run
from longdoc.eval.spread import run_spread
from longdoc.llm.server_http import ServerError
from longdoc.pipelines.options import PipelineOptions

from fakes import ScriptedLLM


class Named(ScriptedLLM):
    """A scripted server that signs its answers, to see which one answered."""

    def __init__(self, name: str, fail: bool = False) -> None:
        super().__init__(lambda m: f"{_reply(m)} [{name}]", context_size=2048)
        self.fail = fail

    def chat(self, *args, **kwargs):
        if self.fail:
            raise ServerError("the model server at http://down failed")
        return super().chat(*args, **kwargs)


def _spread(out, path, embedder, llms) -> int:
    settings = _settings(path)
    state = prepare_run(out, settings)
    return run_spread(state, settings, select(load_questions(path)), llms, embedder,
                      Reporter(), PipelineOptions())


def test_spread_writes_each_answer_once_and_keeps_documents_on_one_server(
        tmp_path, question_file, embedder):  # noqa: F811
    out = tmp_path / "run"
    assert _spread(out, question_file, embedder, [Named("s1"), Named("s2")]) == 6
    rows = load_results(out / "results.jsonl").rows
    assert len({(r["qid"], r["pipeline"]) for r in rows}) == len(rows) == 6
    for doc in ("a.txt", "b.txt"):
        signs = {r["answer"].rsplit("[", 1)[-1] for r in rows
                 if r["doc"] == doc and "[" in r["answer"]}  # generated, not scored
        assert len(signs) == 1, doc
    assert _spread(out, question_file, embedder, [Named("s1"), Named("s2")]) == 0  # resumed


def test_a_failing_server_stops_the_run_without_a_line(
        tmp_path, question_file, embedder):  # noqa: F811
    out = tmp_path / "run"
    with pytest.raises(ServerError):
        _spread(out, question_file, embedder, [Named("s1", fail=True), Named("s2", fail=True)])
    assert load_results(out / "results.jsonl").rows == []
