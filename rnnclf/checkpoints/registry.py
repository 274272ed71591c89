"""The checkpoints there are, loaded into `Checkpoint` records: the one entry point for the app and the CLI.

Storage (`storage`) knows files; each model family (`families`) knows how to build its classifier from
verified files; this module puts the two together and never writes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnclf.checkpoints.families import FAMILIES
from rnnclf.checkpoints.records import CheckpointConfig, Metrics
from rnnclf.checkpoints.schema import RecordError
from rnnclf.checkpoints.storage import CONFIG, METRICS, CheckpointError, Folder, read_predictions, resolve
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.data.dataset import DataError, Dataset, Split
from rnnclf.data.registry import get_dataset
from rnnclf.models.classifier import Classifier


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint: where it lives, what it says about itself, and the model that predicts."""

    name: str
    folder: Path
    config: CheckpointConfig
    metrics: Metrics
    dataset: Dataset
    classifier: Classifier
    test_predictions: np.ndarray | None  # stored test-split probabilities, read-only; None if not stored

    @property
    def classes(self) -> tuple[str, ...]:
        return self.dataset.classes

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def test_accuracy(self) -> float | None:
        return self.metrics.test.accuracy if self.metrics.test else None

    def test_probabilities(self, split: Split) -> np.ndarray:
        """Probabilities on `split` (the test split): the stored ones when they fit it, else computed."""
        if self.test_predictions is not None and len(self.test_predictions) == len(split):
            return self.test_predictions
        return self.classifier.predict_proba(split.texts)


def of_dataset(checkpoints: Sequence[Checkpoint], dataset: Dataset) -> tuple[list[Checkpoint], list[Checkpoint]]:
    """Those trained on `dataset`, and the others, each in the order given: only checkpoints of one dataset
    share a test split, so only they are put side by side."""
    same = [c for c in checkpoints if c.dataset.name == dataset.name]
    return same, [c for c in checkpoints if c.dataset.name != dataset.name]


def left_out_note(others: Sequence[Checkpoint], dataset: Dataset) -> str:
    """One sentence naming the checkpoints `of_dataset` set aside, by dataset; empty when there are none."""
    if not others:
        return ""
    by_dataset: dict[str, list[str]] = {}
    for checkpoint in others:
        by_dataset.setdefault(checkpoint.dataset.display_title, []).append(checkpoint.name)
    groups = "; ".join(f"{', '.join(names)} ({title})" for title, names in by_dataset.items())
    return f"Left out, trained on another dataset than {dataset.display_title}: {groups}."


def list_checkpoints(root: Path = CHECKPOINT_DIR) -> list[str]:
    """Names of the checkpoint folders under `root` (broken ones too: loading says what is wrong)."""
    root = Path(root)
    if not root.is_dir():
        return []
    names = [p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(names, key=_natural_key)


def _natural_key(name: str) -> tuple:
    digits = "".join(c for c in name if c.isdigit())
    return (name.rstrip("0123456789"), int(digits) if digits and name[-1].isdigit() else -1, name)


def read_records(folder: Folder) -> tuple[CheckpointConfig, Metrics]:
    """The verified config and metrics of a checkpoint, as records."""
    config_data, metrics_data = folder.read_json(CONFIG), folder.read_json(METRICS)
    try:
        return CheckpointConfig.from_dict(config_data), Metrics.from_dict(metrics_data)
    except RecordError as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: {error}") from None


def load_checkpoint(name_or_path: str | Path, root: Path = CHECKPOINT_DIR) -> Checkpoint:
    """Load a checkpoint by name (under `root`) or folder path; every file is verified once, as it is read."""
    folder = Folder(resolve(name_or_path, root))
    config, metrics = read_records(folder)
    dataset = checkpoint_dataset(folder.name, config)
    classifier = FAMILIES[config.kind].load(folder, config.model, dataset.classes)
    predictions = read_predictions(folder)
    if predictions is not None:
        predictions.setflags(write=False)
    return Checkpoint(folder.name, folder.path, config, metrics, dataset, classifier, predictions)


def checkpoint_dataset(name: str, config: CheckpointConfig) -> Dataset:
    """The dataset a checkpoint names, as a CheckpointError when it is not there."""
    try:
        return get_dataset(config.dataset)
    except DataError as error:
        raise CheckpointError(f"checkpoint {name!r}: {error}") from None


def load_classifier(name_or_path: str | Path, root: Path = CHECKPOINT_DIR) -> Classifier:
    """Only the model of a checkpoint, for code that just predicts."""
    return load_checkpoint(name_or_path, root).classifier


@dataclass(frozen=True)
class SummaryRow:
    """One checkpoint in the results table; `error` says why the others are empty."""

    checkpoint: str
    title: str | None = None
    test_accuracy: float | None = None
    tutorial_accuracy: float | None = None
    training_rows: int | None = None
    epochs: int | None = None
    parameters: int | None = None
    training_seconds: float | None = None
    error: str | None = None


def summary_row(name: str, config: CheckpointConfig, metrics: Metrics) -> SummaryRow:
    return SummaryRow(
        checkpoint=name,
        title=config.title,
        test_accuracy=metrics.test.accuracy if metrics.test else None,
        tutorial_accuracy=config.tutorial_accuracy,
        training_rows=config.training.rows,
        epochs=config.training.epochs,
        parameters=config.parameters,
        training_seconds=metrics.training_seconds,
    )


def summary_rows(root: Path = CHECKPOINT_DIR) -> list[SummaryRow]:
    """One row per checkpoint, from its verified config and metrics alone (its weights are not read:
    a checkpoint whose weights are damaged is reported when it is loaded)."""
    rows = []
    for name in list_checkpoints(root):
        try:
            rows.append(summary_row(name, *read_records(Folder(Path(root) / name))))
        except CheckpointError as error:
            rows.append(SummaryRow(name, error=str(error)))
    return rows
