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
PER_CLASS_COLUMNS = {
    "precision": SCORE,
    "recall": SCORE,
    "f1": st.column_config.NumberColumn("F1", format="%.3f"),
    "support": st.column_config.NumberColumn(format="%d"),
}


def _scores(test: dict) -> None:
    numbers = st.columns(3)
    numbers[0].metric("Test accuracy", f"{test['accuracy']:.2%}" if "accuracy" in test else "—")
    numbers[1].metric("Macro F1", f"{test['macro_f1']:.3f}" if "macro_f1" in test else "—")
    numbers[2].metric("Test rows", f"{test['rows']:,}" if "rows" in test else "—")


def report(name: str, normalized: bool, key: str, wide: bool) -> None:
    """Everything stored about one checkpoint's quality, from its own metrics.json and config.json.

    `wide`: the whole page is ours, so the matrix and the per-class table sit side by side.
    """
    classifier = usable(state.load(name))
    if classifier is None:
        return
    st.subheader(literal(classifier.title), anchor=False)
    test = classifier.metrics.get("test") or {}
    if test:
        _scores(test)
        matrix_area, table_area = st.columns([3, 2], vertical_alignment="center") if wide else (st, st)
        if test.get("confusion"):
            classes = test.get("classes") or classifier.classes
            title = f"Confusion matrix · {name}" + (" (row-normalized)" if normalized else "")
            figure = figures.confusion(test["confusion"], classes, normalized, title)
            matrix_area.plotly_chart(figure, key=f"{key}_confusion")
        if test.get("per_class"):
            table_area.dataframe(pd.DataFrame(test["per_class"]), hide_index=True, column_config=PER_CLASS_COLUMNS)
    else:
        st.info(f"{literal(name)} stores no test metrics.")
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
        other = st.selectbox("Side by side with", [NOBODY, *(n for n in names if n != selected)], key="evaluate_other")
    normalized = scale == "row-normalized"
    if other == NOBODY:
        report(selected, normalized, key="left", wide=True)
        return
    for column, name, key in zip(st.columns(2, border=True), (selected, other), ("left", "right")):
        with column:
            report(name, normalized, key, wide=False)
