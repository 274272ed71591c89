"""Fit every method on a checkpoint's training rows, set each one's threshold on its validation split, choose
one on the validation split against the off-topic `choose` part, and measure them all on the test split against
the off-topic `test` part. Nothing is fitted or chosen on a test split; the test figures are only reported.
Tests: tests/unit/scope/test_scope_fit.py.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.special import softmax
from sklearn.metrics import roc_auc_score

from rnnclf.checkpoints.registry import Checkpoint
from rnnclf.checkpoints.schema import RecordError, build
from rnnclf.core.paths import REPORT_DIR
from rnnclf.data.dataset import DataError
from rnnclf.data.registry import AG_NEWS
from rnnclf.evaluation.temperature import test_split, training_splits
from rnnclf.models.classifier import Classifier
from rnnclf.scope.methods import BANK_ROWS, METHODS, Fitting, Method, Seen, seen
from rnnclf.scope.offtopic import OffTopic
from rnnclf.scope.record import Candidate, Scope, ScopeRecord

TARGET_INSIDE = 0.95  # the share of in-domain validation texts a threshold keeps inside


def threshold_for(scores: np.ndarray, target: float = TARGET_INSIDE) -> float:
    """The smallest observed score with at least `target` of `scores` at or below it."""
    return float(np.quantile(np.asarray(scores, dtype=np.float64), target, method="higher"))


def inside_share(scores: np.ndarray, threshold: float) -> float:
    return float(np.mean(np.asarray(scores) <= threshold))


def auroc(inside: np.ndarray, outside: np.ndarray) -> float:
    """How often an off-topic text scores above an in-domain one (1: always; 0.5: chance)."""
    truth = np.r_[np.zeros(len(inside)), np.ones(len(outside))]
    return float(roc_auc_score(truth, np.r_[inside, outside]))


@dataclass(frozen=True)
class Timed:
    """Texts as the checkpoint read them, and what keeping the features cost per text beyond the reading a
    prediction makes anyway (a folded model runs its module again for them)."""

    texts: Seen
    features_seconds_per_text: float


def represent(classifier: Classifier, texts: list[str]) -> Timed:
    start = time.perf_counter()
    classifier.read(texts)
    plain = time.perf_counter() - start
    start = time.perf_counter()
    found = seen(classifier, texts)
    with_features = time.perf_counter() - start
    return Timed(found, max(0.0, with_features - plain) / max(1, len(texts)))


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
    ms_per_text: float  # what the score adds to a prediction's own reading (its arithmetic, any features), 1 thread


@dataclass(frozen=True)
class Missed:
    """An off-topic test text the chosen method keeps inside, and what the checkpoint calls it."""

    text: str
    source: str
    score: float
    label: str
    probability: float


@dataclass(frozen=True)
class Distribution:
    """The chosen method's scores as histograms on shared bins: the test split's and the off-topic test part's."""

    edges: tuple[float, ...]  # BINS + 1 bin edges; scores beyond them count in the first or last bin
    in_domain: tuple[int, ...]
    offtopic: tuple[int, ...]


BINS = 40


def distribution(in_domain: np.ndarray, offtopic: np.ndarray) -> Distribution:
    """Bins from the 0.5th to the 99.5th percentile of both together, so one stray score does not flatten the rest."""
    low, high = np.percentile(np.r_[in_domain, offtopic], [0.5, 99.5])
    edges = np.linspace(low, high if high > low else low + 1.0, BINS + 1)

    def counts(scores: np.ndarray) -> tuple[int, ...]:
        return tuple(int(n) for n in np.histogram(np.clip(scores, edges[0], edges[-1]), edges)[0])

    return Distribution(tuple(float(e) for e in edges), counts(in_domain), counts(offtopic))


@dataclass(frozen=True)
class CheckpointScope:
    checkpoint: str
    title: str
    method: str
    threshold: float
    methods: tuple[MethodResult, ...]
    most_newslike: tuple[Missed, ...]  # the off-topic test texts it finds most like its training texts
    distribution: Distribution  # the chosen method's


