"""Fit every method on a checkpoint's training rows, set each one's threshold on its validation split, choose
one on the validation split against the off-topic `choose` part, and measure them all on the test split against
the off-topic `test` part. Nothing is fitted or chosen on a test split; the test figures are only reported.
Tests: tests/unit/scope/test_fit.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import softmax
from sklearn.metrics import roc_auc_score

from rnnclf.checkpoints.registry import Checkpoint
from rnnclf.data.dataset import Split
from rnnclf.evaluation.temperature import test_split, training_splits
from rnnclf.models.classifier import Classifier
from rnnclf.scope.methods import METHODS, Method, Seen, seen
from rnnclf.scope.offtopic import OffTopic
from rnnclf.scope.record import Candidate, Scope, ScopeRecord

TARGET_INSIDE = 0.95  # the share of in-domain validation texts a threshold keeps inside
BANK_ROWS = 4096  # training rows the methods are fitted on: a seeded sample keeps kNN's stored bank small


def threshold_for(scores: np.ndarray, target: float = TARGET_INSIDE) -> float:
    """The smallest observed score with at least `target` of `scores` at or below it."""
    return float(np.quantile(np.asarray(scores, dtype=np.float64), target, method="higher"))


def inside_share(scores: np.ndarray, threshold: float) -> float:
    return float(np.mean(np.asarray(scores) <= threshold))


def auroc(inside: np.ndarray, outside: np.ndarray) -> float:
    """How often an off-topic text scores above an in-domain one (1: always; 0.5: chance)."""
    truth = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    return float(roc_auc_score(truth, np.r_[inside, outside]))


def bank_sample(train: Split, rows: int, seed: int) -> Split:
    """A seeded sample of the training rows, in their order."""
    rng = np.random.default_rng(seed)
    return train.subset(np.sort(rng.choice(len(train), min(rows, len(train)), replace=False)))


@dataclass(frozen=True)
class Timed:
    """A representation and what it cost per text."""

    texts: Seen
    seconds_per_text: float


def represent(classifier: Classifier, texts: list[str]) -> Timed:
    start = time.perf_counter()
    found = seen(classifier, texts)
    return Timed(found, (time.perf_counter() - start) / max(1, len(texts)))


@dataclass(frozen=True)
class SourceRate:
    source: str
    texts: int
    flagged: float  # the share of this source's off-topic test texts outside the threshold


@dataclass(frozen=True)
class MethodResult:
    """One method on one checkpoint: its threshold (validation), the choice figures (validation against the
    off-topic `choose` part) and the reported ones (test split against the off-topic `test` part)."""

    method: str
    title: str
    source: str
    chosen: bool
    threshold: float
    choose_auroc: float
    choose_missed: float
    auroc: float
    fpr95: float  # off-topic test texts inside the validation threshold
    flagged_in_domain: float  # test-split texts outside it (about 1 - TARGET_INSIDE when nothing shifted)
    flagged_offtopic: float
    by_source: tuple[SourceRate, ...]
    ms_per_text: float  # the representation and this method's score, one thread


@dataclass(frozen=True)
class Missed:
    """An off-topic test text the chosen method keeps inside, and what the checkpoint calls it."""

    text: str
    source: str
    score: float
    label: str
    probability: float


@dataclass(frozen=True)
class CheckpointScope:
    checkpoint: str
    title: str
    method: str
    threshold: float
    methods: tuple[MethodResult, ...]
    most_newslike: tuple[Missed, ...]  # the off-topic test texts it finds most like its training texts


@dataclass(frozen=True)
class Measured:
    result: MethodResult
    arrays: dict[str, np.ndarray]
    val_scores: np.ndarray
    off_scores: np.ndarray  # on the off-topic test part


@dataclass(frozen=True)
class Fitted:
    scope: Scope
    result: CheckpointScope


def fit_checkpoint(checkpoint: Checkpoint, offtopic: OffTopic, examples: int = 3) -> Fitted:
    """Every method fitted, thresholded and measured on one checkpoint; the chosen one as a storable Scope."""
    classifier, seed = checkpoint.classifier, checkpoint.config.training.seed
    train, val = training_splits(checkpoint.config)
    bank = bank_sample(train, BANK_ROWS, seed)
    choose_texts, _ = offtopic.part("choose")
    test_texts, test_sources = offtopic.part("test")
    bank_rep, val_rep = seen(classifier, bank.texts), seen(classifier, val.texts)
    choose_rep = seen(classifier, choose_texts)
    test = represent(classifier, test_split(checkpoint).texts)
    off = represent(classifier, test_texts)
    measured = []
    for method in METHODS:
        if method.applies_to(bank_rep):
            fitting = (bank_rep, bank.labels, val_rep)
            measured.append(_measure(method, fitting, val_rep, choose_rep, test, off, test_sources))
    best = min(measured, key=lambda m: (m.result.choose_missed, -m.result.choose_auroc))
    chosen = best.result
    record = ScopeRecord(
        method=chosen.method,
        threshold=chosen.threshold,
        target_inside=TARGET_INSIDE,
        inside=inside_share(best.val_scores, chosen.threshold),
        val_rows=len(val),
        bank_rows=len(bank),
        seed=seed,
        offtopic=offtopic.path,
        offtopic_sha256=offtopic.sha256,
        offtopic_rows=len(choose_texts),
        candidates=tuple(
            Candidate(m.result.method, m.result.threshold, m.result.choose_auroc, m.result.choose_missed)
            for m in measured
        ),
    )
    probabilities = softmax(off.texts.logits.astype(np.float64), axis=1)
    order = np.argsort(best.off_scores, kind="stable")[:examples]
    newslike = tuple(
        Missed(
            test_texts[i],
            test_sources[i],
            float(best.off_scores[i]),
            checkpoint.classes[int(probabilities[i].argmax())],
            float(probabilities[i].max()),
        )
        for i in order
    )
    results = tuple(replace(m.result, chosen=m is best) for m in measured)
    result = CheckpointScope(checkpoint.name, checkpoint.title, chosen.method, chosen.threshold, results, newslike)
    return Fitted(Scope(record, best.arrays), result)


def _measure(
    method: Method,
    fitting: tuple[Seen, np.ndarray, Seen],
    val_rep: Seen,
    choose_rep: Seen,
    test: Timed,
    off: Timed,
    off_sources: list[str],
) -> Measured:
    arrays = method.fit(*fitting) if method.fit else {}
    val_scores = method.score(val_rep, arrays)
    threshold = threshold_for(val_scores)
    choose_scores = method.score(choose_rep, arrays)
    start = time.perf_counter()
    test_scores = method.score(test.texts, arrays)
    off_scores = method.score(off.texts, arrays)
    texts = len(test_scores) + len(off_scores)
    scoring = (time.perf_counter() - start) / texts
    representing = (test.seconds_per_text * len(test_scores) + off.seconds_per_text * len(off_scores)) / texts
    sources = np.array(off_sources)
    result = MethodResult(
        method=method.name,
        title=method.title,
        source=method.source,
        chosen=False,
        threshold=threshold,
        choose_auroc=auroc(val_scores, choose_scores),
        choose_missed=inside_share(choose_scores, threshold),
        auroc=auroc(test_scores, off_scores),
        fpr95=inside_share(off_scores, threshold),
        flagged_in_domain=1.0 - inside_share(test_scores, threshold),
        flagged_offtopic=1.0 - inside_share(off_scores, threshold),
        by_source=tuple(
            SourceRate(s, int((sources == s).sum()), 1.0 - inside_share(off_scores[sources == s], threshold))
            for s in dict.fromkeys(off_sources)
        ),
        ms_per_text=1000 * (representing + scoring),
    )
    return Measured(result, arrays, val_scores, off_scores)


REPORT_FORMAT = 1


@dataclass(frozen=True)
class ScopeReport:
    """reports/scope.json: per checkpoint of one dataset, every method's figures (`MethodResult`), the chosen
    one and the off-topic texts it still takes for in-domain. Read by the model cards; its one writer is
    `rnnclf scope`. Fractions are 0-1; `ms_per_text` is milliseconds on one thread."""

    format: int
    dataset: str
    test_rows: int
    offtopic: str
    offtopic_sha256: str
    offtopic_rows: dict[str, int]  # per part: choose, test
    target_inside: float
    bank_rows: int
    checkpoints: tuple[CheckpointScope, ...]
