"""Each scope method against a value computed by hand, dense and sparse where both apply."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from rnnclf.models.classifier import Representation
from rnnclf.scope import methods
from rnnclf.scope.methods import BY_NAME, METHODS, Seen, seen


def rep(features, logits, unknown=None) -> Seen:
    logits = np.asarray(logits, dtype=np.float32)
    shares = np.zeros(len(logits)) if unknown is None else np.asarray(unknown)
    return Seen(lambda: Representation(features, logits), lambda: shares)


def test_msp_is_one_minus_the_largest_probability() -> None:
    # softmax([0, ln 3]) = [1/4, 3/4]
    found = BY_NAME["msp"].score(rep(np.zeros((1, 2)), [[0.0, math.log(3)]]), {})
    assert found == pytest.approx([0.25])


def test_energy_is_minus_logsumexp() -> None:
    # exp(ln 2) + exp(ln 3) = 5
    found = BY_NAME["energy"].score(rep(np.zeros((1, 2)), [[math.log(2), math.log(3)]]), {})
    assert found == pytest.approx([-math.log(5)])


@pytest.mark.parametrize("as_sparse", [False, True])
def test_knn_is_one_minus_the_kth_cosine_similarity(as_sparse: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(methods, "KNN_K", 2)
    bank = np.array([[3.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    query = np.array([[2.0, 0.0], [0.0, 0.0]])
    to = sparse.csr_array if as_sparse else np.asarray
    training = rep(to(bank), np.zeros((3, 2)))
    fitted = BY_NAME["knn"].fit(training, np.zeros(3, dtype=int), training)
    found = BY_NAME["knn"].score(rep(to(query), np.zeros((2, 2))), fitted)
    # similarities of [2, 0] to the bank: 1, 0, 1/sqrt(2); the 2nd largest is 1/sqrt(2).
    # The zero vector is like nothing: similarity 0 to every row.
    assert found == pytest.approx([1 - 1 / math.sqrt(2), 1.0])


def test_mahalanobis_is_the_smallest_distance_to_a_class_mean() -> None:
    arrays = {"means": np.array([[0.0, 0.0], [4.0, 0.0]]), "precision": np.diag([1.0, 0.25])}
    found = BY_NAME["mahalanobis"].score(rep(np.array([[3.0, 2.0]]), np.zeros((1, 2))), arrays)
    # to [0, 0]: 9 + 4/4 = 10; to [4, 0]: 1 + 4/4 = 2
    assert found == pytest.approx([2.0])


def test_mahalanobis_fits_the_class_means() -> None:
    features = np.array([[0.0, 1.0], [2.0, 3.0], [10.0, 0.0], [12.0, 2.0]])
    training = rep(features, np.zeros((4, 2)))
    fitted = BY_NAME["mahalanobis"].fit(training, np.array([0, 0, 1, 1]), training)
    assert fitted["means"] == pytest.approx(np.array([[1.0, 2.0], [11.0, 1.0]]))
    assert np.allclose(fitted["precision"], fitted["precision"].T)


def test_unknown_is_the_share_of_unknown_tokens_read(tiny_checkpoint) -> None:
    from rnnclf.checkpoints.registry import load_classifier

    classifier = load_classifier(tiny_checkpoint)
    assert classifier.is_known("the") and not classifier.is_known("zzqxv")
    # four tokens read, two of them unknown; a text with no token at all is wholly unknown
    assert BY_NAME["unknown"].score(seen(classifier, ["the zzqxv the qqzzv", ""]), {}) == pytest.approx([0.5, 1.0])


def test_the_unknown_share_needs_no_forward_pass(tiny_checkpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    from rnnclf.checkpoints.registry import load_classifier

    classifier = load_classifier(tiny_checkpoint)
    monkeypatch.setattr(classifier, "representation", lambda texts: pytest.fail("a forward pass"))
    assert BY_NAME["unknown"].score(seen(classifier, ["the zzqxv"]), {}) == pytest.approx([0.5])


def test_combined_adds_standardized_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(methods, "KNN_K", 1)
    bank = rep(np.array([[1.0, 0.0]]), np.zeros((1, 2)))
    # validation texts: energy -ln 2 and -ln 4 (mean -1.5 ln 2, spread 0.5 ln 2); kNN distance 0 and 1
    # (mean 0.5, spread 0.5); unknown share 0 and 0 (spread floored: MIN_SPREAD)
    held = rep(np.array([[1.0, 0.0], [0.0, 1.0]]), [[0.0, 0.0], [math.log(3), 0.0]], [0.0, 0.0])
    fitted = BY_NAME["combined"].fit(bank, np.zeros(1, dtype=int), held)
    assert fitted["mean"] == pytest.approx([-1.5 * math.log(2), 0.5, 0.0])
    assert fitted["spread"] == pytest.approx([0.5 * math.log(2), 0.5, methods.MIN_SPREAD])
    # energy -ln 2 (+1 spread), kNN distance 1 (+1 spread), unknown 0 (+0)
    found = BY_NAME["combined"].score(rep(np.array([[0.0, 1.0]]), [[0.0, 0.0]], [0.0]), fitted)
    assert found == pytest.approx([2.0])


def test_only_dense_methods_refuse_sparse_features() -> None:
    sparse_rep = rep(sparse.csr_array(np.eye(2)), np.zeros((2, 2)))
    assert [m.name for m in METHODS if not m.applies_to(sparse_rep)] == ["mahalanobis"]


def test_scores_on_a_tiny_model_match_its_predictions(tiny_checkpoint) -> None:
    """MSP from the representation's logits is 1 - the largest probability predict_proba gives."""
    from rnnclf.checkpoints.registry import load_classifier

    classifier = load_classifier(tiny_checkpoint)
    texts = ["Stocks fell sharply on Monday", "The quick brown fox jumps over the lazy dog"]
    found = BY_NAME["msp"].score(seen(classifier, texts), {})
    assert found == pytest.approx(1 - classifier.predict_proba(texts).max(axis=1), abs=1e-5)
