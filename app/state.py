"""Checkpoints, predictions, explanations, examples and reports, computed once per process and shared by sessions.

Every cache of the app is here, made by one helper (`_cached`, as `per_checkpoint`, `per_dataset` and
`per_file`): an entry is keyed by what it is computed from and that thing's version (a checkpoint's file
stamp, a dataset's pinned test split, a report's size and mtime), so a retrained or damaged checkpoint
gets a fresh entry while the others stay warm. Whatever changes a result (the calibration toggle, the
text, the settings) is an argument: nothing here reads a widget. Cached objects are shared: views must
only read them.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import numpy as np
import streamlit as st

from rnnclf import Checkpoint, CheckpointError, list_checkpoints, load_checkpoint
from rnnclf.behavior.report import BehaviorReport, read_report
from rnnclf.checkpoints.registry import SummaryRow, summary_row
from rnnclf.core.paths import CHECKPOINT_DIR, REPORT_DIR
from rnnclf.core.text import tokenize
from rnnclf.data.dataset import DataError, Dataset, Split
from rnnclf.evaluation.calibration import scale
from rnnclf.evaluation.significance import Interval, intervals
from rnnclf.evaluation.slices import unknown_share
from rnnclf.explain import faithfulness
from rnnclf.explain.counterfactual import Flip, flip_search
from rnnclf.explain.lime import import_lime
from rnnclf.explain.methods import Attribution, attribute
from rnnclf.inspection.label_issues import LabelIssuesReport
from rnnclf.scope.fit import ScopeReport
from rnnclf.scope.fit import read_report as read_scope_report
from rnnclf.scope.neighbors import NeighborIndex, Neighbors
from rnnclf.scope.record import Scope, Verdict, load_scope

ROOT_ENV = "RNNCLF_CHECKPOINTS"  # another checkpoints folder (tests point it at a temporary one)
FAITHFULNESS_REPORT = REPORT_DIR / f"{faithfulness.NAME}.json"
LIME_SEED = 0  # one fixed seed (LIME, KernelSHAP): the same request always gives the same explanation
# LIME and batch scoring are the heavy requests. At most one of them per core runs at a time (each on
# one torch thread), so eight users asking at once queue for a core instead of all slowing each other
# down; single predictions are cheap and never wait. Whoever waits longer than HEAVY_WAIT_SECONDS is
# told to retry.
HEAVY_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
HEAVY_WAIT_SECONDS = 60.0

S = TypeVar("S")  # what an entry is computed from: a loaded checkpoint, a dataset, a file
P = ParamSpec("P")
R = TypeVar("R")


class ServerBusy(RuntimeError):
    """Every heavy-work slot stayed taken for HEAVY_WAIT_SECONDS."""


@contextmanager
def heavy_slot(doing: str) -> Iterator[None]:
    """Hold one of the per-core slots for heavy work, or raise ServerBusy after waiting too long."""
    if not HEAVY_SLOTS.acquire(timeout=HEAVY_WAIT_SECONDS):
        raise ServerBusy(f"the server is busy {doing} for other users; try again in a moment")
    try:
        yield
    finally:
        HEAVY_SLOTS.release()


@dataclass(frozen=True)
class Loaded:
    """A checkpoint as the app sees it: loaded, or the reason it is not."""

    name: str
    checkpoint: Checkpoint | None = None
    error: str | None = None


def checkpoint_root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or CHECKPOINT_DIR)


def _stamp(folder: Path) -> str:
    """Name, size and mtime of each file: changes whenever the checkpoint is rewritten or damaged.

    One string, because the cache hashes its arguments on every call and a string is hashed in one step.
    """
    try:
        with os.scandir(folder) as entries:
            stats = [(entry.name, entry.stat()) for entry in entries]
    except OSError:
        return ""
    return "\n".join(sorted(f"{name} {stat.st_size} {stat.st_mtime_ns}" for name, stat in stats))


def _key(name: str) -> dict[str, str]:
    """root, name and file stamp: the cache key every per-checkpoint entry starts with.

    Passed as keywords: for each positional argument the cache looks its name up with `inspect.signature`,
    on every call, and these calls run several times per rerun.
    """
    root = checkpoint_root()
    return dict(root=str(root), name=name, stamp=_stamp(root / name))


def load(name: str) -> Loaded:
    """Checkpoint `name` under the checkpoints root, as it is on disk now (the entry every other one starts from)."""
    return _load(**_key(name))


@st.cache_resource(max_entries=64, show_spinner="Loading checkpoint…")
def _load(root: str, name: str, stamp: str) -> Loaded:
    try:
        return Loaded(name, checkpoint=load_checkpoint(name, root=Path(root)))
    except CheckpointError as error:
        return Loaded(name, error=str(error))
    except Exception as error:  # noqa: BLE001 - one unreadable checkpoint must not take the app down
        return Loaded(name, error=f"checkpoint {name!r} cannot be loaded: {type(error).__name__}: {error}")


def _dataset_key(dataset: Dataset) -> dict[str, object]:
    """The key of a per-dataset entry: its name and test split's pin, so that a dataset of the same name
    elsewhere (RNNCLF_DATASETS) gets its own entry. `_dataset`, the record itself, is passed but not hashed."""
    return dict(_dataset=dataset, name=dataset.name, path=dataset.test.path, sha256=dataset.test.sha256)


def _file_key(path: Path) -> dict[str, object]:
    """The key of a per-file entry: the path, and its size and mtime (empty while it cannot be read)."""
    try:
        stat = path.stat()
    except OSError:
        return dict(path=str(path), stamp="")
    return dict(path=str(path), stamp=f"{stat.st_size} {stat.st_mtime_ns}")


def _cached(
    key: Callable[[S], dict[str, object]],
    find: Callable[[dict[str, Any]], S],
    max_entries: int,
    spinner: str | bool,
) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """The app's one cache helper: a decorator that caches `compute(subject, *args)` under `key(subject)`
    and the arguments, and computes an entry from `find(key)`, the subject as that key names it.

    Every argument reaches the cache as a keyword (see `_key`), the compute function's own names in its
    own order, however the caller passed them.
    """

    def decorate(compute: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        names = tuple(inspect.signature(compute).parameters)[1:]

        # Streamlit tells caches apart by module, qualified name and source: wrapped, these are compute's.
        @functools.wraps(compute)
        def entry(**arguments: Any) -> R:
            return compute(find(arguments), **{name: arguments[name] for name in names})

        cache = st.cache_resource(max_entries=max_entries, show_spinner=spinner)(entry)

        @functools.wraps(compute)
        def call(subject: S, *args: P.args, **kwargs: P.kwargs) -> R:
            given = dict(zip(names, args), **kwargs)
            return cache(**key(subject), **{name: given[name] for name in names})

        return call

    return decorate


def per_checkpoint(
    max_entries: int, spinner: str | bool = False
) -> Callable[[Callable[Concatenate[Loaded, P], R]], Callable[Concatenate[Loaded, P], R]]:
    """Cache `compute(loaded, ...)` per checkpoint version: an entry is computed from the checkpoint loaded
    under the same stamp, never from a caller's older copy. Callers pass only checkpoints that loaded
    (see notices.usable)."""
    return _cached(
        lambda loaded: _key(loaded.name),
        lambda key: _load(root=key["root"], name=key["name"], stamp=key["stamp"]),
        max_entries,
        spinner,
    )


def per_dataset(
    max_entries: int, spinner: str | bool = False
) -> Callable[[Callable[Concatenate[Dataset, P], R]], Callable[Concatenate[Dataset, P], R]]:
    """Cache `compute(dataset, ...)` per dataset and pinned test split (see `_dataset_key`)."""
    return _cached(_dataset_key, lambda key: key["_dataset"], max_entries, spinner)


def per_file(
    max_entries: int, spinner: str | bool = False
) -> Callable[[Callable[Concatenate[Path, P], R]], Callable[Concatenate[Path, P], R]]:
    """Cache `compute(path, ...)` per version of the file: a rewritten report is read again."""
    return _cached(_file_key, lambda key: Path(key["path"]), max_entries, spinner)


def summary() -> tuple[SummaryRow, ...]:
    """One row per checkpoint, from loading each (cached): a checkpoint that cannot be loaded says why.

    Listing runs on every rerun, so a checkpoint added, removed or damaged shows without a restart.
    """
    rows = []
    for name in list_checkpoints(checkpoint_root()):
        loaded = load(name)
        if loaded.checkpoint is None:
            rows.append(SummaryRow(name, error=loaded.error))
        else:
            rows.append(summary_row(name, loaded.checkpoint.config, loaded.checkpoint.metrics))
    return tuple(rows)


def temperature(loaded: Loaded, calibrated: bool) -> float | None:
    """The temperature to show `loaded`'s probabilities with: None for the raw ones (not `calibrated`, or
    the checkpoint has no calibration)."""
    calibration = loaded.checkpoint.metrics.calibration
    return calibration.temperature if calibrated and calibration is not None else None


def _scaled(raw: np.ndarray, temperature: float | None) -> np.ndarray:
    """`raw` temperature-scaled (never a different argmax), read-only; `raw` itself when there is no temperature."""
    if temperature is None:
        return raw
    result = scale(raw if raw.ndim == 2 else raw[None, :], temperature).reshape(raw.shape)
    result.setflags(write=False)
    return result


def probabilities(loaded: Loaded, text: str, calibrated: bool) -> np.ndarray:
    """The classifier's probabilities for one text, shape (len(classes),); temperature-scaled when
    `calibrated` and the checkpoint has a temperature (tests/app/test_state.py)."""
    return _scaled(_probabilities(loaded, text), temperature(loaded, calibrated))


@per_checkpoint(max_entries=256)
def _probabilities(loaded: Loaded, text: str) -> np.ndarray:
    result = loaded.checkpoint.classifier.predict_proba([text])[0]
    result.setflags(write=False)
    return result


@per_checkpoint(max_entries=256)
def attribution(loaded: Loaded, text: str, method: str, label: int | None, samples: int, features: int) -> Attribution:
    """One method's word scores for one text, cached per (checkpoint, text, method, label, settings);
    `samples` and `features` are LIME's (KernelSHAP takes rnnclf.explain.methods.SHAP_SAMPLES)."""
    classifier = loaded.checkpoint.classifier
    with heavy_slot("explaining texts"):
        [result] = attribute(
            classifier, text, (method,), label, samples=samples, seed=LIME_SEED, lime_features=features
        )
    return result


