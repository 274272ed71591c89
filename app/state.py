"""Checkpoints, predictions, explanations and examples, loaded once per process and shared by sessions.

Every cached entry is keyed by the checkpoint's file stamp, so a retrained or damaged checkpoint gets a
fresh entry while the others stay warm. Cached objects are shared: views must only read them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from rnnclf import Checkpoint, CheckpointError, list_checkpoints, load_checkpoint
from rnnclf.checkpoints.registry import SummaryRow, summary_row
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.text import tokenize
from rnnclf.data.dataset import DataError, Dataset, Split
from rnnclf.evaluation.calibration import scale
from rnnclf.evaluation.significance import Interval, intervals
from rnnclf.evaluation.slices import unknown_share
from rnnclf.explain.counterfactual import Flip, flip_search
from rnnclf.explain.lime import import_lime
from rnnclf.explain.methods import Attribution, attribute

CALIBRATED = "calibrated"  # the sidebar toggle's key: show temperature-scaled probabilities
ROOT_ENV = "RNNCLF_CHECKPOINTS"  # another checkpoints folder (tests point it at a temporary one)
LIME_SEED = 0  # one fixed seed (LIME, KernelSHAP): the same request always gives the same explanation
# LIME and batch scoring are the heavy requests. At most one of them per core runs at a time (each on
# one torch thread), so eight users asking at once queue for a core instead of all slowing each other
# down; single predictions are cheap and never wait. Whoever waits longer than HEAVY_WAIT_SECONDS is
# told to retry.
HEAVY_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
HEAVY_WAIT_SECONDS = 60.0


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
    return _load(**_key(name))


@st.cache_resource(max_entries=64, show_spinner="Loading checkpoint…")
def _load(root: str, name: str, stamp: str) -> Loaded:
    try:
        return Loaded(name, checkpoint=load_checkpoint(name, root=Path(root)))
    except CheckpointError as error:
        return Loaded(name, error=str(error))
    except Exception as error:  # noqa: BLE001 - one unreadable checkpoint must not take the app down
        return Loaded(name, error=f"checkpoint {name!r} cannot be loaded: {type(error).__name__}: {error}")


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


def temperature(loaded: Loaded, calibrated: bool | None = None) -> float | None:
    """The temperature to show `loaded`'s probabilities with: None for the raw ones (the toggle is off,
    or the checkpoint has no calibration). `calibrated` None: the sidebar toggle decides."""
    wanted = st.session_state.get(CALIBRATED, False) if calibrated is None else calibrated
    calibration = loaded.checkpoint.metrics.calibration
    return calibration.temperature if wanted and calibration is not None else None


def _scaled(raw: np.ndarray, temperature: float | None) -> np.ndarray:
    """`raw` temperature-scaled (never a different argmax), read-only; `raw` itself when there is no temperature."""
    if temperature is None:
        return raw
    result = scale(raw if raw.ndim == 2 else raw[None, :], temperature).reshape(raw.shape)
    result.setflags(write=False)
    return result


def probabilities(loaded: Loaded, text: str) -> np.ndarray:
    """The classifier's probabilities for one text, shape (len(classes),); calibrated when the sidebar says so."""
    return _scaled(_probabilities(**_key(loaded.name), text=text), temperature(loaded))


@st.cache_resource(max_entries=256, show_spinner=False)
def _probabilities(root: str, name: str, stamp: str, text: str) -> np.ndarray:
    # Callers pass only checkpoints that loaded (see notices.usable); so does _attribution.
    result = _load(root=root, name=name, stamp=stamp).checkpoint.classifier.predict_proba([text])[0]
    result.setflags(write=False)
    return result


def attribution(loaded: Loaded, text: str, method: str, label: int | None, samples: int, features: int) -> Attribution:
    """One method's word scores for one text, cached per (checkpoint, text, method, label, settings);
    `samples` and `features` are LIME's (KernelSHAP takes attributions.SHAP_SAMPLES)."""
    return _attribution(**_key(loaded.name), text=text, method=method, label=label, samples=samples, features=features)


@st.cache_resource(max_entries=256, show_spinner=False)
def _attribution(
    root: str, name: str, stamp: str, text: str, method: str, label: int | None, samples: int, features: int
) -> Attribution:
    # Callers pass only checkpoints that loaded (see notices.usable).
    classifier = _load(root=root, name=name, stamp=stamp).checkpoint.classifier
    with heavy_slot("explaining texts"):
        [result] = attribute(
            classifier, text, (method,), label, samples=samples, seed=LIME_SEED, lime_features=features
        )
    return result


