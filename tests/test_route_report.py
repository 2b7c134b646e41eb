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
