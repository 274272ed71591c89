"""Bootstrap intervals and McNemar's exact test on fixtures, against exact binomial sums."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from rnnclf.evaluation.metrics import metrics_from_predictions
from rnnclf.evaluation.significance import (
    accuracy_interval,
    bootstrap_interval,
    holm,
    macro_f1,
    macro_f1_interval,
    mcnemar,
    mcnemar_matrix,
)


def _fixture(rows: int = 800, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, rows)
    predicted = np.where(rng.random(rows) < 0.8, labels, rng.integers(0, 4, rows))
    return labels, predicted


def test_intervals_contain_the_point_estimate_and_are_seeded() -> None:
    labels, predicted = _fixture()
    accuracy = accuracy_interval(labels, predicted, seed=5)
    f1 = macro_f1_interval(labels, predicted, 4, seed=5)
    assert accuracy.estimate == pytest.approx(np.mean(labels == predicted))
    assert f1.estimate == pytest.approx(metrics_from_predictions(labels, predicted, tuple("abcd")).macro_f1)
    for interval in (accuracy, f1):
        assert interval.low < interval.estimate < interval.high
        assert interval.high - interval.low < 0.12  # 800 rows: a few points either side, not the whole range
    assert accuracy_interval(labels, predicted, seed=5) == accuracy
    assert accuracy_interval(labels, predicted, seed=6) != accuracy


def test_interval_width_matches_the_binomial_standard_error() -> None:
    labels, predicted = _fixture(rows=4000, seed=1)
    interval = accuracy_interval(labels, predicted, resamples=2000)
    p = interval.estimate
    expected = 2 * 1.96 * np.sqrt(p * (1 - p) / len(labels))
    assert interval.high - interval.low == pytest.approx(expected, rel=0.15)


def _exact_two_sided(b: int, c: int) -> float:
    """McNemar's exact p-value by hand: twice the smaller binomial tail at 1/2, capped at 1."""
    n, k = b + c, min(b, c)
    return min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2**n)


@pytest.mark.parametrize(("b", "c"), [(1, 9), (343, 316), (10, 10), (0, 7), (30, 12)])
def test_mcnemar_matches_the_exact_binomial_sum(b: int, c: int) -> None:
    # b rows only A gets right, c only B, 20 both right, 5 both wrong with different labels.
    labels = np.zeros(b + c + 25, dtype=int)
    first = np.concatenate([np.zeros(b), np.ones(c), np.zeros(20), np.full(5, 2)]).astype(int)
    second = np.concatenate([np.ones(b), np.zeros(c), np.zeros(20), np.full(5, 3)]).astype(int)
    test = mcnemar("A", "B", labels, first, second)
    assert (test.first_right, test.second_right, test.differ) == (b, c, b + c + 5)
    assert test.p_value == pytest.approx(_exact_two_sided(b, c))
    sentence = test.sentence()
    assert f"differ on {b + c + 5} test texts; A is right on {b} of them, B on {c}" in sentence
    assert ("B is better" in sentence) == (test.p_value < 0.05 and c > b)
    assert ("no evidence of a real difference" in sentence) == (test.p_value >= 0.05)


def test_mcnemar_matrix_is_symmetric_with_ones_on_the_diagonal() -> None:
    labels, first = _fixture(seed=2)
    _, second = _fixture(seed=3)
    predicted = np.stack([first, second, labels])
    matrix = mcnemar_matrix(["a", "b", "truth"], labels, predicted)
    assert np.array_equal(matrix, matrix.T) and np.all(np.diag(matrix) == 1)
    assert matrix[0, 2] < 1e-6  # a model against the truth itself


def test_holm_adjustment_on_a_worked_example() -> None:
    # Sorted p .01, .02, .03, .04 times 4, 3, 2, 1 -> .04, .06, .06 (kept monotone), .06 (kept monotone).
    adjusted = holm(np.array([0.03, 0.01, 0.04, 0.02]))
    np.testing.assert_allclose(adjusted, [0.06, 0.04, 0.06, 0.06])


def test_the_one_bootstrap_resamples_as_scipy_does_for_one_sample() -> None:
    """Faithfulness means were bootstrapped unpaired, one sample at a time: the shared (paired) bootstrap draws
    the same rows, so it gives them bitwise."""
    from scipy.stats import bootstrap

    values = np.random.default_rng(3).normal(size=57)
    shared = bootstrap_interval(np.mean, values, seed=4)
    alone = bootstrap(
        (values,), np.mean, confidence_level=0.95, n_resamples=1000, method="percentile", rng=np.random.default_rng(4)
    )
    assert (shared.low, shared.high) == (alone.confidence_interval.low, alone.confidence_interval.high)
    assert shared.estimate == values.mean()


@pytest.mark.parametrize("classes", [3, 4, 6])
def test_metrics_report_the_bootstraps_macro_f1(classes: int) -> None:
    rng = np.random.default_rng(classes)
    labels = rng.integers(0, classes, 500)
    predicted = np.where(rng.random(500) < 0.7, labels, rng.integers(0, classes, 500))
    names = tuple("abcdef"[:classes])
    metrics = metrics_from_predictions(labels, predicted, names)
    assert metrics.macro_f1 == float(macro_f1(labels, predicted, classes))
    assert metrics.macro_f1 == pytest.approx(np.mean([c.f1 for c in metrics.per_class]))
    assert macro_f1_interval(labels, predicted, classes).estimate == metrics.macro_f1
    # A class never true nor predicted counts as 0: the class count is the dataset's, not the labels seen.
    assert float(macro_f1(labels, predicted, classes + 1)) == pytest.approx(metrics.macro_f1 * classes / (classes + 1))
