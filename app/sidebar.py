"""The sidebar: which checkpoint the single-model views show, calibrated or raw probabilities, and the LIME
settings; and the `Context` the entrypoint hands every page (a page script reads it with `context()`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from rnnclf.checkpoints.registry import SummaryRow
from rnnclf.data.dataset import Dataset
from rnnclf.explain.lime import DEFAULT_FEATURES, DEFAULT_SAMPLES, MAX_SAMPLES

from .links import CHECKPOINT
from .safe import literal

MIN_SAMPLES = 100
MAX_FEATURES = 30
CONTEXT_KEY = "context"
CALIBRATED = "calibrated"  # the toggle's key: show temperature-scaled probabilities


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
    calibrated: bool  # show temperature-scaled probabilities (each view passes it to app.state)


def context() -> Context:
    """The context of this run, set by the entrypoint before the page runs."""
    return st.session_state[CONTEXT_KEY]


def _label(row: SummaryRow) -> str:
    """One short line per checkpoint: its name and test accuracy."""
    if row.error:
        return f"{row.checkpoint} · cannot be loaded"
    return f"{row.checkpoint} · {row.test_accuracy:.1%}" if row.test_accuracy is not None else row.checkpoint


def datasets_line(datasets: Sequence[Dataset]) -> str:
    """What the checkpoints classify, each dataset by its title and class names (Markdown-escaped)."""
    described = "; ".join(f"{d.display_title}: {', '.join(d.classes)}" for d in datasets)
    return literal(f"Recurrent classifiers for {described}.")


def checkpoint_picker(rows: Sequence[SummaryRow], root: str) -> str | None:
    """Every checkpoint by name and test accuracy, one line each; the chosen one's full title below it.
    The chosen one feeds the single-model views."""
    if not rows:
        st.error(f"No checkpoints found under {literal(root)}.", icon=":material/folder_off:")
        return None
    by_name = {row.checkpoint: row for row in rows}
    selected = st.radio(
        "Checkpoint",
        list(by_name),
        format_func=lambda name: literal(_label(by_name[name])),
        key=CHECKPOINT,
        help="Test accuracy on the test split of the checkpoint's dataset. The chosen checkpoint's full title "
        "is shown below.",
    )
    row = by_name.get(selected)
    if row is not None:
        st.caption(
            literal(row.title or row.checkpoint) if row.error is None else ":red[cannot be loaded: see the page]"
        )
    return selected


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
