"""Rows whose given label is probably wrong, found by cleanlab's confident learning on out-of-sample
probabilities only: a model that trained on a row has learnt its label, right or wrong, and cannot flag it.

- Test split: the mean of the stored test-split probabilities of every checkpoint of the dataset. None of
  them saw a test row (each is refused unless its training file is not the test file), and the mean of
  several models is better calibrated than any one of them, which is what confident learning's per-class
  thresholds rely on. Each flagged row also names the checkpoints whose own prediction is the suggested label.
- Training split: K-fold cross-validated probabilities of TF-IDF + logistic regression (the baseline's
  features), each row scored by the model of the fold that left it out. Folds depend on the row count and
  the seed only, never on the labels, so changing a row's label cannot change its own probabilities
  (`tests/unit/inspection/test_label_issues.py::test_a_rows_own_label_never_reaches_its_probabilities`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from rnnclf.checkpoints.registry import Checkpoint
from rnnclf.checkpoints.schema import build, plain
from rnnclf.core.text import tokenize
from rnnclf.data.dataset import DataError, Split
from rnnclf.inspection.verdicts import read_verdicts
from rnnclf.training.tfidf import make_vectorizer

FOLDS = 5
SEED = 0
CV_C = 10.0  # the baseline's usual pick on AG News's validation rows (its C search)
FORMAT = 1  # of label_issues.json


@dataclass(frozen=True)
class LabelIssue:
    """One row whose given label confident learning doubts."""

    row: int  # in its split, 0-based
    text: str
    given: str
    suggested: str  # the class the probabilities favour
    quality: float  # cleanlab's label quality (self-confidence: P(given)); lower is more doubtful
    agreeing: tuple[str, ...]  # checkpoints whose own prediction is `suggested` (test split; empty for train)
    verdict: str | None = None  # a reviewer's, from the dataset's verdict file (rnnclf.inspection.verdicts)


@dataclass(frozen=True)
class SplitIssues:
    """The flagged rows of one split, most doubtful first, and where their probabilities came from."""

    split: str  # "test" or "train"
    rows: int
    source: str  # how the out-of-sample probabilities were made, for people
    issues: tuple[LabelIssue, ...]

    @property
    def flagged(self) -> frozenset[int]:
        return frozenset(issue.row for issue in self.issues)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SplitIssues:
        issues = tuple(build(LabelIssue, i, agreeing=tuple(i.get("agreeing", ()))) for i in data.get("issues", ()))
        return build(cls, data, issues=issues)


@dataclass(frozen=True)
class Accuracy:
    """A checkpoint's test accuracy, and an estimate of it with the flagged test rows left out."""

    checkpoint: str
    accuracy: float
    accuracy_without_flagged: float
    rows_kept: int


