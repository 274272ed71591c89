"""Label issues: out-of-sample probabilities only, a deterministic flagged set, planted flips found."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnnclf.checkpoints.registry import load_checkpoint
from rnnclf.core.markdown import literal
from rnnclf.data.dataset import DataError, Split
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.inspection.label_issues import cross_validated, issues_in_test, issues_in_train, out_of_sample
from rnnclf.inspection.report import read, write
from tests.toy_datasets import SIX, Toys, _templated


def _flipped(split: Split, rows: list[int], n_classes: int) -> Split:
    labels = split.labels.copy()
    labels[rows] = (labels[rows] + 1) % n_classes
    return Split(split.texts, labels)


def test_a_rows_own_label_never_reaches_its_probabilities() -> None:
    """Row 0's probabilities are the same whatever its label: the model that scores it never read it.
    A model fitted on all rows (or folds stratified by label) would move them."""
    split = _templated(240, seed=3)
    before = cross_validated(split, len(SIX), folds=4)
    after = cross_validated(_flipped(split, [0], len(SIX)), len(SIX), folds=4)
    np.testing.assert_array_equal(after[0], before[0])
    assert not np.array_equal(after, before)  # the flipped label did train the other folds' models


def test_planted_flips_in_the_training_split_are_found() -> None:
    """Confident learning flags a row only when its suggested class is at least as probable as that
    class's mean self-confidence, so on a toy this easy it finds most planted flips, not all; it flags
    nothing else."""
    split = _templated(600, seed=4)
    planted = [5, 77, 123, 301, 550]
    found = issues_in_train(_flipped(split, planted, len(SIX)), SIX, folds=5)
    assert len(found.flagged & set(planted)) >= 3
    assert found.flagged <= set(planted)
    first = found.issues[0]
    assert first.suggested == SIX[split.labels[first.row]] and first.given != first.suggested


@pytest.fixture
def six_checkpoints(toys: Toys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    return [load_checkpoint(name, toys.checkpoints) for name in toys.names("six")]


def test_planted_flips_in_the_test_split_are_found_from_stored_probabilities(six_checkpoints) -> None:
    split = six_checkpoints[0].dataset.read_test()
    before, _ = issues_in_test(six_checkpoints, split)
    planted = [2, 40, 99, 130, 171]
    issues, accuracy = issues_in_test(six_checkpoints, _flipped(split, planted, len(SIX)))
    found = sorted(issues.flagged & set(planted))
    assert len(found) >= 3 and issues.flagged <= set(planted) | before.flagged
    assert {a.checkpoint for a in accuracy} == {c.name for c in six_checkpoints}
    for a in accuracy:
        assert a.rows_kept == len(split) - len(issues.flagged) and a.accuracy_without_flagged >= a.accuracy
    issue = next(i for i in issues.issues if i.row == found[0])
    assert (
        issue.given == SIX[(split.labels[found[0]] + 1) % len(SIX)] and issue.suggested == SIX[split.labels[found[0]]]
    )
    assert set(issue.agreeing) <= {c.name for c in six_checkpoints}


def test_the_flagged_set_is_deterministic(six_checkpoints) -> None:
    split = _flipped(six_checkpoints[0].dataset.read_test(), [1, 2, 3], len(SIX))
    assert issues_in_test(six_checkpoints, split) == issues_in_test(six_checkpoints, split)
    train = _templated(300, seed=5)
    assert issues_in_train(train, SIX, folds=3) == issues_in_train(train, SIX, folds=3)


def test_a_checkpoint_trained_on_the_test_split_is_refused(six_checkpoints) -> None:
    checkpoint = six_checkpoints[0]
    training = dataclasses.replace(checkpoint.config.training, data_sha256=checkpoint.dataset.test.sha256)
    in_sample = dataclasses.replace(checkpoint, config=dataclasses.replace(checkpoint.config, training=training))
    with pytest.raises(DataError, match="trained on the test split"):
        out_of_sample([in_sample, six_checkpoints[1]])
    mean = out_of_sample(six_checkpoints)
    np.testing.assert_allclose(mean, np.mean([c.test_predictions for c in six_checkpoints], axis=0))


def test_the_report_round_trips(six_checkpoints, tmp_path) -> None:
    from rnnclf.inspection.label_issues import LabelIssuesReport

    split = _flipped(six_checkpoints[0].dataset.read_test(), [2, 40, 99, 130, 171], len(SIX))
    issues, accuracy = issues_in_test(six_checkpoints, split)
    assert issues.issues
    report = LabelIssuesReport("six", "sha", tuple(c.name for c in six_checkpoints), issues, None, accuracy)
    md, js = write(report, tmp_path)
    assert read(js) == report
    text = md.read_text(encoding="utf-8")
    assert md.name == "label_issues_six.md" and "<live>" not in text
    assert all(f"| {literal(issue.given)} | {literal(issue.suggested)} |" in text for issue in issues.issues)
