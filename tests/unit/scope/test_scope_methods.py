"""Each scope method against a value computed by hand, dense and sparse where both apply."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from rnnclf.core.text import padded
from rnnclf.models.classifier import Reading
from rnnclf.scope import methods
from rnnclf.scope.methods import BY_NAME, METHODS, Fitting, Seen, fisher, seen


def rep(features, logits, ids=None) -> Seen:
    """Texts as read: their features, logits and token ids (one token, known, per text unless given)."""
    logits = np.asarray(logits, dtype=np.float32)
    ids = [[1]] * len(logits) if ids is None else ids
    lengths = np.array([len(row) for row in ids], dtype=np.int64)
    flat = np.array([i for row in ids for i in row], dtype=np.int64)
    return Seen(Reading(logits, logits, padded(flat, lengths, int(lengths.max(initial=0))), lengths, features))


def fitting(training: Seen, labels=None, validation: Seen | None = None) -> Fitting:
    labels = np.zeros(len(training.logits), dtype=int) if labels is None else np.asarray(labels)
    return Fitting(training, labels, validation or training, seed=0)


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
    monkeypatch.setattr(methods, "BANK_ROWS", 3)
    bank = np.array([[3.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    query = np.array([[2.0, 0.0], [0.0, 0.0]])
    to = sparse.csr_array if as_sparse else np.asarray
    training = rep(to(bank), np.zeros((3, 2)))
    fitted = BY_NAME["knn"].fit(fitting(training))
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
    fitted = BY_NAME["mahalanobis"].fit(fitting(training, [0, 0, 1, 1]))
    assert fitted["means"] == pytest.approx(np.array([[1.0, 2.0], [11.0, 1.0]]))
    assert np.allclose(fitted["precision"], fitted["precision"].T)


def test_unknown_is_the_share_of_unknown_tokens_read(tiny_checkpoint) -> None:
    from rnnclf.checkpoints.registry import load_classifier

    classifier = load_classifier(tiny_checkpoint)
    assert classifier.is_known("the") and not classifier.is_known("zzqxv")
    # four tokens read, two of them unknown; a text with no token at all is wholly unknown
    assert BY_NAME["unknown"].score(seen(classifier, ["the zzqxv the qqzzv", ""]), {}) == pytest.approx([0.5, 1.0])


def test_the_unknown_share_counts_id_zero_among_the_tokens_read() -> None:
    found = BY_NAME["unknown"].score(rep(None, np.zeros((3, 2)), [[0, 5, 0, 7], [4], []]), {})
    assert found == pytest.approx([0.5, 0.0, 1.0])


def language_fitted() -> dict[str, np.ndarray]:
    # Training texts (model ids): [1, 2], [1, 2], [2, 1]. Counts: words 1 and 2 three times each (6 in all);
    # pairs (start, 1) x2, (1, 2) x2, (start, 2) x1, (2, 1) x1; the last two, seen once, are not stored.
    training = rep(None, np.zeros((3, 2)), [[1, 2], [1, 2], [2, 1]])
    return BY_NAME["language"].fit(fitting(training))


def test_the_language_model_counts_words_and_pairs() -> None:
    fitted = language_fitted()
    # renumbered: 0 never read, word 1 -> 1, word 2 -> 2, a text's start -> 3
    assert fitted["language.unigrams"].tolist() == [0, 3, 3]
    assert fitted["language.contexts"].tolist() == [0, 2, 1, 3]
    assert fitted["language.followers"].tolist() == [0, 1, 1, 2]
    assert fitted["language.pair_counts"].tolist() == [2, 2]


def test_the_language_score_is_the_word_pair_likelihood_ratio() -> None:
    fitted = language_fitted()
    alone = 4 / 9  # (3 + 1) / (6 + 3) for either word; a word never read: 1 / 9
    # [1, 2]: after the start, (2 - 0.75) / 3 + 0.75 * 2/3 * alone; after 1, (2 - 0.75) / 2 + 0.75 * 1/2 * alone
    as_trained = np.mean([math.log(alone / (1.25 / 3 + 0.5 * alone)), math.log(alone / (0.625 + 0.375 * alone))])
    # [2, 1]: both pairs unstored: 0.75 * 2/3 * alone after the start, 0.75 * 1/1 * alone after 2
    reversed_ = np.mean([math.log(1 / 0.5), math.log(1 / 0.75)])
    # [9, 1]: a word never read (1/9 against 0.75 * 2/3 / 9), then a context never seen: p(word) itself
    unseen = np.mean([math.log(1 / 0.5), 0.0])
    found = BY_NAME["language"].score(rep(None, np.zeros((4, 2)), [[1, 2], [2, 1], [9, 1], []]), fitted)
    assert found == pytest.approx([as_trained, reversed_, unseen, 0.0])
    assert found[0] < found[1]  # the order seen in training is the likelier one


def test_fisher_adds_minus_twice_the_log_p_values_against_validation() -> None:
    # validation energies -ln 2, -ln 4, -ln 8; unknown shares 0, 1/2, 1
    logits = [[0.0, 0.0], [math.log(3), 0.0], [math.log(7), 0.0]]
    validation = rep(None, logits, [[1, 1], [0, 1], [0, 0]])
    method = fisher("energy", "unknown")
    fitted = method.fit(fitting(validation))
    assert fitted["validation.unknown"] == pytest.approx([0.0, 0.5, 1.0])
    # energy -ln 4: two of three validation texts score as high, p = (1 + 2) / (1 + 3);
    # unknown share 1: one does, p = (1 + 1) / (1 + 3)
    found = method.score(rep(None, [[math.log(3), 0.0]], [[0]]), fitted)
    assert found == pytest.approx([-2 * (math.log(3 / 4) + math.log(2 / 4))])
    assert method.name == "energy+unknown" and not method.features


def test_only_dense_methods_refuse_sparse_features() -> None:
    sparse_rep = rep(sparse.csr_array(np.eye(2)), np.zeros((2, 2)))
    assert [m.name for m in METHODS if not m.applies_to(sparse_rep)] == ["mahalanobis"]
    assert [m.name for m in METHODS if m.features] == [
        "knn",
        "mahalanobis",
        "knn+language",
        "energy+knn+unknown+language",
    ]


def test_scores_on_a_tiny_model_match_its_predictions(tiny_checkpoint) -> None:
    """MSP from the representation's logits is 1 - the largest probability predict_proba gives."""
    from rnnclf.checkpoints.registry import load_classifier

    classifier = load_classifier(tiny_checkpoint)
    texts = ["Stocks fell sharply on Monday", "The quick brown fox jumps over the lazy dog"]
    found = BY_NAME["msp"].score(seen(classifier, texts), {})
    assert found == pytest.approx(1 - classifier.predict_proba(texts).max(axis=1), abs=1e-5)
