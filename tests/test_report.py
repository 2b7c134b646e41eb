"""Score by document length: the bucket's dataset mix and the gain over closed book."""

from __future__ import annotations

import pytest

from longdoc.eval.report import by_length, markdown, plots, summarize


def _row(qid: str, dataset: str, pipeline: str, score: float, tokens: int) -> dict:
    return {"qid": qid, "dataset": dataset, "pipeline": pipeline, "score": score,
            "doc_tokens": tokens, "usage": {"prompt_tokens": 10, "calls": 1},
            "timings": {"total_s": 1.0}}


ROWS = [
    _row("a:1", "a", "none", 0.0, 1500), _row("a:1", "a", "full", 1.0, 1500),
    _row("a:2", "a", "none", 1.0, 1500), _row("a:2", "a", "full", 1.0, 1500),
    _row("b:1", "b", "none", 0.5, 20000), _row("b:1", "b", "full", 0.25, 20000),
]


def test_length_buckets_carry_dataset_mix_and_gain_over_closed_book():
    buckets = by_length(ROWS, ["none", "full"])
    assert list(buckets) == ["0-2k", "16k+"]
    short = buckets["0-2k"]
    assert short["datasets"] == {"a": 2}
    assert short["pipelines"]["full"] == {"n": 2, "score": 1.0, "gain_over_none": 0.5}
    assert short["pipelines"]["none"]["gain_over_none"] == 0.0
    assert buckets["16k+"]["pipelines"]["full"]["gain_over_none"] == pytest.approx(-0.25)


def test_without_closed_book_there_is_no_gain(tmp_path):
    rows = [r for r in ROWS if r["pipeline"] == "full"]
    buckets = by_length(rows, ["full"])
    assert buckets["0-2k"]["pipelines"]["full"]["gain_over_none"] is None
    summary = summarize(rows)
    assert "| 0-2k | 1.000 (n=2) | a 2 |" in markdown(summary, "t")
    assert [p.name for p in plots(summary, tmp_path)] == ["score_vs_tokens.png",
                                                          "score_by_length.png"]


def test_markdown_and_plot_show_the_gain(tmp_path):
    summary = summarize(ROWS)
    text = markdown(summary, "t")
    assert "| 0-2k | 0.500 [+0.000] (n=2) | 1.000 [+0.500] (n=2) | a 2 |" in text
    assert "| 16k+ | 0.500 [+0.000] (n=1) | 0.250 [-0.250] (n=1) | b 1 |" in text
    written = plots(summary, tmp_path)
    assert all(p.stat().st_size > 1000 for p in written)


def test_mc_methods_worked_example():
    from longdoc.eval.mc_report import mc_methods

    def row(qid, pipeline, picks):
        return {"qid": qid, "dataset": "d", "pipeline": pipeline, "gold": ["A", "x"],
                "mc_picks": picks, "score": 0.0, "error": None}

    rows = [row("q1", "none", {"pmi": "B", "letters": "A"}),
            row("q2", "none", {"pmi": "B", "letters": "B"}),
            row("q1", "full", {"pmi": "A", "letters": "A"}),
            row("q2", "full", {"pmi": "B", "letters": "A"})]
    cell = mc_methods(rows)["d"]["full"]
    assert cell["pmi"] == {"n": 2, "score": 0.5, "gain_over_none": 0.5, "same_as_none": 1}
    assert cell["letters"] == {"n": 2, "score": 1.0, "gain_over_none": 0.5, "same_as_none": 1}
    assert mc_methods(rows)["all"]["none"]["letters"]["score"] == 0.5