@per_checkpoint(max_entries=128)
def flip(loaded: Loaded, text: str, max_removed: int) -> Flip:
    """The flip search for one text (the fewest words whose removal changes the class), cached."""
    with heavy_slot("searching for flips"):
        return flip_search(loaded.checkpoint.classifier, text, max_removed)


@st.cache_resource(show_spinner=False)
def warm_explainer() -> threading.Thread:
    """Import LIME and scikit-learn in a background thread, once per process, so that the first
    explanation does not wait for them. Called after the first page is drawn, so it delays nothing."""
    thread = threading.Thread(target=import_lime, name="warm-explainer", daemon=True)
    thread.start()
    return thread


@per_dataset(max_entries=8)
def test_split(dataset: Dataset) -> Split | None:
    """`dataset`'s test split (a checkpoint's: `checkpoint.dataset`); None when it is missing, unreadable or
    not the file its record pins."""
    try:
        return dataset.read_test()
    except DataError:
        return None


def predictions(loaded: Loaded, calibrated: bool) -> np.ndarray:
    """A loaded checkpoint's probabilities on its dataset's test split (which must exist), shape (rows, classes),
    temperature-scaled when `calibrated` (as `probabilities`).

    Read from the checkpoint's stored predictions when it has them, else computed once; either way
    the error explorer, the disagreements and their tests all read this one cached array.
    """
    t = temperature(loaded, calibrated)
    return _predictions(loaded) if t is None else _calibrated_predictions(loaded, t)


