"""The sidebar: which checkpoint the single-model views show, and the LIME settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from rnnclf.explain import DEFAULT_FEATURES, DEFAULT_SAMPLES, MAX_SAMPLES

from .safe import literal

MIN_SAMPLES = 100
MAX_FEATURES = 30


@dataclass(frozen=True)
class LimeSettings:
    samples: int
    features: int


def _option_label(row: dict) -> str:
    if "error" in row:
        return f"{row['checkpoint']} · ⚠ cannot be loaded"
    accuracy = row.get("test_accuracy")
    return f"{row['title']} · {accuracy:.2f} %" if accuracy is not None else str(row["title"])


def checkpoint_picker(rows: Sequence[dict], root: str) -> str | None:
    """A selectbox over every checkpoint, labelled with its title and test accuracy."""
    if not rows:
        st.error(f"No checkpoints found under {literal(root)}.", icon="📭")
        return None
    by_name = {row["checkpoint"]: row for row in rows}
    name = st.selectbox(
        "Checkpoint", list(by_name), format_func=lambda n: _option_label(by_name[n]), key="checkpoint"
    )
    row = by_name[name]
    if "error" in row:
        st.caption(f"{literal(name)}: cannot be loaded (details in each view).")
    else:
        facts = [literal(name)]
        if row.get("parameters"):
            facts.append(f"{row['parameters']:,} parameters")
        if row.get("training_rows"):
            facts.append(f"trained on {row['training_rows']:,} rows")
        st.caption(" · ".join(facts))
    return name


def lime_settings() -> LimeSettings:
    """How hard LIME works: more samples, steadier weights, slower."""
    st.subheader("LIME", divider="gray")
    samples = st.slider(
        "Samples", MIN_SAMPLES, MAX_SAMPLES, DEFAULT_SAMPLES, step=100, key="lime_samples",
        help="Perturbed copies of the text the model scores. More: steadier weights, slower.",
    )
    features = st.slider(
        "Words to explain", 1, MAX_FEATURES, DEFAULT_FEATURES, key="lime_features",
        help="How many words LIME's local model may use (its number of features).",
    )
    st.caption("Seeded: the same text and settings always give the same explanation.")
    return LimeSettings(samples, features)
