"""Summary: every checkpoint's test accuracy, grouped by the dataset it was trained on (next to the tutorial's
figure for AG News, the tutorial's dataset), sortable and downloadable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd
import streamlit as st

from app import figures, state, trust
from app.readable import MISSING
from app.safe import literal
from app.sidebar import Context, context, dataset_of
from rnnclf.checkpoints.registry import SummaryRow
from rnnclf.data.dataset import Dataset
from rnnclf.data.registry import AG_NEWS
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


TUTORIAL_COLUMNS = ("tutorial", "vs tutorial")  # shown for AG News alone: the tutorial's figures are on it


def table(rows: Sequence[SummaryRow], tutorial: bool = True) -> pd.DataFrame:
    """The usable rows as a table, with the gap to the tutorial (in points) computed from the two stored
    figures; without `tutorial` (another dataset than the tutorial's), neither column."""
    usable = [{key: asdict(row)[key] for key in COLUMNS} for row in rows if row.error is None]
    frame = pd.DataFrame(usable, columns=list(COLUMNS)).rename(columns=COLUMNS)
    gap = 100 * (frame["test accuracy"].astype(float) - frame["tutorial"].astype(float))
    frame.insert(4, "vs tutorial", gap.round(2))
    if not tutorial:
        frame = frame.drop(columns=list(TUTORIAL_COLUMNS))
    # Missing figures stay numeric (NaN, shown as MISSING), so every column still sorts as numbers; counts
    # with a gap become nullable integers rather than floats.
    return frame.astype({column: "Int64" for column in ("training rows", "epochs", "parameters")})


def by_dataset(rows: Sequence[SummaryRow]) -> list[tuple[Dataset, list[SummaryRow]]]:
    """The loadable rows, grouped by their dataset: AG News first, then the others by name."""
    groups: dict[str, tuple[Dataset, list[SummaryRow]]] = {}
    for row in rows:
        dataset = dataset_of(row.checkpoint) if row.error is None else None
        if dataset is not None:
            groups.setdefault(dataset.name, (dataset, []))[1].append(row)
    return [groups[name] for name in sorted(groups, key=lambda name: (name != AG_NEWS, name))]


def show(ctx: Context) -> None:
    for row in ctx.rows:
        if row.error:
            title = f"{literal(row.checkpoint)} cannot be used"
            st.error(literal(row.error), icon=":material/block:", title=title)
    groups = by_dataset(ctx.rows)
    if not groups:
        st.info("No usable checkpoint to summarize.")
        return
    for dataset, rows in groups:
        if len(groups) > 1:
            st.subheader(
                literal(f"{dataset.display_title} · {len(dataset.classes)} classes, {dataset.test.rows:,} test texts"),
                anchor=False,
                divider="gray",
            )
        dataset_section(dataset, rows)


def dataset_section(dataset: Dataset, rows: Sequence[SummaryRow]) -> None:
    """One dataset's checkpoints: the table, its download and the accuracy chart; keys carry the dataset's
    name so that several sections can share the page."""
    tutorial = dataset.name == AG_NEWS
    frame = trust.interval_columns(table(rows, tutorial))
    st.dataframe(
        frame,
        key=f"summary_table_{dataset.name}",
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
        file_name="rnnclf-summary.csv" if tutorial else f"rnnclf-summary-{dataset.name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="summary_csv" if tutorial else f"summary_csv_{dataset.name}",
    )
    st.caption("Click a column header to sort. Every figure is read from the checkpoints' own files.")
    tutorial_figures = frame["tutorial"].tolist() if tutorial else [None] * len(frame)
    chart = figures.accuracy_vs_tutorial(
        frame["checkpoint"].tolist(), frame["test accuracy"].tolist(), tutorial_figures
    )
    st.plotly_chart(
        trust.with_error_bars(chart, frame), key="summary_chart" if tutorial else f"summary_chart_{dataset.name}"
    )
    st.caption(
        f"Error bars and the {share(LEVEL)} columns: bootstrap intervals over the test texts "
        f"({count(RESAMPLES)} seeded resamples). "
        "Two checkpoints whose bars overlap may still differ: the Disagreements view tests each pair."
    )
    label_issue_estimate(dataset)


def label_issue_estimate(dataset: Dataset) -> None:
    """Each checkpoint's accuracy with the test rows `rnnclf label-issues` flagged left out, for one
    dataset: an estimate, marked so (`tests/app/test_app_label_issues.py`)."""
    report = state.label_issues(dataset)
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
        key=f"summary_label_issues_{dataset.name}",
    )
    st.caption(
        f"An estimate, not a measurement: cleanlab flagged {count(len(report.test.issues))} of "
        f"{count(report.test.rows)} test rows of {literal(dataset.display_title)} as probably mislabelled, from these "
        "checkpoints' own probabilities, which favours them. See reports/label_issues.md; the Errors view marks those rows."
    )


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
