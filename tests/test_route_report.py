"""The routing table of `auto` in an evaluation report, on hand-made result rows."""

from __future__ import annotations

from longdoc.eval.route_report import routing, routing_markdown


def _row(qid, pipeline, score, tokens, route=None):
    steps = [{"pipeline": p, "reason": "r", "prompt_tokens": 1, "seconds": 0.1}
             for p in route or []]
    return {"qid": qid, "pipeline": pipeline, "score": score, "dataset": "d",
            "usage": {"prompt_tokens": tokens}, "route": steps or None, "error": None}


def test_shares_scores_and_token_ratios():
    rows = [_row("a", "auto", 1.0, 100, ["rag"]), _row("b", "auto", 0.0, 100, ["rag"]),
            _row("c", "auto", 1.0, 1100, ["rag", "full"]),
            _row("a", "full", 1.0, 1000), _row("b", "full", 1.0, 1000),
            _row("c", "full", 1.0, 1000), _row("a", "none", 0.0, 10)]
    summary = routing(rows)
    assert summary["routes"]["rag"] == {"n": 2, "share": 2 / 3, "score": 0.5}
    assert summary["routes"]["rag → full"]["n"] == 1
    assert summary["tokens"] == {"full": 1300 / 3000}
    text = "\n".join(routing_markdown(summary))
    assert "| rag → full | 1 | 33% | 1.000 |" in text and "full 0.43" in text


def test_no_auto_rows_no_table():
    assert routing([_row("a", "full", 1.0, 10)]) == {} and routing_markdown({}) == []


def test_token_ratios_split_by_whether_full_read_the_whole_document():
    rows = [_row("a", "auto", 1.0, 100, ["rag"]), _row("b", "auto", 1.0, 300, ["rag", "coa"]),
            {**_row("a", "full", 1.0, 1000), "kept_fraction": 1.0},
            {**_row("b", "full", 1.0, 8000), "kept_fraction": 0.5},
            _row("a", "coa", 1.0, 1500), _row("b", "coa", 1.0, 1200)]
    split = routing(rows)["tokens_by_fit"]
    assert split["documents that fit the window"] == {"full": 0.1, "coa": 100 / 1500}
    assert split["documents over the window"] == {"full": 300 / 8000, "coa": 0.25}
    text = "\n".join(routing_markdown(routing(rows)))
    assert "- documents that fit the window: full 0.10, coa 0.07" in text
    assert "- documents over the window: full 0.04, coa 0.25" in text
