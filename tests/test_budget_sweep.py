import pytest

from longdoc.eval.budget_sweep import BudgetPoint, choose_budget


def point(budget: int, score: float) -> BudgetPoint:
    return BudgetPoint(budget, score)


def test_the_best_score_wins_when_clearly_ahead() -> None:
    points = [point(768, 0.30), point(1536, 0.34), point(3072, 0.32)]
    assert choose_budget(points).budget == 1536


def test_a_smaller_budget_within_the_tolerance_is_preferred() -> None:
    points = [point(768, 0.335), point(1536, 0.34), point(3072, 0.344)]
    assert choose_budget(points).budget == 768


def test_a_smaller_budget_just_past_the_tolerance_is_not() -> None:
    points = [point(768, 0.329), point(1536, 0.34)]
    assert choose_budget(points).budget == 1536
    assert choose_budget(points, same_score=0.02).budget == 768


def test_no_points_is_an_error() -> None:
    with pytest.raises(ValueError):
        choose_budget([])