@per_checkpoint(max_entries=64)
def _calibrated_predictions(loaded: Loaded, temperature: float) -> np.ndarray:
    return _scaled(_predictions(loaded), temperature)


@per_checkpoint(max_entries=64, spinner="Scoring the test split…")
def _predictions(loaded: Loaded) -> np.ndarray:
    checkpoint = loaded.checkpoint
    result = checkpoint.test_probabilities(test_split(checkpoint.dataset))
    result.setflags(write=False)
    return result


@per_checkpoint(max_entries=64, spinner="Bootstrapping the test split…")
def test_intervals(loaded: Loaded) -> tuple[Interval, Interval]:
    """95 % bootstrap intervals of test accuracy and macro-F1 (seeded, so every session sees the same)."""
    checkpoint = loaded.checkpoint
    probabilities = _predictions(loaded)
    return intervals(test_split(checkpoint.dataset).labels, probabilities.argmax(1), len(checkpoint.classes))


@per_dataset(max_entries=8)
def test_tokens(dataset: Dataset) -> tuple[tuple[str, ...], ...]:
    """Every test text's tokens of `dataset`, for the slices (its test split must exist)."""
    return tuple(tuple(tokenize(text)) for text in test_split(dataset).texts)


@per_checkpoint(max_entries=64, spinner="Looking up every test word…")
def unknown_shares(loaded: Loaded) -> np.ndarray:
    """Per test text, the share of the tokens the checkpoint reads that it never learned."""
    checkpoint = loaded.checkpoint
    result = unknown_share(test_tokens(checkpoint.dataset), checkpoint.classifier)
    result.setflags(write=False)
    return result


@per_file(max_entries=4, spinner="Reading the behavioural report…")
def behavior_report(path: Path) -> BehaviorReport:
    """The behavioural report at `path` (reports/behavior.json); raises as read_report does."""
    return read_report(path)


