"""Summary: every checkpoint's test accuracy next to the tutorial's figure, sortable and downloadable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd
import streamlit as st

from app import figures, state, trust
from app.readable import MISSING
from app.safe import literal
from app.sidebar import Context, context
from rnnclf.checkpoints.registry import SummaryRow
from rnnclf.evaluation.significance import LEVEL, RESAMPLES
from rnnclf.reporting.style import count, share
from rnnclf.scoring import csvsafe

COLUMNS = {  # SummaryRow field -> column shown (and written to the CSV)
    "checkpoint": "checkpoint",
    "title": "title",
    "test_accuracy": "test accuracy",
    "tutorial_accuracy": "tutorial",
    "training_rows": "training rows",
    "epochs": "epochs",
    "parameters": "parameters",
    "training_seconds": "training s",
}
PERCENT = st.column_config.NumberColumn(format="percent")


def table(rows: Sequence[SummaryRow]) -> pd.DataFrame:
    """The usable rows as a table, with the gap to the tutorial (in points) computed from the two stored figures."""
    usable = [{key: asdict(row)[key] for key in COLUMNS} for row in rows if row.error is None]
    frame = pd.DataFrame(usable, columns=list(COLUMNS)).rename(columns=COLUMNS)
    gap = 100 * (frame["test accuracy"].astype(float) - frame["tutorial"].astype(float))
    frame.insert(4, "vs tutorial", gap.round(2))
    # Missing figures stay numeric (NaN, shown as MISSING), so every column still sorts as numbers; counts
    # with a gap become nullable integers rather than floats.
    return frame.astype({column: "Int64" for column in ("training rows", "epochs", "parameters")})


def show(ctx: Context) -> None:
    for row in ctx.rows:
        if row.error:
            title = f"{literal(row.checkpoint)} cannot be used"
            st.error(literal(row.error), icon=":material/block:", title=title)
    frame = table(ctx.rows)
    if frame.empty:
        st.info("No usable checkpoint to summarize.")
        return
    frame = trust.interval_columns(frame)
    st.dataframe(
        frame,
        hide_index=True,
        placeholder=MISSING,
        column_config={
            "test accuracy": PERCENT,
            "tutorial": st.column_config.NumberColumn(format="percent", help="the tutorial's reported test accuracy"),
            "vs tutorial": st.column_config.NumberColumn(
                format="%+.2f", help="test accuracy minus the tutorial's, in points"
            ),
            "training rows": st.column_config.NumberColumn(format="localized"),
            "parameters": st.column_config.NumberColumn(format="localized"),
            "training s": st.column_config.NumberColumn(format="%.0f", help="wall-clock seconds of training"),
            **trust.INTERVAL_COLUMNS,
        },
    )
    st.download_button(
        "Download CSV",
        csvsafe.to_csv(frame),
        file_name="rnnclf-summary.csv",
        mime="text/csv",
        icon=":material/download:",
        key="summary_csv",
    )
    st.caption("Click a column header to sort. Every figure is read from the checkpoints' own files.")
    chart = figures.accuracy_vs_tutorial(
        frame["checkpoint"].tolist(), frame["test accuracy"].tolist(), frame["tutorial"].tolist()
    )
    st.plotly_chart(trust.with_error_bars(chart, frame), key="summary_chart")
    st.caption(
        f"Error bars and the {share(LEVEL)} columns: bootstrap intervals over the test texts "
        f"({count(RESAMPLES)} seeded resamples). "
        "Two checkpoints whose bars overlap may still differ: the Disagreements view tests each pair."
    )
    label_issue_estimate(ctx)


def label_issue_estimate(ctx: Context) -> None:
    """Each checkpoint's accuracy with the test rows `rnnclf label-issues` flagged left out, for the chosen
    checkpoint's dataset: an estimate, marked so (`tests/app/test_app_label_issues.py`)."""
    loaded = state.load(ctx.selected)
    report = state.label_issues(loaded.checkpoint.dataset) if loaded.checkpoint is not None else None
    if report is None or not report.accuracy:
        return
    st.subheader("Estimate: accuracy without the rows whose label may be wrong")
    frame = pd.DataFrame(
        [(a.checkpoint, a.accuracy, a.accuracy_without_flagged, a.rows_kept) for a in report.accuracy],
        columns=["checkpoint", "test accuracy", "without flagged rows (estimate)", "rows kept"],
    )
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "test accuracy": PERCENT,
            "without flagged rows (estimate)": PERCENT,
            "rows kept": st.column_config.NumberColumn(format="localized"),
        },
        key="summary_label_issues",
    )
    st.caption(
        f"An estimate, not a measurement: cleanlab flagged {count(len(report.test.issues))} of "
        f"{count(report.test.rows)} test rows of {literal(loaded.checkpoint.dataset.display_title)} as probably mislabelled, from these "
        "checkpoints' own probabilities, which favours them. See reports/label_issues.md; the Errors view marks those rows."
    )


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
