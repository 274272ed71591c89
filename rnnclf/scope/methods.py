"""Out-of-scope scores: how unlike a checkpoint's training texts a text is, higher = less like them.

Each method is one row of `METHODS`: what it fits on training texts (arrays, stored in safetensors when it is a
checkpoint's chosen method) and how it scores texts with them. Every score reads only what the `Classifier`
interface gives (`Classifier.read`: logits, the ids of the tokens read, features), so one code path serves every
family, and a score beside a prediction reuses the prediction's own pass.
Hand-computed references: tests/unit/scope/test_scope_methods.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from scipy.special import logsumexp, softmax

from rnnclf.models.classifier import Classifier, Reading

Arrays = Mapping[str, np.ndarray]
KNN_K = 10  # the k-th nearest stored training text gives the kNN score (Sun et al. pick k by validation too)
BANK_ROWS = 1024  # training rows kNN compares with: a seeded sample keeps the stored bank and its product small
DISCOUNT = 0.75  # absolute discounting of the word-pair counts (Ney, Essen & Kneser 1994's usual value)
MIN_PAIR_COUNT = 2  # word pairs seen once are most of the table and little evidence: they are not stored


@dataclass(frozen=True)
class Seen:
    """Texts as a checkpoint read them (`Classifier.read`), for the methods to score."""

    reading: Reading

    @property
    def logits(self) -> np.ndarray:
        return self.reading.logits

    @property
    def features(self) -> np.ndarray | sparse.csr_array:
        if self.reading.features is None:
            raise ValueError("this reading kept no features: read it with features=True")
        return self.reading.features

    @property
    def dense(self) -> bool:
        return not sparse.issparse(self.features)

    @functools.cached_property
    def tokens(self) -> tuple[np.ndarray, np.ndarray]:
        return laid_out(self.reading.ids, self.reading.lengths)

    def per_text_mean(self, values: np.ndarray, empty: float) -> np.ndarray:
        """The mean of a value per token (laid out as `tokens`) over each text's tokens; `empty` for none."""
        lengths = self.reading.lengths
        sums = np.bincount(np.repeat(np.arange(len(lengths)), lengths), weights=values, minlength=len(lengths))
        return np.where(lengths > 0, sums / np.maximum(lengths, 1), empty)


