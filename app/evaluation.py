"""Evaluate: each checkpoint's stored test metrics and training history; two side by side on demand."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from . import figures, state
from .notices import usable
from .safe import literal

NOBODY = "—"
SCORE = st.column_config.NumberColumn(format="%.3f")


def _per_class(test: dict) -> None:
    table = pd.DataFrame(test.get("per_class") or [])
    if table.empty:
        return
    st.dataframe(
        table,
        hide_index=True,
        column_config={"precision": SCORE, "recall": SCORE, "f1": st.column_config.NumberColumn("F1", format="%.3f"),
                       "support": st.column_config.NumberColumn(format="%d")},
    )


def report(name: str, normalized: bool, key: str) -> None:
    """Everything stored about one checkpoint's quality, from its own metrics.json and config.json."""
    classifier = usable(state.load(name))
    if classifier is None:
        return
    st.subheader(literal(classifier.title), anchor=False)
    test = classifier.metrics.get("test") or {}
    if not test:
        st.info(f"{literal(name)} stores no test metrics.")
    else:
        numbers = st.columns(3)
        numbers[0].metric("Test accuracy", f"{test['accuracy']:.2%}" if "accuracy" in test else "—")
        numbers[1].metric("Macro F1", f"{test['macro_f1']:.3f}" if "macro_f1" in test else "—")
        numbers[2].metric("Test rows", f"{test['rows']:,}" if "rows" in test else "—")
        if test.get("confusion"):
            classes = test.get("classes") or classifier.classes
            title = f"Confusion matrix · {name}" + (" (row-normalized)" if normalized else "")
            st.plotly_chart(figures.confusion(test["confusion"], classes, normalized, title), key=f"{key}_confusion")
        _per_class(test)
    history = classifier.metrics.get("history") or []
    if history:
        best = (classifier.config.get("training") or {}).get("best_epoch")
        st.plotly_chart(figures.training_curves(history, best), key=f"{key}_curves")
    else:
        st.caption(f"{literal(name)} records no per-epoch training history.")


def show(selected: str, names: Sequence[str]) -> None:
    scale_column, other_column = st.columns(2)
    with scale_column:
        scale = st.segmented_control(
            "Confusion matrix", ["counts", "row-normalized"], default="counts", required=True, key="confusion_scale"
        )
    with other_column:
        other = st.selectbox(
            "Side by side with", [NOBODY, *(n for n in names if n != selected)], key="evaluate_other"
        )
    normalized = scale == "row-normalized"
    if other == NOBODY:
        report(selected, normalized, key="left")
        return
    for column, name, key in zip(st.columns(2, border=True), (selected, other), ("left", "right")):
        with column:
            report(name, normalized, key)