def flip(loaded: Loaded, text: str, max_removed: int) -> Flip:
    """The flip search for one text (the fewest words whose removal changes the class), cached."""
    return _flip(**_key(loaded.name), text=text, max_removed=max_removed)


@st.cache_resource(max_entries=128, show_spinner=False)
def _flip(root: str, name: str, stamp: str, text: str, max_removed: int) -> Flip:
    classifier = _load(root=root, name=name, stamp=stamp).checkpoint.classifier
    with heavy_slot("searching for flips"):
        return flip_search(classifier, text, max_removed)


@st.cache_resource(show_spinner=False)
def warm_explainer() -> threading.Thread:
    """Import LIME and scikit-learn in a background thread, once per process, so that the first
    explanation does not wait for them. Called after the first page is drawn, so it delays nothing."""
    thread = threading.Thread(target=import_lime, name="warm-explainer", daemon=True)
    thread.start()
    return thread


def _dataset_key(dataset: Dataset) -> dict[str, object]:
    """The key of a per-dataset entry: its name and test split's pin, so that a dataset of the same name
    elsewhere (RNNCLF_DATASETS) gets its own entry. `_dataset`, the record itself, is passed but not hashed."""
    return dict(_dataset=dataset, name=dataset.name, path=dataset.test.path, sha256=dataset.test.sha256)


def test_split(dataset: Dataset) -> Split | None:
    """`dataset`'s test split (a checkpoint's: `checkpoint.dataset`); None when it is missing, unreadable or
    not the file its record pins."""
    return _test_split(**_dataset_key(dataset))


@st.cache_resource(max_entries=8, show_spinner=False)
def _test_split(_dataset: Dataset, name: str, path: str, sha256: str) -> Split | None:
    try:
        return _dataset.read_test()
    except DataError:
        return None


def predictions(loaded: Loaded, calibrated: bool | None = None) -> np.ndarray:
    """A loaded checkpoint's probabilities on the test split (which must exist), shape (rows, classes).

    Read from the checkpoint's stored predictions when it has them, else computed once; either way
    the error explorer, the disagreements and their tests all read this one cached array (calibrated
    when the sidebar says so, or as `calibrated` asks).
    """
    t = temperature(loaded, calibrated)
    return (
        _predictions(**_key(loaded.name)) if t is None else _calibrated_predictions(**_key(loaded.name), temperature=t)
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _calibrated_predictions(root: str, name: str, stamp: str, temperature: float) -> np.ndarray:
    return _scaled(_predictions(root=root, name=name, stamp=stamp), temperature)


def test_intervals(loaded: Loaded) -> tuple[Interval, Interval]:
    """95 % bootstrap intervals of test accuracy and macro-F1 (seeded, so every session sees the same)."""
    return _intervals(**_key(loaded.name))


@st.cache_resource(max_entries=64, show_spinner="Bootstrapping the test split…")
def _intervals(root: str, name: str, stamp: str) -> tuple[Interval, Interval]:
    checkpoint = _load(root=root, name=name, stamp=stamp).checkpoint
    probabilities = _predictions(root=root, name=name, stamp=stamp)
    return intervals(test_split(checkpoint.dataset).labels, probabilities.argmax(1), len(checkpoint.classes))


@st.cache_resource(max_entries=64, show_spinner="Scoring the test split…")
def _predictions(root: str, name: str, stamp: str) -> np.ndarray:
    checkpoint = _load(root=root, name=name, stamp=stamp).checkpoint
    result = checkpoint.test_probabilities(test_split(checkpoint.dataset))
    result.setflags(write=False)
    return result


def test_tokens(dataset: Dataset) -> tuple[tuple[str, ...], ...]:
    """Every test text's tokens of `dataset`, for the slices (its test split must exist)."""
    return _test_tokens(**_dataset_key(dataset))


@st.cache_resource(max_entries=8, show_spinner=False)
def _test_tokens(_dataset: Dataset, name: str, path: str, sha256: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(tokenize(text)) for text in test_split(_dataset).texts)


def unknown_shares(loaded: Loaded) -> np.ndarray:
    """Per test text, the share of the tokens the checkpoint reads that it never learned."""
    return _unknown_shares(**_key(loaded.name))


@st.cache_resource(max_entries=64, show_spinner="Looking up every test word…")
def _unknown_shares(root: str, name: str, stamp: str) -> np.ndarray:
    checkpoint = _load(root=root, name=name, stamp=stamp).checkpoint
    result = unknown_share(test_tokens(checkpoint.dataset), checkpoint.classifier)
    result.setflags(write=False)
    return result
