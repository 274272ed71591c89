"""LIME explanations whose features are the model's own tokens, computed without re-tokenizing samples.

`LimeTextExplainer` builds every perturbed text as a string and hands it to a classifier that
tokenizes it again in Python. Here the same perturbations are drawn with the same random calls, but
each sample becomes a token list directly (a mask over the tokens of the original text), and LIME's
own `LimeBase` fits the local model. tests/unit/explain/test_explain.py checks that the result equals
`LimeTextExplainer`'s on the same seed.

Features are words as the model sees them: substrings of the raw text, one per model token
(`token_spans`), case preserved. Like LIME's default (bow=True), a feature is a distinct word, and
removing it removes every occurrence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import scipy.sparse

from rnnclf.explain.words import Piece, Words
from rnnclf.models.classifier import Classifier

DEFAULT_SAMPLES = 2000
DEFAULT_FEATURES = 10
MAX_SAMPLES = 5000
KERNEL_WIDTH = 25.0  # LimeTextExplainer's default
FEATURE_SELECTION = "highest_weights"  # LIME's "auto" turns to forward selection (k x d ridge fits) at <= 6 features


@dataclass(frozen=True)
class Explanation:
    label: int
    pieces: tuple[Piece, ...]
    top: tuple[tuple[str, float], ...]  # (word, weight) of the selected features, by |weight| descending
    intercept: float
    score: float  # R^2 of the local linear model on the samples
    local_pred: float
    probability: float  # the model's probability of `label` for the whole text
    num_samples: int
    num_features: int
    truncated: bool  # longer than MAX_WORDS tokens: the rest is left out of the explanation
    unknown_only: bool  # no token of the text is known to the model


def _kernel(distances: np.ndarray, kernel_width: float) -> np.ndarray:
    return np.sqrt(np.exp(-(distances**2) / kernel_width**2))


def import_lime() -> tuple[type, Callable]:
    """LIME's local model and scikit-learn's distances, imported on the first explanation: they are a
    third of the app's import time and a prediction needs neither (bench/ times the app's start). The app
    calls this in the background once its first page is drawn."""
    from lime.lime_base import LimeBase
    from sklearn.metrics import pairwise_distances

    return LimeBase, pairwise_distances


def explain(
    classifier: Classifier,
    text: str,
    label: int | None = None,
    num_samples: int = DEFAULT_SAMPLES,
    num_features: int = DEFAULT_FEATURES,
    seed: int = 0,
) -> Explanation:
    """Explain `classifier`'s probability of `label` (default: the predicted class) for `text`.

    The same arguments always give the same explanation (LIME's sampling is seeded).
    """
    LimeBase, pairwise_distances = import_lime()
    words = Words.of(text)
    num_samples = int(min(max(num_samples, 2), MAX_SAMPLES))

    # Sampling exactly as LimeTextExplainer.__data_labels_distances does.
    random_state = np.random.RandomState(seed)
    d = len(words.features)
    sizes = random_state.randint(1, d + 1, num_samples - 1)
    data = np.ones((num_samples, d))
    for i, size in enumerate(sizes, start=1):
        # = random_state.choice(range(d), size, replace=False), the same draws without its overhead
        data[i, random_state.permutation(d)[:size]] = 0
    probabilities = classifier.predict_proba_masked(words.tokens, words.keep(data))
    sparse = scipy.sparse.csr_matrix(data)
    distances = pairwise_distances(sparse, sparse[0], metric="cosine").ravel() * 100

    label = int(np.argmax(probabilities[0])) if label is None else int(label)
    base = LimeBase(partial(_kernel, kernel_width=KERNEL_WIDTH), random_state=random_state)
    intercept, local_exp, score, local_pred = base.explain_instance_with_data(
        data, probabilities, distances, label, num_features, feature_selection=FEATURE_SELECTION
    )
    weight_of = {feature: float(weight) for feature, weight in local_exp}
    return Explanation(
        label=label,
        pieces=words.pieces(weight_of, classifier.max_tokens),
        top=tuple((words.features[f], weight_of[f]) for f, _ in local_exp),
        intercept=float(intercept),
        score=float(score),
        local_pred=float(np.ravel(local_pred)[0]),
        probability=float(probabilities[0, label]),
        num_samples=num_samples,
        num_features=len(local_exp),
        truncated=words.truncated,
        unknown_only=words.unknown_only(classifier),
    )
