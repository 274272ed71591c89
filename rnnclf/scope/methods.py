"""Out-of-scope scores: how unlike a checkpoint's training texts a text is, higher = less like them.

Each method is one row of `METHODS`: what it fits on training texts (arrays, stored in safetensors when it is a
checkpoint's chosen method) and how it scores texts with them. Every score reads only what the `Classifier`
interface gives (`representation`, `is_known`), so one code path serves every family.
Hand-computed references: tests/unit/scope/test_scope_methods.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import logsumexp, softmax

from rnnclf.core.text import tokenize_many
from rnnclf.models.classifier import Classifier, Representation

Arrays = Mapping[str, np.ndarray]
KNN_K = 10  # the k-th nearest stored training text gives the kNN score (Sun et al. pick k by validation too)
COMBINED = ("energy", "knn", "unknown")  # what the combined score adds up, each standardized
MIN_SPREAD = 1e-6  # a score that never varies on in-domain texts still divides safely


class Seen:
    """Texts as a checkpoint sees them: in its representation, and the share of each one's tokens (within the
    window it reads) that it does not know. Each is computed when a method first asks for it, once: the
    unknown share alone costs no forward pass (tests/unit/scope/test_scope_methods.py)."""

    def __init__(self, representation: Callable[[], Representation], unknown: Callable[[], np.ndarray]):
        self._compute_representation, self._compute_unknown = representation, unknown

    @functools.cached_property
    def representation(self) -> Representation:
        return self._compute_representation()

    @functools.cached_property
    def unknown(self) -> np.ndarray:
        return self._compute_unknown()

    @property
    def logits(self) -> np.ndarray:
        return self.representation.logits

    @property
    def features(self) -> np.ndarray | sparse.csr_array:
        return self.representation.features

    @property
    def dense(self) -> bool:
        return not sparse.issparse(self.representation.features)


def seen(classifier: Classifier, texts: list[str]) -> Seen:
    def unknown() -> np.ndarray:
        tokens = tokenize_many(texts, classifier.max_tokens)
        shares = [np.mean([not classifier.is_known(t) for t in found]) if found else 1.0 for found in tokens]
        return np.array(shares, dtype=np.float64)

    return Seen(lambda: classifier.representation(texts), unknown)


def msp_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """1 - the largest softmax probability (Hendrycks & Gimpel 2017)."""
    return 1.0 - softmax(texts.logits.astype(np.float64), axis=1).max(axis=1)


def energy_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """The free energy -logsumexp(logits) at temperature 1 (Liu et al. 2020): low for texts the model knows."""
    return -logsumexp(texts.logits.astype(np.float64), axis=1)


def unit_rows(features: np.ndarray | sparse.csr_array) -> np.ndarray | sparse.csr_array:
    """Rows scaled to length 1 (zero rows stay zero), dense or sparse as given."""
    if sparse.issparse(features):
        norms = np.sqrt(np.asarray(features.multiply(features).sum(axis=1)).ravel())
        return sparse.csr_array(sparse.diags_array(1.0 / np.where(norms > 0, norms, 1.0)) @ features)
    features = np.asarray(features, dtype=np.float64)
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return features / np.where(norms > 0, norms, 1.0)


def cosine_similarities(features: np.ndarray | sparse.csr_array, columns: np.ndarray | sparse.csr_array) -> np.ndarray:
    """Cosine similarity of every row of `features` to every column of `columns` (unit-length texts, one per
    column: a sparse product then reads only the rows of the terms the texts use), dense."""
    product = unit_rows(features) @ columns
    return product.toarray() if sparse.issparse(product) else np.asarray(product)


def as_columns(features: np.ndarray | sparse.csr_array) -> np.ndarray | sparse.csr_array:
    """Texts at unit length, one per column, CSR when sparse: what `cosine_similarities` compares against."""
    bank = unit_rows(features)
    return sparse.csr_array(bank.T) if sparse.issparse(bank) else np.ascontiguousarray(bank.T)


def knn_fit(training: Seen, labels: np.ndarray, validation: Seen) -> dict[str, np.ndarray]:
    """The training rows at unit length, one per column: dense as one array, sparse as its CSR parts."""
    columns = as_columns(training.features)
    if sparse.issparse(columns):
        return {
            "bank.data": columns.data.astype(np.float32),
            "bank.indices": columns.indices.astype(np.int32),
            "bank.indptr": columns.indptr.astype(np.int64),
            "bank.shape": np.array(columns.shape, dtype=np.int64),
        }
    return {"bank": columns.astype(np.float32)}


def knn_bank(arrays: Arrays) -> np.ndarray | sparse.csr_array:
    if "bank" in arrays:
        return np.asarray(arrays["bank"], dtype=np.float64)
    shape = tuple(int(n) for n in arrays["bank.shape"])
    return sparse.csr_array((arrays["bank.data"], arrays["bank.indices"], arrays["bank.indptr"]), shape=shape)


def knn_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """1 - cosine similarity to the k-th nearest stored training text (Sun et al. 2022, normalized features)."""
    similarities = cosine_similarities(texts.features, knn_bank(arrays))
    k = min(KNN_K, similarities.shape[1])
    return 1.0 - np.partition(similarities, -k, axis=1)[:, -k]


def mahalanobis_fit(training: Seen, labels: np.ndarray, validation: Seen) -> dict[str, np.ndarray]:
    """Class means and the precision of one covariance shared by the classes (Lee et al. 2018), shrunk by
    Ledoit-Wolf so that it inverts even where features are nearly collinear."""
    from sklearn.covariance import LedoitWolf  # fitting only: predicting never loads scikit-learn

    features = np.asarray(training.features, dtype=np.float64)
    classes = training.logits.shape[1]
    means = np.stack([features[labels == c].mean(axis=0) for c in range(classes)])
    centred = features - means[labels]
    precision = LedoitWolf(assume_centered=True).fit(centred).precision_
    return {"means": means, "precision": precision}


def unknown_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """The share of the tokens read that the model does not know: text from elsewhere uses other words."""
    return texts.unknown


def combined_fit(training: Seen, labels: np.ndarray, validation: Seen) -> dict[str, np.ndarray]:
    """kNN's bank, and the mean and spread of each added score on in-domain texts the model never learned from
    (on its own training rows every word is known, and a bank row finds itself as its nearest neighbour)."""
    arrays = knn_fit(training, labels, validation)
    parts = np.stack([BY_NAME[name].score(validation, arrays) for name in COMBINED])
    return {**arrays, "mean": parts.mean(axis=1), "spread": np.maximum(parts.std(axis=1), MIN_SPREAD)}


def combined_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """Energy, kNN distance and unknown share, each as standard deviations above its training mean, added: each
    catches other texts (energy: unfamiliar topics; kNN: unfamiliar style; unknown: unfamiliar words)."""
    parts = np.stack([BY_NAME[name].score(texts, arrays) for name in COMBINED])
    return ((parts - arrays["mean"][:, None]) / arrays["spread"][:, None]).sum(axis=0)


def mahalanobis_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """The smallest squared Mahalanobis distance to a class mean."""
    features = np.asarray(texts.features, dtype=np.float64)
    differences = features[:, None, :] - np.asarray(arrays["means"])[None, :, :]  # (texts, classes, width)
    distances = np.einsum("tcw,wv,tcv->tc", differences, np.asarray(arrays["precision"]), differences)
    return distances.min(axis=1)


@dataclass(frozen=True)
class Method:
    """One way of scoring; `dense_only`: it needs dense features (a covariance of TF-IDF's width is not)."""

    name: str
    title: str
    source: str
    # (training rows, their labels, in-domain texts the model was not fitted on: the validation split) -> arrays;
    # None: nothing to fit
    fit: Callable[[Seen, np.ndarray, Seen], dict[str, np.ndarray]] | None
    score: Callable[[Seen, Arrays], np.ndarray]
    dense_only: bool = False
    reads: tuple[str, ...] = ("representation",)  # which of Seen's computed parts its score reads (its cost)

    def applies_to(self, texts: Seen) -> bool:
        return texts.dense or not self.dense_only


METHODS: tuple[Method, ...] = (
    Method("msp", "1 - maximum softmax probability", "Hendrycks & Gimpel 2017", None, msp_score),
    Method("energy", "energy, -logsumexp(logits)", "Liu et al. 2020", None, energy_score),
    Method(
        "knn", f"1 - cosine similarity to the {KNN_K}th nearest training text", "Sun et al. 2022", knn_fit, knn_score
    ),
    Method(
        "mahalanobis",
        "Mahalanobis distance to the nearest class mean",
        "Lee et al. 2018",
        mahalanobis_fit,
        mahalanobis_score,
        dense_only=True,
    ),
    Method(
        "unknown",
        "share of tokens read that the model does not know",
        "vocabulary coverage",
        None,
        unknown_score,
        reads=("unknown",),
    ),
    Method(
        "combined",
        "energy + kNN + unknown share, each standardized on the validation split",
        "this project",
        combined_fit,
        combined_score,
        reads=("representation", "unknown"),
    ),
)
BY_NAME = {method.name: method for method in METHODS}