@dataclass(frozen=True)
class Measured:
    result: MethodResult
    arrays: dict[str, np.ndarray]
    val_scores: np.ndarray
    test_scores: np.ndarray  # on the test split
    off_scores: np.ndarray  # on the off-topic test part


@dataclass(frozen=True)
class Fitted:
    scope: Scope
    result: CheckpointScope


def fit_checkpoint(checkpoint: Checkpoint, offtopic: OffTopic, examples: int = 3) -> Fitted:
    """Every method fitted, thresholded and measured on one checkpoint; the chosen one as a storable Scope."""
    classifier, seed = checkpoint.classifier, checkpoint.config.training.seed
    train, val = training_splits(checkpoint.config)
    choose_texts, _ = offtopic.part("choose")
    test_texts, test_sources = offtopic.part("test")
    train_rep, val_rep = seen(classifier, train.texts), seen(classifier, val.texts)
    choose_rep = seen(classifier, choose_texts)
    test = represent(classifier, test_split(checkpoint).texts)
    off = represent(classifier, test_texts)
    measured = []
    for method in METHODS:
        if method.applies_to(train_rep):
            fitting = Fitting(train_rep, train.labels, val_rep, seed)
            measured.append(_measure(method, fitting, choose_rep, test, off, test_sources))
    best = min(measured, key=lambda m: (m.result.choose_missed, -m.result.choose_auroc))
    chosen = best.result
    record = ScopeRecord(
        method=chosen.method,
        threshold=chosen.threshold,
        target_inside=TARGET_INSIDE,
        inside=inside_share(best.val_scores, chosen.threshold),
        val_rows=len(val),
        bank_rows=min(BANK_ROWS, len(train)),
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
    shape = distribution(best.test_scores, best.off_scores)
    result = CheckpointScope(
        checkpoint.name, checkpoint.title, chosen.method, chosen.threshold, results, newslike, shape
    )
    return Fitted(Scope(record, best.arrays), result)


def _measure(
    method: Method,
    fitting: Fitting,
    choose_rep: Seen,
    test: Timed,
    off: Timed,
    off_sources: list[str],
) -> Measured:
    arrays = method.fit(fitting) if method.fit else {}
    val_scores = method.score(fitting.validation, arrays)
    threshold = threshold_for(val_scores)
    choose_scores = method.score(choose_rep, arrays)
    start = time.perf_counter()
    test_scores = method.score(test.texts, arrays)
    off_scores = method.score(off.texts, arrays)
    texts = len(test_scores) + len(off_scores)
    scoring = (time.perf_counter() - start) / texts
    features = test.features_seconds_per_text * len(test_scores) + off.features_seconds_per_text * len(off_scores)
    representing = features / texts if method.features else 0.0
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
    return Measured(result, arrays, val_scores, test_scores, off_scores)


REPORT_FORMAT = 1


def report_path(dataset: str) -> Path:
    """reports/scope.md for the built-in dataset, reports/scope-NAME.md for another one (the JSON beside it)."""
    return REPORT_DIR / ("scope.md" if dataset == AG_NEWS else f"scope-{dataset}.md")


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


def read_report(path: Path) -> ScopeReport:
    """reports/scope.json as its record; a missing, unreadable or differently shaped file is a DataError."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return ScopeReport(
            **{
                **data,
                "checkpoints": tuple(
                    build(
                        CheckpointScope,
                        c,
                        methods=tuple(
                            build(MethodResult, m, by_source=tuple(build(SourceRate, s) for s in m["by_source"]))
                            for m in c["methods"]
                        ),
                        most_newslike=tuple(build(Missed, m) for m in c["most_newslike"]),
                        distribution=build(
                            Distribution, c["distribution"], **{k: tuple(v) for k, v in c["distribution"].items()}
                        ),
                    )
                    for c in data["checkpoints"]
                ),
            }
        )
    except (OSError, ValueError, KeyError, TypeError, RecordError) as error:
        raise DataError(f"{path}: not a scope report ({error})") from None
