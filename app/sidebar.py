"""The sidebar: which checkpoint the single-model views show, and the LIME settings; and the `Context`
the entrypoint hands every page (a page script reads it with `context()`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from rnnclf.explain import DEFAULT_FEATURES, DEFAULT_SAMPLES, MAX_SAMPLES
from rnnclf.registry import SummaryRow

from .links import CHECKPOINT
from .safe import literal
from .state import CALIBRATED

MIN_SAMPLES = 100
MAX_FEATURES = 30
CONTEXT_KEY = "context"


@dataclass(frozen=True)
class LimeSettings:
    samples: int
    features: int


@dataclass(frozen=True)
class Context:
    """What every view needs from the page around it."""

    selected: str  # the checkpoint the single-model views show
    names: tuple[str, ...]  # every checkpoint, broken ones too
    rows: tuple[SummaryRow, ...]
    lime: LimeSettings


def context() -> Context:
    """The context of this run, set by the entrypoint before the page runs."""
    return st.session_state[CONTEXT_KEY]


def _caption(row: SummaryRow) -> str:
    if row.error:
        return f"{literal(row.checkpoint)} · :red[cannot be loaded]"
    score = f"test accuracy **{row.test_accuracy:.2%}**" if row.test_accuracy is not None else "no test accuracy stored"
    return f"{literal(row.checkpoint)} · {score}"


def checkpoint_picker(rows: Sequence[SummaryRow], root: str) -> str | None:
    """Every checkpoint with its title and test accuracy; the chosen one feeds the single-model views."""
    if not rows:
        st.error(f"No checkpoints found under {literal(root)}.", icon=":material/folder_off:")
        return None
    titles = {row.checkpoint: row.title or row.checkpoint for row in rows}
    shared = {title for title in titles.values() if list(titles.values()).count(title) > 1}
    labels = {name: f"{title} ({name})" if title in shared else title for name, title in titles.items()}
    return st.radio(
        "Checkpoint",
        list(labels),
        format_func=lambda name: literal(labels[name]),  # unique: the radio tells options apart by label
        captions=[_caption(row) for row in rows],
        key=CHECKPOINT,
    )


def calibration_toggle() -> bool:
    """Show temperature-scaled probabilities in every view: the numbers change, no predicted class does."""
    return st.toggle(
        "Calibrated probabilities",
        key=CALIBRATED,
        help="Temperature scaling fitted on each checkpoint's validation split (`python -m rnnclf calibrate`). "
        "Probabilities move toward what the model's accuracy supports; the predicted class never changes.",
    )


def lime_settings() -> LimeSettings:
    """How hard LIME works: more samples, steadier weights, slower."""
    st.subheader("LIME", divider="gray")
    samples = st.slider(
        "Samples",
        MIN_SAMPLES,
        MAX_SAMPLES,
        DEFAULT_SAMPLES,
        step=100,
        key="lime_samples",
        help="Perturbed copies of the text the model scores. More: steadier weights, slower.",
    )
    features = st.slider(
        "Words to explain",
        1,
        MAX_FEATURES,
        DEFAULT_FEATURES,
        key="lime_features",
        help="How many words LIME's local model may use (its number of features).",
    )
    st.caption("Seeded: the same text and settings always give the same explanation.")
    return LimeSettings(samples, features)
