"""Is a difference real? Bootstrap confidence intervals for one checkpoint's test scores, and McNemar's
exact test for two checkpoints on the same test rows. Computed from stored predictions when they cover
the test split of the checkpoints' dataset (only checkpoints of one dataset share test rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest, bootstrap

from rnnclf.checkpoints.registry import Checkpoint, left_out_note, of_dataset
from rnnclf.data.dataset import DataError

RESAMPLES = 1000
LEVEL = 0.95
SEED = 0
ALPHA = 0.05


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def _accuracy(labels: np.ndarray, predicted: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(labels == predicted, axis=axis)


def macro_f1(labels: np.ndarray, predicted: np.ndarray, classes: int, axis: int = -1) -> np.ndarray:
    """Each class's F1 as 2 tp / (2 tp + fp + fn) (0 for a class never true nor predicted), averaged.

    The project's one macro-F1: test metrics report it, and it is vectorized along `axis` so that
    scipy's bootstrap can pass a batch of resamples at once.
    """
    scores = []
    for k in range(classes):
        tp = np.sum((labels == k) & (predicted == k), axis=axis)
        fp = np.sum((labels != k) & (predicted == k), axis=axis)
        fn = np.sum((labels == k) & (predicted != k), axis=axis)
        denominator = 2 * tp + fp + fn
        scores.append(np.divide(2 * tp, denominator, out=np.zeros(np.shape(tp)), where=denominator > 0))
    return np.mean(scores, axis=0)


def bootstrap_interval(
    statistic: Callable[..., np.ndarray], *samples: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED
) -> Interval:
    """`statistic(*samples)` with its 95 % percentile-bootstrap interval: rows resampled with replacement,
    the same rows of every sample together, seeded. The project's one bootstrap (test scores here,
    faithfulness means too); `statistic` takes `axis`, vectorized over resamples."""
    result = bootstrap(
        samples,
        statistic,
        paired=True,
        vectorized=True,
        n_resamples=resamples,
        confidence_level=LEVEL,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    return Interval(float(statistic(*samples)), float(low), float(high))


def accuracy_interval(
    labels: np.ndarray, predicted: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED
) -> Interval:
    """Test accuracy with its 95 % percentile-bootstrap interval (rows resampled with replacement, seeded)."""
    return bootstrap_interval(_accuracy, labels, predicted, resamples=resamples, seed=seed)


def macro_f1_interval(
    labels: np.ndarray, predicted: np.ndarray, classes: int, resamples: int = RESAMPLES, seed: int = SEED
) -> Interval:
    def statistic(y: np.ndarray, p: np.ndarray, axis: int = -1) -> np.ndarray:
        return macro_f1(y, p, classes, axis)

    return bootstrap_interval(statistic, labels, predicted, resamples=resamples, seed=seed)


def intervals(labels: np.ndarray, predicted: np.ndarray, classes: int) -> tuple[Interval, Interval]:
    """Accuracy and macro-F1 with their intervals, as every table of the project shows them."""
    return accuracy_interval(labels, predicted), macro_f1_interval(labels, predicted, classes)


def stored_intervals(checkpoint: Checkpoint) -> tuple[Interval, Interval] | None:
    """Accuracy and macro-F1 intervals from the checkpoint's stored predictions on its dataset's test split;
    None when it stores none for that split (intervals are never computed by predicting)."""
    predictions = checkpoint.test_predictions
    if predictions is None:
        return None
    labels = checkpoint.dataset.read_test().labels
    if len(predictions) != len(labels):
        return None
    return intervals(labels, predictions.argmax(1), len(checkpoint.classes))


@dataclass(frozen=True)
class McNemar:
    """Two checkpoints on the same rows: where their labels differ, and who is right there."""

    first: str
    second: str
    differ: int  # rows with different predicted labels
    first_right: int  # rows the first gets right and the second wrong
    second_right: int
    p_value: float  # exact two-sided McNemar: binomial test of first_right out of the discordant rows

    def sentence(self, alpha: float = ALPHA) -> str:
        """The result in one plain sentence, every figure computed."""
        verdict = "no evidence of a real difference"
        if self.p_value < alpha:
            better = self.first if self.first_right > self.second_right else self.second
            verdict = f"{better} is better"
        return (
            f"{self.first} and {self.second} differ on {self.differ:,} test texts; {self.first} is right on "
            f"{self.first_right:,} of them, {self.second} on {self.second_right:,}; "
            f"{p_phrase(self.p_value)}: {verdict} (at the {alpha:g} level)."
        )


def format_p(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-4 else "< 0.0001"


def p_phrase(p: float) -> str:
    return f"p = {p:.2g}" if p >= 1e-4 else "p < 0.0001"


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment for testing many pairs at once. Written here because scipy has only
    Benjamini-Hochberg (which controls a different error rate) and statsmodels is not worth a dependency
    for five lines."""
    order = np.argsort(p_values)
    m = len(p_values)
    stepped = np.maximum.accumulate((m - np.arange(m)) * np.asarray(p_values)[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def mcnemar(
    first: str, second: str, labels: np.ndarray, first_predicted: np.ndarray, second_predicted: np.ndarray
) -> McNemar:
    first_correct, second_correct = first_predicted == labels, second_predicted == labels
    b = int(np.sum(first_correct & ~second_correct))
    c = int(np.sum(~first_correct & second_correct))
    p = binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
    return McNemar(first, second, int(np.sum(first_predicted != second_predicted)), b, c, float(p))


def mcnemar_matrix(names: list[str], labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """p-values of every pair (1 on the diagonal); `predicted` is (models, rows)."""
    n = len(names)
    matrix = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            matrix[i, j] = matrix[j, i] = mcnemar(names[i], names[j], labels, predicted[i], predicted[j]).p_value
    return matrix


def pair_tests(names: list[str], labels: np.ndarray, predicted: np.ndarray) -> list[tuple[McNemar, float]]:
    """Every pair's McNemar test with its Holm-adjusted p-value (over all the pairs)."""
    tests = [
        mcnemar(names[i], names[j], labels, predicted[i], predicted[j])
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return list(zip(tests, holm(np.array([t.p_value for t in tests])))) if tests else []


def adjusted_sentence(test: McNemar, adjusted: float, pairs: int) -> str:
    return (
        f"{test.sentence()} Holm-adjusted over {pairs} pairs: {p_phrase(adjusted)}"
        f" ({'still' if adjusted < ALPHA else 'not'} below {ALPHA:g})."
    )


def significance_report(names: list[str], labels: np.ndarray, predicted: np.ndarray, markdown: bool) -> str:
    """Every pair's McNemar test: the matrix of p-values, then one sentence per pair."""
    tests = pair_tests(names, labels, predicted)
    if len(names) == 2:
        return tests[0][0].sentence()
    sentences = [adjusted_sentence(t, q, len(tests)) for t, q in tests]
    matrix = mcnemar_matrix(names, labels, predicted)
    cells = [
        [name, *("–" if i == j else format_p(matrix[i, j]) for j in range(len(names)))] for i, name in enumerate(names)
    ]
    intro = f"McNemar's exact test on the {len(labels):,} test texts, p-value of every pair (two-sided):"
    if markdown:
        header = ["", *names]
        lines = [header, ["---"] + ["---:"] * len(names), *cells]
        table = "\n".join("| " + " | ".join(line) + " |" for line in lines)
        return f"{intro}\n\n{table}\n\n" + "\n".join(f"- {s}" for s in sentences)
    widths = [max(len(str(row[k])) for row in [["", *names], *cells]) for k in range(len(names) + 1)]
    table = "\n".join("  ".join(str(c).rjust(w) for c, w in zip(row, widths)) for row in [["", *names], *cells])
    return f"{intro}\n{table}\n\n" + "\n".join(sentences)


def compare(checkpoints: Sequence[Checkpoint], markdown: bool) -> str:
    """`rnnclf compare`: McNemar's test of every pair among the checkpoints of the first one's dataset, on
    its test split; a last line names any checkpoint left out for being trained on another dataset."""
    dataset = checkpoints[0].dataset
    same, others = of_dataset(checkpoints, dataset)
    if len(same) < 2:
        raise DataError(
            f"McNemar's test needs two checkpoints of one dataset, and {checkpoints[0].name} is the only one of "
            f"{dataset.display_title}. {left_out_note(others, dataset)}".strip()
        )
    split = dataset.read_test()
    predicted = np.stack([c.test_probabilities(split).argmax(1) for c in same])
    report = significance_report([c.name for c in same], split.labels, predicted, markdown)
    return f"{report}\n\n{left_out_note(others, dataset)}" if others else report
