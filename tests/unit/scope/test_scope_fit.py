"""Fitting, choosing, storing and reading a checkpoint's scope, on the toy checkpoints and the shipped ones."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from toy_datasets import Toys

from rnnclf.checkpoints.registry import load_checkpoint
from rnnclf.checkpoints.storage import SCOPE, Folder
from rnnclf.data.dataset import DataError, Split
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.evaluation.temperature import training_splits, validation_split
from rnnclf.scope import fit as fitting
from rnnclf.scope.fit import TARGET_INSIDE, fit_checkpoint, inside_share, threshold_for
from rnnclf.scope.methods import BY_NAME, Fitting, seen
from rnnclf.scope.offtopic import read_offtopic
from rnnclf.scope.record import Scope, load_scope, store


def test_threshold_keeps_the_target_share_inside() -> None:
    scores = np.random.default_rng(0).normal(size=1001)
    threshold = threshold_for(scores)
    assert inside_share(scores, threshold) == pytest.approx(TARGET_INSIDE, abs=0.001)
    assert threshold in scores


@pytest.fixture
def toy_copy(toys: Toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the three-class toy checkpoints (storing writes into the folder)."""
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    for path in toys.checkpoints.iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, tmp_path / path.name)
    return tmp_path


@pytest.fixture(scope="module")
def offtopic():
    return read_offtopic()


@pytest.mark.parametrize("family", ["rnn", "tfidf"])
def test_a_toy_checkpoint_stores_its_scope_and_predicts_as_before(toy_copy: Path, offtopic, family: str) -> None:
    folder = toy_copy / f"three_{family}"
    before = load_checkpoint(folder)
    assert load_scope(folder) is None  # a checkpoint without a scope still loads and predicts
    texts = before.dataset.read_test().texts[:50]
    files = {name: (folder / name).read_bytes() for name in Folder(folder).manifest}
    fitted = fit_checkpoint(before, offtopic)
    store(folder, fitted.scope)
    after = load_checkpoint(folder)
    assert np.array_equal(after.classifier.predict_proba(texts), before.classifier.predict_proba(texts))
    assert {name: (folder / name).read_bytes() for name in files} == files
    assert Folder(folder).has(SCOPE)
    loaded = load_scope(folder)
    assert loaded.record == fitted.scope.record
    assert loaded.record.method in {m.method for m in fitted.result.methods}
    chosen = [m for m in fitted.result.methods if m.chosen]
    assert [m.method for m in chosen] == [loaded.record.method]
    assert min(m.choose_missed for m in fitted.result.methods) == chosen[0].choose_missed
    val = validation_split(after.config)
    inside = inside_share(loaded.scores(seen(after.classifier, val.texts)), loaded.record.threshold)
    assert inside == pytest.approx(loaded.record.inside)
    assert TARGET_INSIDE <= inside < TARGET_INSIDE + 1 / len(val) + 1e-9


def test_the_word_counts_are_counted_again_on_loading_not_stored(toy_copy: Path, offtopic) -> None:
    """The language model's counts stay out of scope.safetensors (the size budget) and come back identical
    from the training split when the scope is loaded, so the stored threshold means what it meant."""
    folder = toy_copy / "three_rnn"
    checkpoint = load_checkpoint(folder)
    fitted = fit_checkpoint(checkpoint, offtopic)
    train, val = training_splits(checkpoint.config)
    classifier = checkpoint.classifier
    arrays = BY_NAME["energy+language"].fit(
        Fitting(seen(classifier, train.texts), train.labels, seen(classifier, val.texts), seed=0)
    )
    store(folder, Scope(replace(fitted.scope.record, method="energy+language"), arrays))
    stored, _ = Folder(folder).read_tensors(SCOPE)
    assert "language.pairs" not in stored and "validation.language" in stored
    loaded = load_scope(folder)
    assert set(loaded.arrays) == set(arrays)
    assert all(np.array_equal(loaded.arrays[key], arrays[key]) for key in arrays)


def test_the_test_split_changes_no_stored_choice(toy_copy: Path, offtopic, monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoint = load_checkpoint(toy_copy / "three_tfidf")
    first = fit_checkpoint(checkpoint, offtopic).scope.record
    monkeypatch.setattr(fitting, "test_split", lambda c: Split(["zzz qqq"] * 20, np.zeros(20, dtype=np.int64)))
    assert fit_checkpoint(checkpoint, offtopic).scope.record == first


def test_the_shipped_baseline_keeps_95_percent_of_its_validation_split_inside() -> None:
    """The stored threshold, applied again to the validation split it was fitted on."""
    checkpoint = load_checkpoint("tfidf_lr")
    scope = load_scope(checkpoint.folder)
    val = validation_split(checkpoint.config)
    inside = inside_share(scope.scores(seen(checkpoint.classifier, val.texts)), scope.record.threshold)
    assert inside == pytest.approx(TARGET_INSIDE, abs=0.01)


def test_offtopic_files_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("words\nhello there\n", encoding="utf-8")
    with pytest.raises(DataError, match="no 'text' column"):
        read_offtopic(path)
    path.write_text("text,part\nhello there,train\nanother one,test\n", encoding="utf-8")
    with pytest.raises(DataError, match="part must be one of"):
        read_offtopic(path)
    path.write_text("text\n" + "\n".join(f"recipe number {i}" for i in range(40)) + "\n", encoding="utf-8")
    found = read_offtopic(path)
    assert set(found.parts) == {"choose", "test"} and found.sources == ("mine.csv",) * 40
    assert read_offtopic(path).parts == found.parts
