"""Calibration statistics against a hand-checked fixture and scikit-learn; temperature scaling and the
`calibrate` command on a tiny checkpoint."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, log_loss

from rnnclf import list_checkpoints, load_checkpoint
from rnnclf.checkpoints.storage import PREDICTIONS, WEIGHTS, Folder
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.evaluation.calibration import accuracy_coverage, brier, fit_temperature, nll, reliability, scale
from rnnclf.evaluation.temperature import fit, store, validation_split

SHIPPED = list_checkpoints(CHECKPOINT_DIR)


def _random(rows: int, seed: int, sharpness: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(rows, 4)) * sharpness
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.where(rng.random(rows) < 0.7, probabilities.argmax(1), rng.integers(0, 4, rows))
    return probabilities, labels


def test_ece_mce_and_brier_on_a_hand_checked_fixture() -> None:
    # Two rows at confidence 0.9 (one right), two at 0.6 (both right), with 2 bins: [0, .5], (.5, 1].
    # Bin 2 holds all four: mean confidence .75, accuracy .75 -> ECE 0. With 10 bins, bin (.8,.9]
    # holds the 0.9s (accuracy .5, gap .4) and bin (.5,.6] the 0.6s (accuracy 1, gap .4): ECE = MCE = .4.
    p = np.array([[0.9, 0.1, 0, 0], [0.9, 0.1, 0, 0], [0.6, 0.4, 0, 0], [0.4, 0.6, 0, 0]])
    labels = np.array([0, 1, 0, 1])
    assert reliability(p, labels, bins=2).ece == pytest.approx(0.0)
    ten = reliability(p, labels, bins=10)
    assert ten.ece == pytest.approx(0.4) and ten.mce == pytest.approx(0.4)
    assert ten.counts.tolist() == [0, 0, 0, 0, 0, 2, 0, 0, 2, 0]
    # Brier: (.01+.01) + (.81+.81) + (.16+.16) + (.16+.16) = 2.28 over 4 rows.
    assert brier(p, labels) == pytest.approx(0.57)


def test_bins_match_sklearn_calibration_curve_and_scores_match_sklearn() -> None:
    p, labels = _random(3000, seed=1)
    bins = reliability(p, labels, bins=15)
    correct = (p.argmax(1) == labels).astype(int)
    accuracy, confidence = calibration_curve(correct, p.max(1), n_bins=15, strategy="uniform")
    full = bins.counts > 0
    np.testing.assert_allclose(bins.accuracy[full], accuracy)
    np.testing.assert_allclose(bins.confidence[full], confidence)
    assert bins.counts.sum() == len(labels)
    assert brier(p, labels) == pytest.approx(brier_score_loss(labels, p, labels=[0, 1, 2, 3]))
    assert nll(p, labels) == pytest.approx(log_loss(labels, p, labels=[0, 1, 2, 3]))


def test_temperature_lowers_nll_and_keeps_every_argmax() -> None:
    p, labels = _random(2000, seed=2, sharpness=6.0)  # overconfident: the best T is above 1
    temperature = fit_temperature(p, labels)
    assert temperature > 1
    scaled = scale(p, temperature)
    assert nll(scaled, labels) < nll(p, labels)
    assert np.array_equal(scaled.argmax(1), p.argmax(1))
    np.testing.assert_allclose(scaled.sum(1), 1.0)
    for other in (temperature * 0.8, temperature * 1.25):  # a minimum, not just an improvement
        assert nll(scale(p, other), labels) > nll(scaled, labels)


def test_accuracy_coverage_keeps_all_at_zero_and_fewer_above() -> None:
    p, labels = _random(500, seed=3)
    curve = accuracy_coverage(p, labels)
    assert curve.kept[0] == 1.0 and curve.accuracy[0] == pytest.approx(np.mean(p.argmax(1) == labels))
    assert np.all(np.diff(curve.kept) <= 0)


def test_calibrate_stores_the_record_and_changes_no_weight_prediction_or_accuracy(
    tiny_checkpoint: Path, tmp_path: Path
) -> None:
    folder = shutil.copytree(tiny_checkpoint.parent, tmp_path / "root") / tiny_checkpoint.name  # with its vocabulary
    before = load_checkpoint(folder)
    files = {name: (folder / name).read_bytes() for name in (WEIGHTS, PREDICTIONS, "config.json")}
    val = validation_split(before.config)
    assert len(val) == before.config.training.val_rows
    calibration = fit(before)
    store(before, calibration)
    after = load_checkpoint(folder)  # verified against the rewritten manifest
    Folder(folder).verify_all()
    assert after.metrics.calibration == calibration
    assert after.metrics.test == before.metrics.test and after.metrics.history == before.metrics.history
    assert {name: (folder / name).read_bytes() for name in files} == files
    assert calibration.val_nll_after <= calibration.val_nll_before
    calibrated = scale(after.test_predictions, calibration.temperature)
    assert np.array_equal(calibrated.argmax(1), after.test_predictions.argmax(1))


def test_shipped_checkpoints_are_calibrated_and_keep_their_predictions() -> None:
    from rnnclf.data.dataset import TEST_PATH, read_csv

    labels = read_csv(TEST_PATH).labels
    for name in SHIPPED:
        checkpoint = load_checkpoint(name)
        calibration = checkpoint.metrics.calibration
        assert calibration is not None, f"{name}: run python -m rnnclf calibrate --all"
        raw = checkpoint.test_predictions
        assert np.mean(raw.argmax(1) == labels) == pytest.approx(checkpoint.metrics.test.accuracy, abs=1e-12)
        assert np.array_equal(scale(raw, calibration.temperature).argmax(1), raw.argmax(1))
        assert reliability(scale(raw, calibration.temperature), labels).ece == pytest.approx(calibration.test_ece_after)


def test_compare_command_prints_mcnemar_and_summary_prints_intervals(
    capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    from rnnclf.cli import main

    first, second = SHIPPED[:2]
    assert main(["compare", first, second]) == 0
    assert f"{first} and {second} differ on" in capsys.readouterr().out
    assert main(["compare", "only-one"]) == 2
    capsys.readouterr()
    shutil.copytree(CHECKPOINT_DIR / "tfidf_lr", tmp_path / "tfidf_lr")  # one checkpoint, no vocabulary to copy
    assert main(["summary", "--root", str(tmp_path)]) == 0
    intervals = capsys.readouterr().out.split("95 % bootstrap intervals")[1]
    [line] = [line for line in intervals.splitlines() if line.startswith("tfidf_lr")]
    accuracy = load_checkpoint("tfidf_lr").metrics.test.accuracy
    low, high = (float(v) / 100 for v in line.split()[2:5:2])
    assert low < accuracy < high
