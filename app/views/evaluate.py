"""Evaluate: each checkpoint's stored test metrics and training history; two side by side on demand."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from app import figures, links, state, trust
from app import scope as scope_view
from app.links import NOBODY
from app.notices import usable
from app.safe import literal
from app.sidebar import Context, context
from rnnclf.checkpoints.records import TestMetrics

SCORE = st.column_config.NumberColumn(format="%.3f")
PER_CLASS_COLUMNS = {
    "precision": SCORE,
    "recall": SCORE,
    "f1": st.column_config.NumberColumn("F1", format="%.3f"),
    "support": st.column_config.NumberColumn(format="%d"),
}


def _scores(test: TestMetrics) -> None:
    numbers = st.columns(3)
    numbers[0].metric("Test accuracy", f"{test.accuracy:.2%}")
    numbers[1].metric("Macro F1", f"{test.macro_f1:.3f}")
    numbers[2].metric("Test rows", f"{test.rows:,}")


def report(name: str, normalized: bool, key: str, wide: bool) -> None:
    """Everything stored about one checkpoint's quality, from its own metrics.json and config.json.

    `wide`: the whole page is ours, so the matrix and the per-class table sit side by side.
    """
    checkpoint = usable(state.load(name))
    if checkpoint is None:
        return
    st.subheader(literal(checkpoint.title), anchor=False)
    test = checkpoint.metrics.test
    if test is not None:
        _scores(test)
        matrix_area, table_area = st.columns([3, 2], vertical_alignment="center") if wide else (st, st)
        title = f"Confusion matrix · {name}" + (" (row-normalized)" if normalized else "")
        figure = figures.confusion(test.confusion, test.classes, normalized, title)
        matrix_area.plotly_chart(figure, key=f"{key}_confusion")
        per_class = pd.DataFrame([asdict(c) for c in test.per_class]).rename(columns={"name": "class"})
        table_area.dataframe(per_class, hide_index=True, column_config=PER_CLASS_COLUMNS)
    else:
        st.info(f"{literal(name)} stores no test metrics.")
    history = checkpoint.metrics.history
    if history:
        st.plotly_chart(figures.training_curves(history, checkpoint.config.training.best_epoch), key=f"{key}_curves")
    else:
        st.caption(f"{literal(name)} records no per-epoch training history.")
    scope_view.distributions(name, checkpoint.dataset.name, key)


def show(ctx: Context) -> None:
    selected = ctx.selected
    scale_column, other_column = st.columns(2)
    with scale_column:
        scale = st.segmented_control(
            "Confusion matrix", ["counts", "row-normalized"], default="counts", required=True, key="confusion_scale"
        )
    with other_column:
        others = [NOBODY, *(n for n in ctx.names if n != selected)]
        if st.session_state.get(links.OTHER) not in others:  # a link may name the selected one, or a stale one
            st.session_state[links.OTHER] = NOBODY
        other = st.selectbox("Side by side with", others, key=links.OTHER)
    normalized = scale == "row-normalized"
    if other == NOBODY:
        report(selected, normalized, key="left", wide=True)
    else:
        for column, name, key in zip(st.columns(2, border=True), (selected, other), ("left", "right")):
            with column:
                report(name, normalized, key, wide=False)
    trust.calibration_section(ctx.names, selected, ctx.calibrated)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