@per_file(max_entries=4)
def faithfulness_report(path: Path) -> faithfulness.Report | None:
    """The faithfulness report at `path` (FAITHFULNESS_REPORT: faithfulness.read reads it from its folder);
    None when there is none or it cannot be read."""
    return faithfulness.read(path.parent)


LABEL_ISSUES_DIR = REPORT_DIR  # where `rnnclf label-issues` writes; tests point it at their own folder


def label_issues(dataset: Dataset) -> LabelIssuesReport | None:
    """The report `rnnclf label-issues` wrote of `dataset`, or None where there is none of this very test
    split (the report pins its sha256) or it cannot be read."""
    from rnnclf.inspection.report import stem

    return _label_issues(LABEL_ISSUES_DIR / f"{stem(dataset.name)}.json", dataset.test.sha256)


@per_file(max_entries=8)
def _label_issues(path: Path, test_sha256: str) -> LabelIssuesReport | None:
    from rnnclf.checkpoints.schema import RecordError
    from rnnclf.inspection.report import read

    try:
        report = read(path)
    except (ValueError, RecordError):
        return None
    return report if report is not None and report.test_sha256 == test_sha256 else None


@per_checkpoint(max_entries=16, spinner="Computing the checkpoint's representation of the test split…")
def test_features(loaded: Loaded) -> Any:
    """The checkpoint's representation of every test row: what a pasted text is placed among."""
    from rnnclf.inspection.projection import features

    checkpoint = loaded.checkpoint
    with heavy_slot("computing a map"):
        return features(checkpoint, test_split(checkpoint.dataset).texts)  # the Map has checked it reads


@per_checkpoint(max_entries=16, spinner="Computing the map (PCA, seconds)…")
def test_map(loaded: Loaded, method: str) -> np.ndarray | None:
    """The stored 2-D map of the checkpoint's test split by `method` (`rnnclf map`); PCA is computed here
    where none is stored (seconds), UMAP never is (a minute of numba compiling would hold a core)."""
    from rnnclf.inspection.projection import manifest_sha, project, read

    stored = read(manifest_sha(loaded.checkpoint), method)
    if stored is not None:
        return stored.coordinates
    if method != "pca":
        return None
    return project(test_features(loaded), method)


@per_dataset(max_entries=8)
def hover_texts(dataset: Dataset, chars: int) -> tuple[str, ...]:
    """Every test text of `dataset` as the Map's hover shows it: tidied, cut to `chars` characters and
    HTML-escaped (plotly renders a subset of HTML in hover text). Tidying 7,600 texts takes most of a
    second, so it is done once."""
    from html import escape

    from app.readable import readable

    tidied = (readable(text) for text in test_split(dataset).texts)
    return tuple(escape(t if len(t) <= chars else t[: chars - 1] + "…") for t in tidied)


@per_checkpoint(max_entries=64)
def scope(loaded: Loaded) -> Scope | None:
    """The checkpoint's stored scope (None: it stores none); read once per checkpoint version."""
    return load_scope(loaded.checkpoint.folder)


@per_checkpoint(max_entries=256)
def scope_verdict(loaded: Loaded, text: str) -> Verdict | None:
    """Whether `text` is like the checkpoint's training texts; None when it stores no scope."""
    found = scope(loaded)
    return found.verdicts(loaded.checkpoint.classifier, [text])[0] if found else None


@per_checkpoint(max_entries=8, spinner="Reading every training text once, for the closest ones…")
def neighbor_index(loaded: Loaded) -> NeighborIndex:
    """The checkpoint's training texts in its representation: built once per process (a forward pass over
    the training split), then every query is one more text."""
    with heavy_slot("reading the training texts"):
        return NeighborIndex.build(loaded.checkpoint)


@per_checkpoint(max_entries=256)
def neighbors(loaded: Loaded, text: str, k: int) -> Neighbors:
    """The `k` training texts nearest `text` in the checkpoint's representation."""
    return neighbor_index(loaded).nearest(text, k)


@per_file(max_entries=4)
def scope_report(path: Path) -> ScopeReport | None:
    """The scope report at `path` (reports/scope.json); None when there is none or it cannot be read."""
    try:
        return read_scope_report(path)
    except DataError:
        return None


@per_checkpoint(max_entries=16, spinner="Scoring every test text against the checkpoint's scope…")
def test_scope_scores(loaded: Loaded) -> np.ndarray | None:
    """Each test text's out-of-scope score by the checkpoint's stored method (the Map's colouring); None when
    it stores no scope."""
    found = scope(loaded)
    if found is None:
        return None
    with heavy_slot("scoring the test split"):
        texts = list(test_split(loaded.checkpoint.dataset).texts)  # the Map has checked it reads
        return found.read_and_score(loaded.checkpoint.classifier, texts)
