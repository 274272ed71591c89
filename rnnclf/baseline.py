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

import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save as save_tensors
from scipy import sparse

from .classifier import Classifier
from .data import TEST_PATH, TRAIN_PATH, load_train_val
from .evaluate import final_metrics
from .records import TFIDF_LR, CheckpointConfig, SearchStep, TfidfSpec, TrainingRecord
from .runtime import configure_threads, library_versions
from .storage import (
    CHECKPOINT_DIR,
    PREDICTIONS,
    WEIGHTS,
    CheckpointError,
    Folder,
    predictions_bytes,
    publish,
)
from .text import tokenize

TITLE = "TF-IDF + logistic regression (baseline)"
C_GRID = (3.0, 10.0, 30.0)  # inverse regularization strengths tried; the best on validation is kept
COEF_DTYPE = torch.float16  # test predictions identical to float32's, half the bytes


def ngrams(tokens: Sequence[str], n_max: int) -> list[str]:
    """The tokens, then every run of 2..n_max adjacent tokens joined by a space, as scikit-learn does."""
    grams = list(tokens)
    for n in range(2, n_max + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


class TfidfLogisticClassifier(Classifier):
    """Sparse TF-IDF rows times the coefficients; it reads every token of a text (`max_tokens` None)."""

    max_tokens = None

    def __init__(
        self,
        name: str,
        terms: Sequence[str],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
        ngram_max: int,
        sublinear_tf: bool,
    ):
        if not (len(terms) == len(idf) == coef.shape[1]) or coef.shape[0] != len(intercept):
            raise ValueError(
                f"{len(terms)} terms, {len(idf)} idf values, coefficients {coef.shape}, {len(intercept)} intercepts"
            )
        self.name = name
        self.terms = list(terms)
        self.index = {term: i for i, term in enumerate(self.terms)}
        self.idf = idf.astype(np.float64)
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept = intercept.astype(np.float64)
        self.ngram_max = ngram_max
        self.sublinear_tf = sublinear_tf

    def features(self, token_lists: Sequence[Sequence[str]]) -> sparse.csr_array:
        """TF-IDF rows, as `TfidfVectorizer.transform` computes them (unknown n-grams are dropped)."""
        get = self.index.get
        columns: list[int] = []
        indptr = [0]
        for tokens in token_lists:
            columns += [i for i in map(get, ngrams(tokens, self.ngram_max)) if i is not None]
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
        return rows

    def predict_proba_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        logits = self.features(token_lists) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return (probabilities / probabilities.sum(axis=1, keepdims=True)).astype(np.float32)

    def is_known(self, token: str) -> bool:
        return token in self.index


def load(folder: Folder, config: CheckpointConfig) -> TfidfLogisticClassifier:
    """The classifier of a verified TF-IDF checkpoint."""
    spec = config.model
    if not isinstance(spec, TfidfSpec):
        raise CheckpointError(f"checkpoint {folder.name!r}: not a {TFIDF_LR} checkpoint")
    arrays, metadata = folder.read_tensors(WEIGHTS)
    try:
        return TfidfLogisticClassifier(
            folder.name,
            json.loads(metadata["terms"]),
            arrays["idf"].astype(np.float32),
            arrays["coef"].astype(np.float32),
            arrays["intercept"].astype(np.float32),
            spec.ngram_max,
            spec.sublinear_tf,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: not a usable {TFIDF_LR} checkpoint ({error!r})") from None


def checkpoint_files(classifier: TfidfLogisticClassifier, predictions: np.ndarray) -> dict[str, bytes]:
    """Weights (the terms in their metadata) and test predictions."""
    tensors = {
        "idf": torch.from_numpy(classifier.idf).float(),
        "coef": torch.from_numpy(classifier.coef).to(COEF_DTYPE),
        "intercept": torch.from_numpy(classifier.intercept).float(),
    }
    metadata = {"format": "rnnclf", "terms": json.dumps(classifier.terms, ensure_ascii=False)}
    return {WEIGHTS: save_tensors(tensors, metadata=metadata), PREDICTIONS: predictions_bytes(predictions)}


def make_vectorizer(ngram_max: int, min_df: int, sublinear_tf: bool):
    """scikit-learn's TfidfVectorizer over already tokenized texts (lists of `tokenize` tokens)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        preprocessor=list,
        tokenizer=list,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, ngram_max),
        min_df=min_df,
        sublinear_tf=sublinear_tf,
    )


def from_sklearn(name: str, vectorizer, model) -> TfidfLogisticClassifier:
    """The numpy classifier of fitted scikit-learn objects, rounded to the stored precision."""
    return TfidfLogisticClassifier(
        name,
        vectorizer.get_feature_names_out().tolist(),
        vectorizer.idf_.astype(np.float32),
        torch.from_numpy(model.coef_).to(COEF_DTYPE).numpy(),
        model.intercept_.astype(np.float32),
        vectorizer.ngram_range[1],
        vectorizer.sublinear_tf,
    )


def run(
    out: Path | None = None,
    train_path: Path = TRAIN_PATH,
    test_path: Path = TEST_PATH,
    c_grid: Sequence[float] = C_GRID,
    ngram_max: int = 2,
    min_df: int = 2,
    sublinear_tf: bool = True,
    seed: int = 0,
    val_fraction: float = 0.05,
    max_rows: int | None = None,
    threads: int | None = None,
    log: bool = True,
) -> Path:
    """Fit on the recurrent models' train rows, choose C on their validation rows, publish like them."""
    from sklearn import __version__ as sklearn_version
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    out = Path(out) if out else CHECKPOINT_DIR / TFIDF_LR
    threads = configure_threads(threads)
    started = time.perf_counter()
    train_split, val_split = load_train_val(train_path, val_fraction, seed, max_rows)
    vectorizer = make_vectorizer(ngram_max, min_df, sublinear_tf)
    train_features = vectorizer.fit_transform([tokenize(t) for t in train_split.texts])
    val_features = vectorizer.transform([tokenize(t) for t in val_split.texts])
    search, models = [], []
    for c in c_grid:
        fit_start = time.perf_counter()
        # BLAS/OpenMP threads limited like torch's (see runtime): on a small shared machine lbfgs with
        # more threads than free cores spins far slower than with one.
        with threadpool_limits(threads):
            model = LogisticRegression(C=c, max_iter=1000).fit(train_features, train_split.labels)
        models.append(model)
        search.append(
            SearchStep(
                C=c,
                val_accuracy=float(model.score(val_features, val_split.labels)),
                iterations=int(model.n_iter_.max()),
                seconds=time.perf_counter() - fit_start,
            )
        )
        if log:
            print(f"{TFIDF_LR} C={c:g}: val acc {search[-1].val_accuracy:.2%} ({search[-1].seconds:.0f}s)", flush=True)
    best = max(range(len(models)), key=lambda i: search[i].val_accuracy)  # ties: the first, most regularized
    seconds = time.perf_counter() - started
    config = CheckpointConfig(
        kind=TFIDF_LR,
        title=TITLE,
        max_tokens=None,
        parameters=int(models[best].coef_.size + models[best].intercept_.size),
        model=TfidfSpec(
            ngram_max=ngram_max,
            min_df=min_df,
            sublinear_tf=sublinear_tf,
            terms=len(vectorizer.idf_),
            C=c_grid[best],
            weights_dtype={"coef": str(COEF_DTYPE).replace("torch.", ""), "idf": "float32", "intercept": "float32"},
        ),
        training=TrainingRecord.for_data(
            train_path, len(train_split), len(val_split), seed, threads, search=tuple(search)
        ),
        versions={**library_versions(), "scikit-learn": sklearn_version},
    )
    classifier = from_sklearn(out.name, vectorizer, models[best])
    metrics, probabilities = final_metrics(classifier, test_path, (), seconds)
    publish(out, checkpoint_files(classifier, probabilities), config.to_dict(), metrics.to_dict())
    return out
