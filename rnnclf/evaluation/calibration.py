"""How far a checkpoint's probabilities can be trusted: reliability bins, ECE/MCE, Brier, NLL, the
accuracy-coverage curve, and temperature scaling fitted on the validation split.

Computed from stored probabilities only: nothing here runs a model. Temperature scaling divides the
log-probabilities by one number T > 0 before the softmax; T is monotone in every row, so the
predicted class never changes (tests check it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

BINS = 15
TINY = 1e-12  # stored float32 probabilities can underflow to 0: floor them before taking logs


@dataclass(frozen=True)
class Reliability:
    """Equal-width confidence bins: per bin its count, mean confidence and accuracy (NaN when empty)."""

    edges: np.ndarray  # (bins + 1,)
    counts: np.ndarray  # (bins,)
    confidence: np.ndarray
    accuracy: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error: the count-weighted mean |accuracy - confidence| over the bins."""
        full = self.counts > 0
        gaps = np.abs(self.accuracy[full] - self.confidence[full])
        return float(np.sum(self.counts[full] * gaps) / self.counts.sum())

    @property
    def mce(self) -> float:
        """Maximum calibration error: the largest |accuracy - confidence| of a non-empty bin."""
        full = self.counts > 0
        return float(np.max(np.abs(self.accuracy[full] - self.confidence[full])))


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> Reliability:
    """Bin each row's top probability; bins are right-closed, as in sklearn.calibration.calibration_curve."""
    confidence = probabilities.max(1).astype(np.float64)
    correct = (probabilities.argmax(1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.searchsorted(edges[1:-1], confidence)  # sklearn's rule: a value on an edge joins the lower bin
    counts = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, bins) / counts
        accuracy = np.bincount(index, correct, bins) / counts
    return Reliability(edges, counts, mean_confidence, accuracy)


def brier(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Multiclass Brier score: mean over rows of the squared distance to the one-hot label (0 best, 2 worst)."""
    onehot = np.eye(probabilities.shape[1])[labels]
    return float(np.mean(np.sum((probabilities.astype(np.float64) - onehot) ** 2, axis=1)))


def nll(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of the true class (natural log)."""
    p = np.clip(probabilities[np.arange(len(labels)), labels].astype(np.float64), TINY, 1.0)
    return float(-np.mean(np.log(p)))


def scale(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities after temperature scaling: softmax(log p / T). T = 1 gives them back (up to rounding)."""
    logits = np.log(np.clip(probabilities.astype(np.float64), TINY, 1.0))
    return np.exp(log_softmax(logits / temperature, axis=1))


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The T that minimizes NLL on (validation) probabilities; searched over log T, a 1-D convex problem."""
    logits = np.log(np.clip(probabilities.astype(np.float64), TINY, 1.0))
    rows = np.arange(len(labels))

    def loss(log_t: float) -> float:
        return float(-np.mean(log_softmax(logits / np.exp(log_t), axis=1)[rows, labels]))

    result = minimize_scalar(loss, bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(result.x))


@dataclass(frozen=True)
class Coverage:
    """Keep only predictions at or above a confidence threshold: what share is kept, how accurate they are."""

    threshold: np.ndarray
    kept: np.ndarray  # fraction of rows kept
    accuracy: np.ndarray  # accuracy of the kept rows (NaN when none is kept)


def accuracy_coverage(probabilities: np.ndarray, labels: np.ndarray, steps: int = 101) -> Coverage:
    confidence = probabilities.max(1)
    correct = probabilities.argmax(1) == labels
    thresholds = np.linspace(0.0, 1.0, steps)
    keep = confidence[None, :] >= thresholds[:, None]
    kept = keep.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = (keep & correct[None, :]).sum(1) / kept
    return Coverage(thresholds, kept / len(labels), accuracy)
