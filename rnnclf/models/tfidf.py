"""TF-IDF + logistic regression: the baseline a practitioner tries first, stored without pickle.

It reads the project's own tokens (`rnnclf.text.tokenize`) and their adjacent pairs, so LIME perturbs
exactly the tokens it perturbs for the recurrent models. scikit-learn fits it; predicting needs only
numpy and scipy: the stored terms, idf and coefficients reproduce `TfidfVectorizer` (sublinear tf,
smooth idf, l2-normalized rows) followed by `LogisticRegression.predict_proba` (multinomial softmax).

The checkpoint is an ordinary folder (see `storage`) whose model.safetensors holds `idf`, `coef`
and `intercept`, with the terms in column order as a JSON list in its metadata, so the manifest's
hash covers them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

import numpy as np
import torch
from scipy import sparse

from rnnclf.core.text import padded, tokenize_many
from rnnclf.models.classifier import Capability, Classifier, Reading

COEF_DTYPE = torch.float16  # test predictions identical to float32's, half the bytes


def ngrams(tokens: Sequence[str], n_max: int) -> list[str]:
    """The tokens, then every run of 2..n_max adjacent tokens joined by a space, as scikit-learn does."""
    grams = list(tokens)
    for n in range(2, n_max + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


def softmax32(logits: np.ndarray) -> np.ndarray:
    """`LogisticRegression.predict_proba`'s softmax, as float32; `logits` is left as it was."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted)
    return (probabilities / probabilities.sum(axis=1, keepdims=True)).astype(np.float32)


def as_ids(token_lists: Sequence[Sequence[str]], words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`Reading.ids` and `lengths` from each token's single-word column (-1: none) laid end to end: the column
    plus one, so that 0 is a word with no column, right-padded."""
    lengths = np.array([len(tokens) for tokens in token_lists], dtype=np.int64)
    return padded(np.asarray(words, dtype=np.int64) + 1, lengths, int(lengths.max(initial=0))), lengths


class TfidfLogisticClassifier(Classifier):
    """Sparse TF-IDF rows times the coefficients; it reads every token of a text (`max_tokens` None)."""

    max_tokens = None
    capabilities = frozenset({Capability.LINEAR, Capability.RANDOMIZED, Capability.REPRESENTATION})

    def __init__(
        self,
        name: str,
        terms: Sequence[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        ngram_max: int,
        sublinear_tf: bool,
        classes: Sequence[str],
    ):
        if not (len(terms) == len(idf) == coef.shape[1]) or not (coef.shape[0] == len(intercept) == len(classes)):
            raise ValueError(
                f"{len(terms)} terms, {len(idf)} idf values, coefficients {coef.shape}, {len(intercept)} intercepts, "
                f"{len(classes)} classes"
            )
        self.name = name
        self.classes = tuple(classes)
        self.terms = list(terms)
        self.index = {term: i for i, term in enumerate(self.terms)}
        self.idf = idf.astype(np.float64)
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept = intercept.astype(np.float64)
        self.ngram_max = ngram_max
        self.sublinear_tf = sublinear_tf

    def features(self, token_lists: Sequence[Sequence[str]]) -> sparse.csr_array:
        """TF-IDF rows, as `TfidfVectorizer.transform` computes them (unknown n-grams are dropped)."""
        return self._rows_and_words(token_lists)[0]

    def _rows_and_words(self, token_lists: Sequence[Sequence[str]]) -> tuple[sparse.csr_array, np.ndarray]:
        """The TF-IDF rows, and each token's column as a single-word term (-1: none), laid end to end: the
        look-up the rows need gives the words' too."""
        get = self.index.get
        columns: list[int] = []
        words: list[int] = []
        indptr = [0]
        for tokens in token_lists:
            found = list(map(get, ngrams(tokens, self.ngram_max), repeat(-1)))
            words += found[: len(tokens)]
            columns += [i for i in found if i >= 0]
            indptr.append(len(columns))
        rows = sparse.csr_array(
            (np.ones(len(columns)), np.asarray(columns, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
            shape=(len(token_lists), len(self.terms)),
        )
        rows.sum_duplicates()  # counts
        if self.sublinear_tf:
            rows.data = 1.0 + np.log(rows.data)
        rows.data *= self.idf[rows.indices]
        norms = np.sqrt(rows.power(2).sum(axis=1))
        rows.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(rows.indptr))
        return rows, np.asarray(words, dtype=np.int64)

    def predict_proba_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        return softmax32(self._logits(self.features(token_lists)))

    def _logits(self, rows: sparse.csr_array) -> np.ndarray:
        return rows @ self.coef.T + self.intercept

    def read(self, texts: Sequence[str], features: bool = False) -> Reading:
        """Features: the TF-IDF rows (sparse, unit length), computed for the logits anyway. Token ids: each
        token's column as a single-word term, plus one (0: a word with no column)."""
        token_lists = tokenize_many(texts, None)
        rows, words = self._rows_and_words(token_lists)
        logits = self._logits(rows)
        return Reading(softmax32(logits), logits, *as_ids(token_lists, words), rows if features else None)

    def token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        token_lists = tokenize_many(texts, None)
        get = self.index.get
        return as_ids(token_lists, np.array([i for tokens in token_lists for i in map(get, tokens, repeat(-1))]))

    def is_known(self, token: str) -> bool:
        return token in self.index

    def linear_contributions(self, tokens: Sequence[str], label: int) -> np.ndarray:
        """TF-IDF value x coefficient of every n-gram, shared equally by its occurrences and their tokens.

        Coefficients are centred over the classes (a shift common to all classes changes no probability),
        so the contributions sum to the class's logit minus the mean logit, relative to the empty text.
        """
        tokens = list(tokens)
        row = self.features([tokens])
        coef = self.coef[label] - self.coef.mean(axis=0)
        contribution = dict(zip(row.indices.tolist(), (row.data * coef[row.indices]).tolist()))
        occurrences: dict[int, list[range]] = {}
        for n in range(1, self.ngram_max + 1):
            for start in range(len(tokens) - n + 1):
                term = self.index.get(" ".join(tokens[start : start + n]))  # as `ngrams` joins them
                if term is not None:
                    occurrences.setdefault(term, []).append(range(start, start + n))
        per_token = np.zeros(len(tokens))
        for term, places in occurrences.items():
            for place in places:
                per_token[list(place)] += contribution[term] / (len(places) * len(place))
        return per_token

    def randomized(self, seed: int) -> TfidfLogisticClassifier:
        """The same terms and idf with coefficients drawn from `seed`, at the trained coefficients' scale."""
        rng = np.random.default_rng(seed)
        coef = rng.normal(0.0, self.coef.std(), self.coef.shape)
        return TfidfLogisticClassifier(
            f"{self.name} (random weights)",
            self.terms,
            self.idf,
            coef,
            self.intercept,
            self.ngram_max,
            self.sublinear_tf,
            self.classes,
        )
