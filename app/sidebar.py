"""The sidebar: which dataset (when the checkpoints span more than one) and which of its checkpoints the
single-model views show, calibrated or raw probabilities, and the LIME
settings; and the `Context` the entrypoint hands every page (a page script reads it with `context()`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from rnnclf.checkpoints.registry import SummaryRow
from rnnclf.data.dataset import Dataset
from rnnclf.explain.lime import DEFAULT_FEATURES, DEFAULT_SAMPLES, MAX_SAMPLES

from .links import CHECKPOINT, DATASET
from .safe import literal
from .state import load

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


def dataset_of(name: str) -> Dataset | None:
    """The dataset checkpoint `name` was trained on; None when it cannot be loaded."""
    checkpoint = load(name).checkpoint
    return checkpoint.dataset if checkpoint is not None else None


def dataset_picker(rows: Sequence[SummaryRow]) -> list[SummaryRow]:
    """With checkpoints of more than one dataset, a dataset first (the shown checkpoint's, until another is
    picked); the rows of its checkpoints, and those that cannot be loaded (so their error stays in reach)."""
    datasets = {d.name: d for d in map(dataset_of, (row.checkpoint for row in rows)) if d is not None}
    if len(datasets) < 2:
        return list(rows)
    if st.session_state.get(DATASET) not in datasets:
        shown = st.session_state.get(CHECKPOINT)
        current = dataset_of(shown) if shown in {row.checkpoint for row in rows} else None
        st.session_state[DATASET] = current.name if current is not None else next(iter(datasets))
    picked = st.radio(
        "Dataset",
        list(datasets),
        format_func=lambda name: literal(f"{datasets[name].display_title} · {len(datasets[name].classes)} classes"),
        key=DATASET,
        help="The checkpoints below are those trained on this dataset; every view shows its classes and test split.",
    )
    return [row for row in rows if (found := dataset_of(row.checkpoint)) is None or found.name == picked]


def checkpoint_picker(rows: Sequence[SummaryRow], root: str) -> str | None:
    """A dataset first when there are several (`dataset_picker`), then every checkpoint of it by name and
    test accuracy, one line each; the chosen one's full title below it. The chosen one feeds the
    single-model views."""
    if not rows:
        st.error(f"No checkpoints found under {literal(root)}.", icon=":material/folder_off:")
        return None
    by_name = {row.checkpoint: row for row in dataset_picker(rows)}
    if st.session_state.get(CHECKPOINT) not in by_name:  # another dataset was picked: its first checkpoint
        st.session_state[CHECKPOINT] = next(iter(by_name))
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
