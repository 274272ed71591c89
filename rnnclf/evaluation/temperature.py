"""`rnnclf calibrate`: fit a checkpoint's temperature on the validation split it was trained with,
measure it on the test split, and store the record in its metrics.json (nothing else changes)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rnnclf.checkpoints.records import Calibration, CheckpointConfig
from rnnclf.checkpoints.registry import Checkpoint
from rnnclf.checkpoints.storage import republish
from rnnclf.core.files import sha256_file
from rnnclf.core.paths import PROJECT_ROOT
from rnnclf.data.dataset import DataError, Split, load_train_val, read_csv
from rnnclf.evaluation.calibration import BINS, fit_temperature, nll, reliability, scale


def validation_split(config: CheckpointConfig) -> Split:
    """The validation rows the checkpoint was trained against, rebuilt from its training record."""
    return training_splits(config)[1]


def training_splits(config: CheckpointConfig) -> tuple[Split, Split]:
    """The training and validation rows the checkpoint was trained on and against, rebuilt from its record."""
    training = config.training
    path = Path(training.data)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    if not path.is_file():
        raise DataError(
            f"{config.title}: its training data {training.data} is not here; cannot rebuild its validation split"
        )
    if sha256_file(path) != training.data_sha256:
        raise DataError(f"{training.data} is not the file {config.title} was trained on (its sha256 differs)")
    total = training.rows + training.val_rows
    train, val = load_train_val(path, training.val_rows / total, training.seed, total)
    if (len(train), len(val)) != (training.rows, training.val_rows):
        raise DataError(f"{config.title}: the rebuilt split has {len(train)} + {len(val)} rows, not the recorded ones")
    return train, val


def test_split(checkpoint: Checkpoint) -> Split:
    """The split the checkpoint's test metrics (and stored predictions) were measured on: its dataset's
    test split (checked against the record's pin), or another file its metrics name."""
    data = checkpoint.metrics.test.data if checkpoint.metrics.test else None
    if data in (None, checkpoint.dataset.test.path):
        return checkpoint.dataset.read_test()
    path = Path(data)
    return read_csv(path if path.is_absolute() else PROJECT_ROOT / path, len(checkpoint.classes))


def fit(checkpoint: Checkpoint) -> Calibration:
    """Temperature on the validation split; NLL there and ECE on the test split, before and after."""
    val = validation_split(checkpoint.config)
    val_probabilities = checkpoint.classifier.predict_proba(val.texts)
    temperature = fit_temperature(val_probabilities, val.labels)
    test = test_split(checkpoint)
    test_probabilities = checkpoint.test_probabilities(test)
    return Calibration(
        temperature=temperature,
        val_rows=len(val),
        val_nll_before=nll(val_probabilities, val.labels),
        val_nll_after=nll(scale(val_probabilities, temperature), val.labels),
        test_ece_before=reliability(test_probabilities, test.labels).ece,
        test_ece_after=reliability(scale(test_probabilities, temperature), test.labels).ece,
        bins=BINS,
    )


def store(checkpoint: Checkpoint, calibration: Calibration) -> None:
    """Rewrite metrics.json with the record; weights, predictions and config are republished byte for byte."""
    metrics = replace(checkpoint.metrics, calibration=calibration)
    republish(checkpoint.folder, {}, metrics=metrics.to_dict())
