"""Replaying auto's policies on recorded rows: each question's rag step and each fallback's own
result line give what any margin and escalation order would have scored and cost."""

from __future__ import annotations

from longdoc.eval.route_replay import Outcome, Policy, choose, replay


def _row(qid, pipeline, score, tokens, *, answer="A. x", route=None, fits=True,
         choice=True, dataset="d"):
    return {"qid": qid, "dataset": dataset, "pipeline": pipeline, "score": score,
            "answer": answer, "gold": ["A"] if choice else ["gold text"],
            "answer_type": "multiple_choice" if choice else "free_text",
            "usage": {"prompt_tokens": tokens}, "route": route,
            "kept_fraction": 1.0 if fits else 0.4, "error": None}


def _step(pipeline, reason="answered", tokens=100, margin=None, answer=""):
    return {"pipeline": pipeline, "reason": reason, "prompt_tokens": tokens, "seconds": 1.0,
            "margin": margin, "answer": answer}


def _rows() -> list[dict]:
    return [
        # q1: rag confident (margin 0.6) and wrong; full right
        _row("q1", "auto", 0.0, 100, answer="B. y", route=[_step("rag", margin=0.6)]),
        _row("q1", "full", 1.0, 1000), _row("q1", "tree", 0.0, 300),
        # q2: rag unsure (0.1) and wrong ("B"); escalated to full, which was right
        _row("q2", "auto", 1.0, 1100, route=[
            _step("rag", "options too close (margin 0.10 < 0.2)", margin=0.1, answer="B. y"),
            _step("full")]),
        _row("q2", "full", 1.0, 1000), _row("q2", "tree", 0.0, 300),
        # q3: free text over the window; rag could not answer; coa and tree read it
        _row("q3", "auto", 0.5, 2100, choice=False, fits=False, route=[
            _step("rag", "rag said it cannot answer", answer="unanswerable"), _step("coa")]),
        _row("q3", "full", 0.1, 1000, choice=False, fits=False),
        _row("q3", "coa", 0.5, 2000, choice=False, fits=False),
        _row("q3", "tree", 0.7, 400, choice=False, fits=False),
    ]


def test_the_runs_own_policy_gives_back_the_runs_scores():
    result = replay(_rows(), Policy(0.2, "full", "coa"), run_margin=0.2)
    assert result.scores == {"d": [0.0, 1.0, 0.5]}
    assert result.escalated == 2
    assert result.tokens == {"fits": [100, 1100], "over": [2100]}


def test_a_lower_margin_settles_at_rag_with_rags_own_pick():
    result = replay(_rows(), Policy(0.05, "full", "coa"), run_margin=0.2)
    assert result.scores["d"][:2] == [0.0, 0.0]  # q2 kept rag's wrong "B"
    assert result.tokens["fits"] == [100, 100]


def test_a_higher_margin_and_another_order():
    result = replay(_rows(), Policy(0.7, "tree", "tree"), run_margin=0.2)
    assert result.scores == {"d": [0.0, 0.0, 0.7]}  # both escalated to tree, which missed
    assert result.tokens == {"fits": [400, 400], "over": [500]}  # rag's step plus tree's


def test_what_the_run_cannot_tell_is_not_guessed():
    rows = _rows()
    rows[0]["route"][0]["margin"] = None  # an older run: a settled question's margin unknown
    assert replay(rows, Policy(0.5, "full", "coa"), run_margin=0.2) is None
    assert replay(rows, Policy(0.1, "full", "coa"), run_margin=0.2) is not None
    assert replay(rows, Policy(0.2, "full", "tree"), run_margin=0.2).scores["d"][2] == 0.7
    no_tree = [r for r in rows if r["pipeline"] != "tree"]
    assert replay(no_tree, Policy(0.2, "full", "tree"), run_margin=0.2) is None


def test_an_older_runs_escalated_pick_comes_from_the_rag_line_and_is_counted():
    rows = _rows()
    rows[3]["route"][0]["answer"] = ""  # not recorded then
    rows.append(_row("q2", "rag", 1.0, 90, answer="A. x"))
    result = replay(rows, Policy(0.05, "full", "coa"), run_margin=0.2)
    assert result.scores["d"][1] == 1.0 and result.approximate == 1


def _outcome(margin, score, fits_ratio, over_ratio=0.1):
    return Outcome(Policy(margin, "full", "coa"), score, -0.1, fits_ratio, over_ratio)


def test_the_rule_takes_the_best_score_within_the_token_targets():
    within, best_but_costly = _outcome(0.1, 0.30, 0.45), _outcome(0.2, 0.35, 0.60)
    assert choose([best_but_costly, within]) is within
    assert choose([best_but_costly]) is None


def test_ties_go_to_the_cheaper_policy_then_the_lower_margin():
    cheap, dear = _outcome(0.2, 0.30, 0.30), _outcome(0.1, 0.30, 0.40)
    assert choose([dear, cheap]) is cheap
    low, high = _outcome(0.05, 0.30, 0.30), _outcome(0.15, 0.30, 0.30)
    assert choose([high, low]) is low
