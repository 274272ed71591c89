"""Slices of the test split: counts add up, and a user's pattern is bounded."""

from __future__ import annotations

import numpy as np
import pytest

from rnnclf.evaluation.slices import (
    PatternError,
    class_slices,
    pattern_slices,
    score,
    token_count_slices,
    unknown_share,
    unknown_slices,
    window_slices,
)

TEXTS = ["Oil prices rise", "Stocks fall as oil slips", "Team wins the cup", "New chip from Intel"] * 50


def _adds_up(slices, rows: int) -> None:
    masks = np.stack([s.rows for s in slices])
    assert masks.sum() == rows and np.all(masks.sum(0) == 1)  # every row in exactly one slice


def test_each_family_of_slices_partitions_the_rows() -> None:
    rng = np.random.default_rng(0)
    counts = rng.integers(3, 120, 1000)
    _adds_up(token_count_slices(counts), 1000)
    _adds_up(window_slices(counts, 25), 1000)
    _adds_up(window_slices(counts, None), 1000)
    _adds_up(unknown_slices(rng.random(1000) * 0.3), 1000)
    _adds_up(class_slices(rng.integers(0, 4, 1000), ("a", "b", "c", "d")), 1000)
    _adds_up(pattern_slices(TEXTS, "oil", is_regex=False), len(TEXTS))


def test_scores_count_and_accuracy_per_slice() -> None:
    labels = np.array([0, 0, 1, 1])
    predicted = np.array([0, 1, 1, 1])
    [first, second] = score(class_slices(labels, ("x", "y"))[:2], "m", labels, predicted)
    assert (first.count, first.accuracy, second.count, second.accuracy) == (2, 0.5, 2, 1.0)
    assert first.small


def test_keyword_is_literal_and_case_insensitive_regex_is_a_pattern() -> None:
    [match, _] = pattern_slices(TEXTS, "OIL", is_regex=False)
    assert match.rows.sum() == 100
    [match, _] = pattern_slices(["a.b", "axb"], "a.b", is_regex=False)
    assert match.rows.tolist() == [True, False]
    [match, _] = pattern_slices(TEXTS, r"\b(cup|chip)\b", is_regex=True)
    assert match.rows.sum() == 100


@pytest.mark.parametrize("pattern", ["(", "", "x" * 500])
def test_a_bad_pattern_is_a_clear_error(pattern: str) -> None:
    with pytest.raises(PatternError):
        pattern_slices(TEXTS, pattern, is_regex=True)


def test_a_catastrophic_pattern_is_stopped_by_the_timeout() -> None:
    texts = ["a" * 40 + "!"] * 3
    with pytest.raises(PatternError, match="backtracks"):
        pattern_slices(texts, r"(a|aa)+$", is_regex=True, seconds=0.2)


class _Known:
    max_tokens = 2

    def is_known(self, token: str) -> bool:
        return token not in {"zzz"}


def test_unknown_share_counts_only_the_tokens_the_model_reads() -> None:
    shares = unknown_share([["zzz", "a", "zzz"], ["a", "b"], []], _Known())
    assert shares.tolist() == [0.5, 0.0, 0.0]
