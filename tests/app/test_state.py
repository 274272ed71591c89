"""app/state.py without a running app: what changes a number is an argument, and each cache keeps its own entries."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import streamlit as st

from app import state
from apptest_utils import SHIPPED
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.evaluation.calibration import scale

pytestmark = pytest.mark.skipif(not SHIPPED, reason="needs a shipped checkpoint under checkpoints/")
TEXT = "Oil prices rose and stocks fell as investors worried about company earnings."


class Untouchable:
    """Stands in for st.session_state: any use of it fails the test."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"app.state used st.session_state ({name})")

    def __getitem__(self, key: str) -> None:
        raise AssertionError(f"app.state read st.session_state[{key!r}]")

    def __contains__(self, key: str) -> bool:
        raise AssertionError(f"app.state looked for {key!r} in st.session_state")


@pytest.fixture
def no_session_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(st, "session_state", Untouchable())


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkpoints root of its own (a copy of the first shipped checkpoint), so that its entries are this test's."""
    shutil.copytree(CHECKPOINT_DIR / SHIPPED[0], tmp_path / "copy")
    for vocab in CHECKPOINT_DIR.glob("vocab-*.json"):
        shutil.copy(vocab, tmp_path)
    monkeypatch.setenv(state.ROOT_ENV, str(tmp_path))
    return tmp_path


def test_calibrated_is_an_argument_not_the_toggle(no_session_state: None) -> None:
    loaded = state.load(SHIPPED[0])
    checkpoint = loaded.checkpoint
    temperature = checkpoint.metrics.calibration.temperature
    raw = checkpoint.classifier.predict_proba([TEXT])
    assert state.temperature(loaded, False) is None and state.temperature(loaded, True) == temperature
    assert np.array_equal(state.probabilities(loaded, TEXT, False), raw[0])
    assert np.array_equal(state.probabilities(loaded, TEXT, True), scale(raw, temperature)[0])
    assert not np.allclose(state.probabilities(loaded, TEXT, True), raw[0])
    assert np.array_equal(state.probabilities(loaded, TEXT, False), raw[0])  # the raw entry is unchanged
    stored = checkpoint.test_predictions
    assert np.array_equal(state.predictions(loaded, False), stored)
    assert np.array_equal(state.predictions(loaded, True), scale(stored, temperature))


def test_an_uncalibrated_checkpoint_shows_raw_numbers_either_way(
    tiny_checkpoint: Path, monkeypatch: pytest.MonkeyPatch, no_session_state: None
) -> None:
    monkeypatch.setenv(state.ROOT_ENV, str(tiny_checkpoint.parent))
    loaded = state.load(tiny_checkpoint.name)
    assert loaded.checkpoint.metrics.calibration is None
    assert state.temperature(loaded, True) is None
    assert state.probabilities(loaded, TEXT, True) is state.probabilities(loaded, TEXT, False)


def test_each_cache_keeps_its_own_entries_under_the_same_key() -> None:
    """Every per-checkpoint entry is keyed by root, name and stamp alone here: one shared store would hand
    one function's result to another."""
    loaded = state.load(SHIPPED[0])
    rows = len(state.test_split(loaded.checkpoint.dataset))
    predictions, shares = state.predictions(loaded, False), state.unknown_shares(loaded)
    accuracy, _ = state.test_intervals(loaded)
    assert predictions.shape == (rows, len(loaded.checkpoint.classes)) and shares.shape == (rows,)
    assert accuracy.low < accuracy.estimate < accuracy.high
    assert state.predictions(loaded, False) is predictions and state.unknown_shares(loaded) is shares


def test_arguments_reach_the_cache_as_the_same_keywords_however_passed() -> None:
    loaded = state.load(SHIPPED[0])
    first = state.flip(loaded, TEXT, 2)
    assert state.flip(loaded, text=TEXT, max_removed=2) is first
    assert state.flip(loaded, max_removed=2, text=TEXT) is first
    assert state.flip(loaded, TEXT, 1) is not first


def test_a_rewritten_checkpoint_gets_fresh_entries(root: Path) -> None:
    before = state.load("copy")
    probabilities = state.probabilities(before, TEXT, False)
    assert state.load("copy") is before and state.probabilities(before, TEXT, False) is probabilities
    config = root / "copy" / "config.json"
    os.utime(config, ns=(config.stat().st_atime_ns, config.stat().st_mtime_ns + 1_000_000))
    after = state.load("copy")
    assert after is not before
    assert state.probabilities(after, TEXT, False) is not probabilities
    assert np.array_equal(state.probabilities(after, TEXT, False), probabilities)


def test_a_report_is_read_again_once_rewritten(tmp_path: Path) -> None:
    report = tmp_path / "faithfulness.json"
    assert state.faithfulness_report(report) is None  # none yet
    shutil.copy(state.FAITHFULNESS_REPORT, report)
    read = state.faithfulness_report(report)
    assert read is not None and state.faithfulness_report(report) is read
    report.write_text("{}", encoding="utf-8")  # damaged
    assert state.faithfulness_report(report) is None
