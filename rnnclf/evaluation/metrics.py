"""Test-split metrics: accuracy, per-class precision/recall/F1/support, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from rnnclf.checkpoints.records import ClassScores, EpochRecord, Metrics, TestMetrics
from rnnclf.core.paths import relative
from rnnclf.data.dataset import DataError, Split, read_csv
from rnnclf.evaluation.significance import macro_f1
from rnnclf.models.classifier import Classifier


def metrics_from_predictions(labels: np.ndarray, predicted: np.ndarray, classes: Sequence[str]) -> TestMetrics:
    """Accuracy, per-class scores, macro-F1 (`significance.macro_f1`, the bootstrap's) and the confusion
    matrix (confusion[i][j]: true class i predicted as j)."""
    n = len(classes)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = []
    for i, name in enumerate(classes):
        tp = int(confusion[i, i])
        predicted_i, support = int(confusion[:, i].sum()), int(confusion[i].sum())
        precision = tp / predicted_i if predicted_i else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append(ClassScores(name, precision, recall, f1, support))
    return TestMetrics(
        accuracy=float(np.trace(confusion) / confusion.sum()),
        rows=int(confusion.sum()),
        macro_f1=float(macro_f1(labels, predicted, n)),
        per_class=tuple(per_class),
        confusion=tuple(tuple(int(v) for v in row) for row in confusion),
        classes=tuple(classes),
    )


def evaluate(classifier: Classifier, split: Split) -> tuple[TestMetrics, np.ndarray]:
    """Metrics of `classifier` on `split`, and the probabilities they came from; a split labelled with more
    classes than the classifier has (another dataset's) is a DataError."""
    beyond = np.flatnonzero(split.labels >= len(classifier.classes))
    if len(beyond):
        row = int(beyond[0])
        raise DataError(
            f"row {row + 1} of the split (line {row + 1} of its file, unless a text spans lines) is labelled "
            f"{int(split.labels[row]) + 1}, but {classifier.name} knows {len(classifier.classes)} classes "
            f"({', '.join(classifier.classes)}): is it its dataset's split?"
        )
    probabilities = classifier.predict_proba(split.texts)
    return metrics_from_predictions(split.labels, probabilities.argmax(1), classifier.classes), probabilities


def final_metrics(
    classifier: Classifier, test_path: Path, history: Sequence[EpochRecord], seconds: float
) -> tuple[Metrics, np.ndarray]:
    """A freshly trained model's metrics (test metrics, history, time) and its test probabilities."""
    test, probabilities = evaluate(classifier, read_csv(test_path, len(classifier.classes)))
    return Metrics(replace(test, data=relative(test_path)), tuple(history), seconds), probabilities


def cell_examples(labels: np.ndarray, probabilities: np.ndarray, true: int, predicted: int) -> np.ndarray:
    """Rows of confusion cell (true, predicted), the model's most confident first."""
    rows = np.flatnonzero((labels == true) & (probabilities.argmax(1) == predicted))
    return rows[np.argsort(-probabilities[rows, predicted], kind="stable")]


def agreement_matrix(predicted: np.ndarray) -> np.ndarray:
    """Fraction of rows on which each pair of models predicts the same class; `predicted` is (models, rows)."""
    return (predicted[:, None, :] == predicted[None, :, :]).mean(axis=2)


def disagreeing_rows(predicted: np.ndarray) -> np.ndarray:
    """Rows on which not all models (the rows of `predicted`) predict the same class."""
    return np.flatnonzero((predicted != predicted[:1]).any(axis=0))


def format_report(name: str, metrics: TestMetrics) -> str:
    """A human-readable table of `metrics_from_predictions` output."""
    lines = [f"{name}: accuracy {metrics.accuracy:.2%} on {metrics.rows} rows", ""]
    lines.append(f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}")
    for c in metrics.per_class:
        lines.append(f"{c.name:<10} {c.precision:>9.4f} {c.recall:>7.4f} {c.f1:>7.4f} {c.support:>8}")
    lines += ["", "confusion (rows: true, columns: predicted)"]
    classes = metrics.classes
    lines.append(" " * 10 + "".join(f"{c:>10}" for c in classes))
    for c, row in zip(classes, metrics.confusion):
        lines.append(f"{c:<10}" + "".join(f"{v:>10}" for v in row))
    return "\n".join(lines)
