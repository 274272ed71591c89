"""The TF-IDF + logistic regression baseline: scikit-learn's math without scikit-learn, stored without pickle."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from rnnclf import CLASSES, CheckpointError, load_classifier, summary_rows
from rnnclf.checkpoints.storage import write_manifest
from rnnclf.core.text import tokenize
from rnnclf.data.dataset import read_csv, train_val_split
from rnnclf.models.tfidf import TfidfLogisticClassifier, ngrams
from rnnclf.training.tfidf import make_vectorizer, run

C = 10.0


@pytest.fixture(scope="module")
def split(tiny_csv: Path):
    return train_val_split(read_csv(tiny_csv), 0.05, 0)


@pytest.fixture(scope="module")
def fitted(split):
    """scikit-learn fitted as the baseline fits it: the reference the numpy version must match."""
    train, _ = split
    vectorizer = make_vectorizer(ngram_max=2, min_df=2, sublinear_tf=True)
    features = vectorizer.fit_transform([tokenize(t) for t in train.texts])
    with threadpool_limits(1):  # as the baseline trains: much faster on a busy machine
        return vectorizer, LogisticRegression(C=C, max_iter=1000).fit(features, train.labels)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory, tiny_csv: Path) -> Path:
    root = tmp_path_factory.mktemp("baseline")
    return run(out=root / "tfidf_lr", train_path=tiny_csv, test_path=tiny_csv, c_grid=(C,), log=False)


def test_ngrams_are_scikit_learns(fitted):
    vectorizer, _ = fitted
    tokens = tokenize("Oil prices rise as OPEC cuts output, oil traders say.")
    assert ngrams(tokens, 2) == vectorizer.build_analyzer()(tokens)
    assert ngrams(["a", "b", "c"], 3) == ["a", "b", "c", "a b", "b c", "a b c"]
    assert ngrams([], 2) == []


def test_features_and_probabilities_equal_scikit_learns(fitted, tiny_csv: Path):
    """At full precision the numpy code is scikit-learn's math: features and probabilities agree."""
    vectorizer, model = fitted
    ours = TfidfLogisticClassifier(
        "x", vectorizer.get_feature_names_out(), vectorizer.idf_, model.coef_, model.intercept_, 2, True, CLASSES
    )
    texts = read_csv(tiny_csv).texts + ["", "zzzq qqqz", "oil oil oil"]
    tokens = [tokenize(t) for t in texts]
    reference = vectorizer.transform(tokens)
    assert abs(ours.features(tokens) - reference).max() < 1e-12
    assert np.allclose(ours.predict_proba(texts), model.predict_proba(reference), atol=1e-6)


def test_saved_checkpoint_loads_and_predicts_like_scikit_learn(checkpoint: Path, fitted, tiny_csv: Path):
    vectorizer, model = fitted
    classifier = load_classifier(checkpoint)
    assert isinstance(classifier, TfidfLogisticClassifier) and classifier.max_tokens is None
    test = read_csv(tiny_csv)
    ours = classifier.predict_proba(test.texts)
    reference = model.predict_proba(vectorizer.transform([tokenize(t) for t in test.texts]))
    assert np.array_equal(ours.argmax(1), reference.argmax(1))
    assert np.allclose(ours, reference, atol=1e-3)  # coefficients are stored as float16
    stored = json.loads((checkpoint / "metrics.json").read_text())["test"]
    assert stored["accuracy"] == float((reference.argmax(1) == test.labels).mean())
    assert np.array_equal(load_classifier(checkpoint).predict_proba(test.texts), ours)


def test_lime_sees_the_same_tokens(checkpoint: Path):
    """LIME drops tokens and calls predict_proba_tokens; unknown tokens are reported as such."""
    classifier = load_classifier(checkpoint)
    tokens = tokenize("Stocks rallied on Wall Street as oil prices fell.")
    perturbed = [tokens, tokens[::2], []]
    probabilities = classifier.predict_proba_tokens(perturbed)
    assert probabilities.shape == (3, 4) and np.allclose(probabilities.sum(1), 1, atol=1e-6)
    assert np.allclose(probabilities[0], classifier.predict_proba([" ".join(tokens)])[0])
    assert classifier.is_known("oil") and not classifier.is_known("zzzq")


def test_tampered_baseline_is_refused(checkpoint: Path, tmp_path: Path):
    folder = tmp_path / "tfidf_lr"
    shutil.copytree(checkpoint, folder)
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[200] ^= 0x01  # inside the header's term list
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="model.safetensors does not match its sha256"):
        load_classifier(folder)


def test_weights_without_terms_are_a_clear_error(checkpoint: Path, tmp_path: Path):
    """Even re-hashed into the manifest, weights that do not make a baseline are refused by name."""
    folder = tmp_path / "tfidf_lr"
    shutil.copytree(checkpoint, folder)
    save_file(
        {"idf": torch.ones(3), "coef": torch.zeros(4, 3), "intercept": torch.zeros(4)},
        str(folder / "model.safetensors"),
    )
    write_manifest(folder)
    with pytest.raises(CheckpointError, match="'tfidf_lr': not a usable tfidf_lr checkpoint"):
        load_classifier(folder)


def test_config_and_summary_describe_it(checkpoint: Path):
    config = json.loads((checkpoint / "config.json").read_text())
    assert config["kind"] == "tfidf_lr" and config["training"]["rows"] == 1900
    assert [s["C"] for s in config["training"]["search"]] == [C]
    (row,) = summary_rows(checkpoint.parent)
    assert row.title == "TF-IDF + logistic regression (baseline)"
    assert row.training_rows == 1900 and row.parameters == 4 * config["model"]["terms"] + 4
