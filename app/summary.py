"""Summary: every checkpoint's test accuracy next to the tutorial's figure, sortable and downloadable."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from . import figures
from .safe import literal

COLUMNS = {  # summary_rows key -> column shown (and written to the CSV)
    "checkpoint": "checkpoint",
    "title": "title",
    "test_accuracy": "test accuracy %",
    "tutorial_accuracy": "tutorial %",
    "training_rows": "training rows",
    "epochs": "epochs",
    "parameters": "parameters",
    "training_seconds": "training s",
}


def table(rows: Sequence[dict]) -> pd.DataFrame:
    """The usable rows as a table, with the gap to the tutorial computed from the two stored figures."""
    frame = pd.DataFrame([r for r in rows if "error" not in r], columns=list(COLUMNS)).rename(columns=COLUMNS)
    gap = frame["test accuracy %"].astype(float) - frame["tutorial %"].astype(float)
    frame.insert(4, "vs tutorial", gap.round(2))
    return frame


def show(rows: Sequence[dict]) -> None:
    for row in rows:
        if "error" in row:
            title = f"{literal(row['checkpoint'])} cannot be used"
            st.error(literal(row["error"]), icon=":material/block:", title=title)
    frame = table(rows)
    if frame.empty:
        st.info("No usable checkpoint to summarize.")
        return
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "test accuracy %": st.column_config.NumberColumn(format="%.2f"),
            "tutorial %": st.column_config.NumberColumn(format="%.2f"),
            "vs tutorial": st.column_config.NumberColumn(format="%+.2f", help="test accuracy minus the tutorial's"),
            "training rows": st.column_config.NumberColumn(format="localized"),
            "parameters": st.column_config.NumberColumn(format="localized"),
            "training s": st.column_config.NumberColumn(format="%.0f", help="wall-clock seconds of training"),
        },
    )
    st.download_button(
        "Download CSV",
        frame.to_csv(index=False),
        file_name="rnnclf-summary.csv",
        mime="text/csv",
        icon=":material/download:",
        key="summary_csv",
    )
    st.caption("Click a column header to sort. Every figure is read from the checkpoints' own files.")
    st.plotly_chart(
        figures.accuracy_vs_tutorial(
            frame["checkpoint"].tolist(), frame["test accuracy %"].tolist(), frame["tutorial %"].tolist()
        ),
        key="summary_chart",
    )