@dataclass(frozen=True)
class LabelIssuesReport:
    dataset: str
    test_sha256: str  # the test split the rows are of: the app marks rows only of that very split
    checkpoints: tuple[str, ...]  # whose stored test probabilities were combined
    test: SplitIssues
    train: SplitIssues | None  # None: the training split was not inspected
    accuracy: tuple[Accuracy, ...]
    format: int = FORMAT

    def to_dict(self) -> dict[str, Any]:
        return plain(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelIssuesReport:
        return build(
            cls,
            data,
            checkpoints=tuple(data.get("checkpoints", ())),
            test=SplitIssues.from_dict(data.get("test", {})),
            train=SplitIssues.from_dict(data["train"]) if data.get("train") else None,
            accuracy=tuple(build(Accuracy, a) for a in data.get("accuracy", ())),
        )


def ranked_issues(labels: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cleanlab's flagged rows ranked by label quality, lowest first, and the quality of every row.
    Deterministic: no sampling, one process.

    The rows are the off-diagonal of the confident joint (`filter_by="confident_learning"`): confidently in
    another class than their label. The default, pruning by estimated noise rate, rounds its per-class
    counts and missed planted flips in classes with few of them
    (`test_planted_flips_in_the_training_split_are_found`); on AG News's test split it also flags more."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    probabilities = np.asarray(probabilities, dtype=np.float64)
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
    flagged = find_label_issues(
        labels,
        probabilities,
        filter_by="confident_learning",
        return_indices_ranked_by="self_confidence",
        n_jobs=1,
        verbose=False,
    )
    return np.asarray(flagged, dtype=np.int64), get_label_quality_scores(labels, probabilities)


def _issues(
    split: Split, probabilities: np.ndarray, classes: Sequence[str], votes: dict[str, np.ndarray]
) -> tuple[LabelIssue, ...]:
    flagged, quality = ranked_issues(split.labels, probabilities)
    suggested = probabilities.argmax(axis=1)
    return tuple(
        LabelIssue(
            row=int(row),
            text=split.texts[row],
            given=classes[int(split.labels[row])],
            suggested=classes[int(suggested[row])],
            quality=round(float(quality[row]), 6),
            agreeing=tuple(name for name, predicted in votes.items() if predicted[row] == suggested[row]),
        )
        for row in flagged
    )


def out_of_sample(checkpoints: Sequence[Checkpoint]) -> np.ndarray:
    """The mean of the checkpoints' stored test-split probabilities; a DataError unless every checkpoint is
    of one dataset, has stored probabilities of its whole test split, and was not trained on that split."""
    if not checkpoints:
        raise DataError("no checkpoint to take test-split probabilities from")
    dataset = checkpoints[0].dataset
    stacked = []
    for checkpoint in checkpoints:
        if checkpoint.dataset.name != dataset.name:
            raise DataError(f"{checkpoint.name} is of dataset {checkpoint.dataset.name!r}, not {dataset.name!r}")
        if checkpoint.config.training.data_sha256 == dataset.test.sha256:
            raise DataError(f"{checkpoint.name} was trained on the test split: its probabilities are in-sample")
        stored = checkpoint.test_predictions
        if stored is None or len(stored) != dataset.test.rows:
            raise DataError(f"{checkpoint.name} has no stored probabilities of the whole test split")
        stacked.append(np.asarray(stored, dtype=np.float64))
    return np.mean(stacked, axis=0)


def issues_in_test(checkpoints: Sequence[Checkpoint], split: Split) -> tuple[SplitIssues, tuple[Accuracy, ...]]:
    """The test split's label issues from `out_of_sample`, and each checkpoint's accuracy without them."""
    probabilities = out_of_sample(checkpoints)
    classes = checkpoints[0].classes
    votes = {c.name: np.asarray(c.test_predictions).argmax(axis=1) for c in checkpoints}
    issues = SplitIssues(
        "test",
        len(split),
        f"mean of the stored test-split probabilities of {len(checkpoints)} checkpoint(s)",
        _issues(split, probabilities, classes, votes),
    )
    kept = np.ones(len(split), dtype=bool)
    kept[list(issues.flagged)] = False
    accuracy = tuple(
        Accuracy(
            name,
            round(float(np.mean(predicted == split.labels)), 6),
            round(float(np.mean(predicted[kept] == split.labels[kept])), 6),
            int(kept.sum()),
        )
        for name, predicted in votes.items()
    )
    return issues, accuracy


def cross_validated(split: Split, n_classes: int, folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Each row's TF-IDF + LR probabilities from the fold model that did not train on it.

    Folds are scikit-learn's shuffled `KFold`, drawn from the row count and `seed` alone (not stratified:
    stratified folds would move when a label changes). The vectorizer is fitted inside each fold too.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold
    from threadpoolctl import threadpool_limits

    tokens = [tokenize(text) for text in split.texts]
    result = np.zeros((len(split), n_classes))
    with threadpool_limits(1):
        for train, held in KFold(folds, shuffle=True, random_state=seed).split(tokens):
            vectorizer = make_vectorizer(ngram_max=2, min_df=2, sublinear_tf=True)
            features = vectorizer.fit_transform([tokens[i] for i in train])
            model = LogisticRegression(C=CV_C, max_iter=1000).fit(features, split.labels[train])
            # A class missing from a fold's training rows gets probability 0 for its held-out rows.
            result[np.ix_(held, model.classes_)] = model.predict_proba(vectorizer.transform([tokens[i] for i in held]))
    return result


def issues_in_train(split: Split, classes: Sequence[str], folds: int = FOLDS, seed: int = SEED) -> SplitIssues:
    probabilities = cross_validated(split, len(classes), folds, seed)
    return SplitIssues(
        "train",
        len(split),
        f"{folds}-fold cross-validated TF-IDF + logistic regression (C={CV_C:g}, seed {seed})",
        _issues(split, probabilities, classes, {}),
    )


def with_verdicts(part: SplitIssues, verdicts: dict[tuple[str, int], str]) -> SplitIssues:
    """`part` with each issue's recorded verdict."""
    issues = tuple(replace(i, verdict=verdicts.get((part.split, i.row))) for i in part.issues)
    return replace(part, issues=issues)


def inspect(checkpoints: Sequence[Checkpoint], train: bool = True, folds: int = FOLDS) -> LabelIssuesReport:
    """The label issues of the checkpoints' dataset: its test split, and its training split unless `train`
    is False."""
    dataset = checkpoints[0].dataset
    test, accuracy = issues_in_test(checkpoints, dataset.read_test())
    train_part = issues_in_train(dataset.read_train(), dataset.classes, folds) if train else None
    verdicts = read_verdicts(dataset)
    test, train_part = (with_verdicts(part, verdicts) if part else None for part in (test, train_part))
    return LabelIssuesReport(
        dataset.name, dataset.test.sha256, tuple(c.name for c in checkpoints), test, train_part, accuracy
    )
