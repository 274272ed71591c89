"""Training the TF-IDF + logistic regression baseline: scikit-learn fits it, `TfidfLogisticClassifier` serves it.

Fitted on the recurrent models' train rows, C chosen on their validation rows, published like them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from rnnclf.checkpoints.families import TFIDF_LR, TfidfSpec, tfidf_files
from rnnclf.checkpoints.records import CheckpointConfig, SearchStep, TrainingRecord
from rnnclf.checkpoints.storage import publish
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.runtime import configure_threads, library_versions
from rnnclf.core.text import tokenize
from rnnclf.data.dataset import VAL_FRACTION, load_train_val
from rnnclf.data.registry import AG_NEWS, get_dataset
from rnnclf.evaluation.metrics import final_metrics
from rnnclf.models.tfidf import COEF_DTYPE, TfidfLogisticClassifier

TITLE = "TF-IDF + logistic regression (baseline)"
C_GRID = (3.0, 10.0, 30.0)  # inverse regularization strengths tried; the best on validation is kept


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


def from_sklearn(name: str, vectorizer, model, classes: Sequence[str]) -> TfidfLogisticClassifier:
    """The numpy classifier of fitted scikit-learn objects, rounded to the stored precision."""
    return TfidfLogisticClassifier(
        name,
        vectorizer.get_feature_names_out().tolist(),
        vectorizer.idf_.astype(np.float32),
        torch.from_numpy(model.coef_).to(COEF_DTYPE).numpy(),
        model.intercept_.astype(np.float32),
        vectorizer.ngram_range[1],
        vectorizer.sublinear_tf,
        classes,
    )


def run(
    out: Path | None = None,
    train_path: Path | None = None,
    test_path: Path | None = None,
    c_grid: Sequence[float] = C_GRID,
    ngram_max: int = 2,
    min_df: int = 2,
    sublinear_tf: bool = True,
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    max_rows: int | None = None,
    threads: int | None = None,
    log: bool = True,
    dataset: str = AG_NEWS,
) -> Path:
    """Fit on the recurrent models' train rows, choose C on their validation rows, publish like them.

    As for the recurrent models, the rows are `dataset`'s splits unless `train_path` / `test_path` say otherwise.
    """
    from sklearn import __version__ as sklearn_version
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    out = Path(out) if out else CHECKPOINT_DIR / TFIDF_LR
    threads = configure_threads(threads)
    started = time.perf_counter()
    record = get_dataset(dataset)
    classes = record.classes
    train_path, test_path = record.paths(train_path, test_path)
    train_split, val_split = load_train_val(train_path, val_fraction, seed, max_rows, len(classes))
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
        dataset=dataset,
    )
    classifier = from_sklearn(out.name, vectorizer, models[best], classes)
    metrics, probabilities = final_metrics(classifier, test_path, (), seconds)
    publish(out, tfidf_files(classifier, probabilities), config.to_dict(), metrics.to_dict())
    return out
