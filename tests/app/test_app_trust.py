"""The trust numbers in the app through AppTest: calibrated probabilities, calibration, intervals,
McNemar's test and the slices."""

from __future__ import annotations

import numpy as np
import pytest

from apptest_utils import SHIPPED, enter, messages, open_view, pick, rerun, start
from rnnclf import load_checkpoint
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.evaluation.calibration import reliability, scale
from rnnclf.evaluation.significance import mcnemar

pytestmark = pytest.mark.skipif(len(SHIPPED) < 2, reason="needs two shipped checkpoints")

BUSINESS = "Oil prices rose and stocks fell as investors worried about company earnings and the dollar."


def test_calibrated_probabilities_change_the_numbers_never_the_class() -> None:
    for name in (SHIPPED[0], SHIPPED[-1]):  # a recurrent model and the baseline (the last, by name)
        at = pick(enter(start(), BUSINESS), name)
        raw_class, raw_caption = at.metric[0].value, at.caption[0].value
        at.toggle(key="calibrated").set_value(True)
        rerun(at)
        checkpoint = load_checkpoint(name)
        p = checkpoint.classifier.predict_proba([BUSINESS])
        expected = scale(p, checkpoint.metrics.calibration.temperature)[0].max()
        assert at.metric[0].value == raw_class
        assert at.caption[0].value.startswith(f"{expected:.1%} probability")
        assert at.caption[0].value != raw_caption or abs(expected - p.max()) < 5e-4


def test_evaluate_shows_each_checkpoints_calibration() -> None:
    at = open_view(start(), "Evaluate")
    table = at.dataframe[1].value
    labels = read_csv(TEST_PATH).labels
    assert table["checkpoint"].tolist() == SHIPPED
    for _, row in table.iterrows():
        checkpoint = load_checkpoint(row["checkpoint"])
        assert row["ECE"] == pytest.approx(reliability(checkpoint.test_predictions, labels).ece)
        assert row["ECE calibrated"] == pytest.approx(checkpoint.metrics.calibration.test_ece_after)
        assert row["temperature"] == checkpoint.metrics.calibration.temperature


def test_summary_shows_intervals_around_each_accuracy() -> None:
    at = open_view(start(), "Summary")
    table = at.dataframe[0].value
    for _, row in table.iterrows():
        assert row["accuracy low"] < row["test accuracy"] < row["accuracy high"]
        assert row["macro-F1 low"] < row["macro-F1"] < row["macro-F1 high"]


def test_disagreements_state_mcnemar_for_the_chosen_pair() -> None:
    at = open_view(start(), "Disagreements")
    first, second = SHIPPED[:2]
    labels = read_csv(TEST_PATH).labels
    a, b = (load_checkpoint(n).test_predictions.argmax(1) for n in (first, second))
    assert mcnemar(first, second, labels, a, b).sentence() in [t.value for t in at.text]


def _slice_counts(at, family: str, name: str) -> int:
    table = at.dataframe[0].value
    return int(table.loc[table["family"] == family, f"{name} n"].sum())


def test_slices_add_up_and_a_bad_pattern_is_refused() -> None:
    at = open_view(start(), "Slices")
    rows = len(read_csv(TEST_PATH))
    for family in ("length (token quartile)", "true class", "token window", "unknown words"):
        for name in SHIPPED:
            assert _slice_counts(at, family, name) == rows, (family, name)
    at.text_input(key="slices_pattern").input("oil")
    rerun(at)
    assert _slice_counts(at, "keyword", SHIPPED[0]) == rows
    at.segmented_control(key="slices_mode").set_value("regular expression")
    at.text_input(key="slices_pattern").input("(unclosed")
    rerun(at)
    assert "Pattern not used" in messages(at)
    assert np.isin(["length (token quartile)"], at.dataframe[0].value["family"]).all()


def test_calibrated_probabilities_reach_explain_and_batch() -> None:
    name = SHIPPED[0]
    checkpoint = load_checkpoint(name)
    temperature = checkpoint.metrics.calibration.temperature
    p = checkpoint.classifier.predict_proba([BUSINESS])
    at = pick(enter(start(), BUSINESS), name)
    at.toggle(key="calibrated").set_value(True)
    open_view(at, "Explain")
    label = int(np.argmax(p))
    assert at.metric[0].value == f"{scale(p, temperature)[0, label]:.1%}"
    open_view(at, "Batch")
    at.segmented_control(key="batch_source").set_value("Paste lines")
    rerun(at)
    at.text_area(key="batch_lines").input(f"{BUSINESS}\n\n{BUSINESS}")
    rerun(at)
    at.button(key="batch_score").click()
    rerun(at)
    table = at.dataframe[0].value
    columns = [f"{name} P({c})" for c in checkpoint.classifier.classes]
    np.testing.assert_allclose(table[columns].dropna().to_numpy()[0], scale(p, temperature)[0], atol=1e-6)
    assert table[f"{name} label"].dropna().tolist() == [checkpoint.classifier.classes[label]] * 2