def laid_out(ids: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every token read, end to end: its id, and the id before it (-1 at a text's start)."""
    real = np.arange(ids.shape[1]) < lengths[:, None]
    before = np.concatenate([np.full((len(ids), 1), -1, dtype=ids.dtype), ids[:, :-1]], axis=1)
    return ids[real], before[real]


def seen(classifier: Classifier, texts: list[str], features: bool = True) -> Seen:
    return Seen(classifier.read(texts, features=features))


@dataclass(frozen=True)
class Fitting:
    """What a method is fitted on: every training row and its label, the validation split (in-domain texts the
    model never learned from), and the seed of any sample drawn."""

    training: Seen
    labels: np.ndarray
    validation: Seen
    seed: int


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
    rows = unit_rows(features)
    if not sparse.issparse(rows):
        rows = rows.astype(columns.dtype)  # a float32 bank: half the product's cost, rounding far below the score's
    product = rows @ columns
    return product.toarray() if sparse.issparse(product) else np.asarray(product)


def as_columns(features: np.ndarray | sparse.csr_array) -> np.ndarray | sparse.csr_array:
    """Texts at unit length, one per column, CSR when sparse: what `cosine_similarities` compares against."""
    bank = unit_rows(features)
    return sparse.csr_array(bank.T) if sparse.issparse(bank) else np.ascontiguousarray(bank.T)


def knn_fit(fitting: Fitting) -> dict[str, np.ndarray]:
    """A seeded sample of the training rows at unit length, one per column: dense as one array, sparse as its
    CSR parts."""
    features = fitting.training.features
    rng = np.random.default_rng(fitting.seed)
    sample = np.sort(rng.choice(features.shape[0], min(BANK_ROWS, features.shape[0]), replace=False))
    columns = as_columns(features[sample])
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
        return np.asarray(arrays["bank"], dtype=np.float32)
    shape = tuple(int(n) for n in arrays["bank.shape"])
    return sparse.csr_array((arrays["bank.data"], arrays["bank.indices"], arrays["bank.indptr"]), shape=shape)


def knn_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """1 - cosine similarity to the k-th nearest stored training text (Sun et al. 2022, normalized features)."""
    similarities = cosine_similarities(texts.features, knn_bank(arrays)).astype(np.float64)
    k = min(KNN_K, similarities.shape[1])
    return 1.0 - np.partition(similarities, -k, axis=1)[:, -k]


def mahalanobis_fit(fitting: Fitting) -> dict[str, np.ndarray]:
    """Class means and the precision of one covariance shared by the classes (Lee et al. 2018), shrunk by
    Ledoit-Wolf so that it inverts even where features are nearly collinear."""
    from sklearn.covariance import LedoitWolf  # fitting only: predicting never loads scikit-learn

    features = np.asarray(fitting.training.features, dtype=np.float64)
    labels = fitting.labels
    classes = fitting.training.logits.shape[1]
    means = np.stack([features[labels == c].mean(axis=0) for c in range(classes)])
    centred = features - means[labels]
    precision = LedoitWolf(assume_centered=True).fit(centred).precision_
    return {"means": means, "precision": precision}


def mahalanobis_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """The smallest squared Mahalanobis distance to a class mean."""
    features = np.asarray(texts.features, dtype=np.float64)
    differences = features[:, None, :] - np.asarray(arrays["means"])[None, :, :]  # (texts, classes, width)
    distances = np.einsum("tcw,wv,tcv->tc", differences, np.asarray(arrays["precision"]), differences)
    return distances.min(axis=1)


def unknown_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """The share of the tokens read that the model does not know (id 0): text from elsewhere uses other words.
    A text with no token at all is wholly unknown."""
    ids, _ = texts.tokens
    return texts.per_text_mean((ids == 0).astype(np.float64), empty=1.0)


def language_counts(ids: np.ndarray, lengths: np.ndarray) -> dict[str, np.ndarray]:
    """Counts of the training texts' words and adjacent word pairs, as the model read them (its token ids).

    Word ids are renumbered densely: 0 for a word never read in training, 1.. for the words that were (in the
    order of `language.words`), and one more for a text's start. The per-word context counts and numbers of
    distinct followers are taken before the rare pairs are dropped, so the discounted mass stays right.
    Written by hand: no maintained library fits an n-gram model on token ids without pickling it
    (NLTK's `lm` works on strings and keeps Python dictionaries).
    """
    ids, before = laid_out(ids, lengths)
    words = np.unique(ids)
    start = len(words) + 1
    renumber = _renumbering(words)
    current, previous = renumber(ids), renumber(before, start)
    pairs, counts = np.unique(previous * (start + 1) + current, return_counts=True)
    context = pairs // (start + 1)
    keep = counts >= MIN_PAIR_COUNT
    return {  # 32-bit where the numbers fit: half the memory each loaded scope holds
        "language.words": words.astype(np.int32),
        "language.unigrams": np.bincount(current, minlength=start).astype(np.int32),
        "language.contexts": np.bincount(context, weights=counts, minlength=start + 1).astype(np.int32),
        "language.followers": np.bincount(context, minlength=start + 1).astype(np.int32),
        "language.pairs": pairs[keep].astype(np.int64),
        "language.pair_counts": counts[keep].astype(np.int32),
    }


def _renumbering(words: np.ndarray) -> Callable[..., np.ndarray]:
    """Model ids as the language model's: 1 + the place in `words`, 0 if absent; with `start`, -1 (a text's start)
    as `start`. By a table as long as the largest id, built once per call of the score: a gather per token, where
    a binary search cost a hundred times more."""
    table = np.zeros(int(words.max(initial=0)) + 2, dtype=np.int64)  # the last cell: any larger id, absent
    table[words] = np.arange(1, len(words) + 1)

    def renumber(ids: np.ndarray, start: int | None = None) -> np.ndarray:
        renumbered = table[np.clip(ids, 0, len(table) - 1)]
        return renumbered if start is None else np.where(ids < 0, start, renumbered)

    return renumber


def _counts_of(keys: np.ndarray, pairs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The stored count of each key (0 if not stored). The keys are searched in sorted order: each search then
    starts where the last one ended, several times faster over a large table than searching them as they come."""
    if not len(pairs):
        return np.zeros(len(keys), dtype=np.int64)
    order = np.argsort(keys)  # equal keys find the same place, so any order among them will do
    at = np.empty(len(keys), dtype=np.int64)
    at[order] = np.minimum(np.searchsorted(pairs, keys[order]), len(pairs) - 1)
    return np.where(pairs[at] == keys, counts[at], 0)


def language_score(texts: Seen, arrays: Arrays) -> np.ndarray:
    """How much less likely each word is after the word before it than on its own, by the training texts'
    counts, averaged over the text: log p(word) - log p(word | previous word), a word-pair model against a
    single-word one (a likelihood ratio, as Ren et al. 2019 contrast a model with a background one).

    Word frequencies alone mostly say whether the words are common; the ratio asks whether they follow one
    another as they do in the training texts, which text of another kind (jokes, software documentation) does
    not, whatever its words. p(word): add-one smoothed counts. p(word | previous): the pair's count less
    `DISCOUNT`, over the previous word's count, plus the discounted mass spread by p(word) (absolute
    discounting); a previous word never seen in training leaves p(word). A text with no token scores 0.
    """
    words = arrays["language.words"]
    unigrams, contexts = arrays["language.unigrams"], arrays["language.contexts"]
    start = len(words) + 1
    ids, before = texts.tokens
    renumber = _renumbering(words)
    current, previous = renumber(ids), renumber(before, start)
    alone = (unigrams[current] + 1.0) / (unigrams.sum(dtype=np.int64) + start)
    together = _counts_of(previous * (start + 1) + current, arrays["language.pairs"], arrays["language.pair_counts"])
    seen_before = contexts[previous]
    followed = np.maximum(seen_before, 1)
    discounted = np.maximum(together - DISCOUNT, 0.0) / followed
    spread = DISCOUNT * arrays["language.followers"][previous] / followed
    after = np.where(seen_before > 0, discounted + spread * alone, alone)
    return texts.per_text_mean(np.log(alone / after), empty=0.0)


@dataclass(frozen=True)
class Method:
    """One way of scoring; `dense_only`: it needs dense features (a covariance of TF-IDF's width is not)."""

    name: str
    title: str
    source: str
    fit: Callable[[Fitting], dict[str, np.ndarray]] | None  # None: nothing to fit
    score: Callable[[Seen, Arrays], np.ndarray]
    dense_only: bool = False
    features: bool = False  # its score reads the features the last layer reads (beyond logits and token ids)
    # What it is fitted from the training texts' token ids alone: counted again when a stored scope is loaded
    # rather than stored (`storable`), its arrays named "<name>.*"
    recount: Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]] | None = None
    parts: tuple[str, ...] = ()  # a combination's methods; a single method: its own name

    def applies_to(self, texts: Seen) -> bool:
        return texts.dense or not self.dense_only

    def storable(self, arrays: Arrays) -> dict[str, np.ndarray]:
        """The fitted arrays less those its parts count again on loading."""
        recounted = tuple(f"{name}." for name in self.parts if BY_NAME[name].recount)
        return {key: array for key, array in arrays.items() if not key.startswith(recounted)}


def p_values(scores: np.ndarray, validation: np.ndarray) -> np.ndarray:
    """The share of in-domain validation texts scoring at least as high, counting the text itself (so never 0):
    the conformal p-value of each score against the sorted validation scores."""
    above = len(validation) - np.searchsorted(validation, scores, side="left")
    return (1.0 + above) / (1.0 + len(validation))


def fisher(*names: str) -> Method:
    """Several scores combined by Fisher's method: -2 x the sum of the log p-values of each score against the
    validation split. Each part catches other texts (energy and kNN: other topics and style as the model sees
    them; unknown: other words; language: other word order); a p-value puts them on one scale, so one part's
    extreme outweighs several parts' ordinary values (Fisher 1925; for conformal p-values, Bates et al. 2023)."""
    parts = [BY_NAME[name] for name in names]

    def fit(fitting: Fitting) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        for part in parts:
            arrays.update(part.fit(fitting) if part.fit else {})
        for part in parts:
            arrays[f"validation.{part.name}"] = np.sort(part.score(fitting.validation, arrays))
        return arrays

    def score(texts: Seen, arrays: Arrays) -> np.ndarray:
        logs = [np.log(p_values(part.score(texts, arrays), arrays[f"validation.{part.name}"])) for part in parts]
        return -2.0 * np.sum(logs, axis=0)

    def recount(ids: np.ndarray, lengths: np.ndarray) -> dict[str, np.ndarray]:
        return {key: array for part in parts if part.recount for key, array in part.recount(ids, lengths).items()}

    return Method(
        "+".join(names),
        " + ".join(names) + ", combined by Fisher's method on validation p-values",
        "Fisher 1925",
        fit,
        score,
        dense_only=any(part.dense_only for part in parts),
        features=any(part.features for part in parts),
        recount=recount if any(part.recount for part in parts) else None,
        parts=names,
    )


SINGLE: tuple[Method, ...] = (
    Method("msp", "1 - maximum softmax probability", "Hendrycks & Gimpel 2017", None, msp_score),
    Method("energy", "energy, -logsumexp(logits)", "Liu et al. 2020", None, energy_score),
    Method(
        "knn",
        f"1 - cosine similarity to the {KNN_K}th nearest of {BANK_ROWS} training texts",
        "Sun et al. 2022",
        knn_fit,
        knn_score,
        features=True,
    ),
    Method(
        "mahalanobis",
        "Mahalanobis distance to the nearest class mean",
        "Lee et al. 2018",
        mahalanobis_fit,
        mahalanobis_score,
        dense_only=True,
        features=True,
    ),
    Method("unknown", "share of tokens read that the model does not know", "vocabulary coverage", None, unknown_score),
    Method(
        "language",
        "word-pair against single-word likelihood of the training texts",
        "likelihood ratio (Ren et al. 2019)",
        lambda fitting: language_counts(fitting.training.reading.ids, fitting.training.reading.lengths),
        language_score,
        # Counted from the training split when loaded: stored, the pair table would take several MB in every
        # checkpoint, past the checkpoints' size budget (tests/unit/checkpoints/test_shipped.py)
        recount=language_counts,
    ),
)
SINGLE = tuple(replace(method, parts=(method.name,)) for method in SINGLE)
BY_NAME = {method.name: method for method in SINGLE}
COMBINATIONS = (
    ("energy", "language"),
    ("energy", "unknown", "language"),
    ("knn", "language"),
    ("energy", "knn", "unknown", "language"),
)
METHODS: tuple[Method, ...] = (*SINGLE, *(fisher(*names) for names in COMBINATIONS))
BY_NAME.update({method.name: method for method in METHODS})
