"""Error explorer: a checkpoint's confusion matrix on the test split, and the examples behind any cell.

Pick a cell by clicking it or with the two class boxes; its examples are listed most confident first,
one page at a time, each with a button that loads it into the Probe tab.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from functools import partial

import numpy as np
import streamlit as st

from app import examples, figures, state
from app.links import PREDICTED as PREDICTED_KEY
from app.links import TRUE as TRUE_KEY
from app.notices import usable
from app.readable import NOTE, readable
from app.safe import literal
from app.sidebar import Context, context
from rnnclf import Checkpoint
from rnnclf.data.dataset import DataError, Dataset, Split
from rnnclf.evaluation.metrics import cell_examples, metrics_from_predictions
from rnnclf.inspection.label_issues import LabelIssue
from rnnclf.inspection.verdicts import VERDICTS, read_verdicts, record_verdict

CHART_KEY = "errors_matrix"
FILTER_KEY = "errors_label_filter"
PAGE_SIZE = 8
# What to do with the rows `rnnclf label-issues` flagged; the first is the default.
LABEL_FILTERS = ("Mark them", "Only them", "Hide them")


def label_filter(rows: np.ndarray, flagged: Collection[int], choice: str) -> np.ndarray:
    """`rows` (in their order) kept by `choice`, one of LABEL_FILTERS (`tests/app/test_app_label_issues.py`)."""
    if choice == LABEL_FILTERS[0]:
        return rows
    keep = np.isin(rows, np.fromiter(flagged, dtype=np.int64, count=len(flagged)))
    return rows[keep] if choice == LABEL_FILTERS[1] else rows[~keep]


def _confusion(labels: np.ndarray, probabilities: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Counts of (true, predicted) from the same predictions the cells list, so a cell's count is its list's length."""
    return np.array(metrics_from_predictions(labels, probabilities.argmax(1), tuple(classes)).confusion)


def _pick_clicked_cell(classes: Sequence[str]) -> None:
    """Chart callback: a click selects a cell's point (number true * n + predicted); the class boxes
    follow it. Clicking the selected point again unselects it, which changes nothing."""
    points = st.session_state[CHART_KEY].selection.points
    if points:
        true, predicted = divmod(int(points[0]["point_index"]), len(classes))
        st.session_state[TRUE_KEY], st.session_state[PREDICTED_KEY] = classes[true], classes[predicted]


def _cell_picker(matrix: np.ndarray, classes: Sequence[str], name: str) -> tuple[int, int]:
    """The clickable matrix and the class boxes; returns the chosen (true, predicted) indices.

    The first time (or when the cell picked is of another dataset's classes), the busiest off-diagonal
    cell: the model's most common mistake.
    """
    if not {st.session_state.get(TRUE_KEY), st.session_state.get(PREDICTED_KEY)} <= set(classes):
        mistakes = np.where(np.eye(len(classes), dtype=bool), -1, matrix)
        true, predicted = np.unravel_index(int(np.argmax(mistakes)), mistakes.shape)
        st.session_state[TRUE_KEY], st.session_state[PREDICTED_KEY] = classes[true], classes[predicted]
    chart_area, boxes = st.columns([3, 1], vertical_alignment="center")
    with boxes:
        true = classes.index(st.selectbox("True class", classes, key=TRUE_KEY, persist_state="session"))
        predicted = classes.index(st.selectbox("Predicted class", classes, key=PREDICTED_KEY, persist_state="session"))
        st.caption("Or click a cell of the matrix.")
    with chart_area:
        figure = figures.confusion_picker(matrix, classes, (true, predicted), f"Test-split confusion · {name}")
        st.plotly_chart(
            figure,
            key=CHART_KEY,
            on_select=partial(_pick_clicked_cell, classes),
            selection_mode="points",
            config={"displayModeBar": False},
        )
    return true, predicted


def _verdicts(dataset: Dataset) -> dict[tuple[str, int], str]:
    """The reviewers' verdicts so far; a damaged file is named once and read as none."""
    try:
        return read_verdicts(dataset)
    except DataError as error:
        st.warning(literal(error), icon=":material/warning:")
        return {}


def _record(dataset: Dataset, row: int) -> None:
    """Verdict callback: write the chosen verdict (a cleared choice records nothing)."""
    chosen = st.session_state.get(f"errors_verdict_{row}")
    if chosen:
        try:
            record_verdict(dataset, "test", row, chosen)
        except (DataError, OSError) as error:
            st.toast(f"The verdict was not saved: {literal(error)}", icon=":material/error:")


def _examples(
    checkpoint: Checkpoint,
    split: Split,
    rows: np.ndarray,
    probabilities: np.ndarray,
    true: int,
    predicted: int,
    flagged: Mapping[int, LabelIssue],
) -> None:
    """One page of a cell's examples (rows of `split`, the checkpoint's dataset's test split): each text as
    plain text, the two probabilities, a load button."""
    classes = checkpoint.classes
    verdicts = _verdicts(checkpoint.dataset) if flagged else {}
    page = st.pagination(math.ceil(len(rows) / PAGE_SIZE), key=f"errors_page_{true}_{predicted}")
    first = (page - 1) * PAGE_SIZE
    for rank, row in enumerate(rows[first : first + PAGE_SIZE], start=first + 1):
        with st.container(border=True):
            text_area, facts, action = st.columns([6, 1.5, 1.7], vertical_alignment="center")
            text_area.text(readable(split.texts[row]), help=NOTE)
            shown = dict.fromkeys((predicted, true))  # one line on the diagonal
            facts.markdown("  \n".join(f"P({literal(classes[c])}) **{probabilities[row, c]:.1%}**" for c in shown))
            facts.caption(f"#{rank:,} · test row {row:,}")
            if int(row) in flagged:
                issue = flagged[int(row)]
                text_area.markdown(
                    f":orange-badge[:material/flag: label may be wrong: suggested {literal(issue.suggested)}]",
                    help=f"Label quality {issue.quality:.3f} (cleanlab; see reports/label_issues.md)",
                )
                text_area.segmented_control(
                    f"Your verdict on the label {literal(classes[true])}",
                    VERDICTS,
                    default=verdicts.get(("test", int(row))),
                    key=f"errors_verdict_{row}",
                    on_change=_record,
                    args=(checkpoint.dataset, int(row)),
                    help="Saved to label_verdicts.json beside the dataset (never into the dataset itself); "
                    "the label-issues report reads it.",
                )
            examples.probe_button(action, row, checkpoint.dataset, key=f"errors_load_{row}")


def show(ctx: Context) -> None:
    name = ctx.selected
    loaded = state.load(name)
    checkpoint = usable(loaded)
    split = examples.split(checkpoint.dataset) if checkpoint is not None else None
    if split is None:
        return
    classifier = checkpoint.classifier
    probabilities = examples.predictions(loaded, ctx.calibrated)
    if probabilities is None:
        return
    classes = list(classifier.classes)
    true, predicted = _cell_picker(_confusion(split.labels, probabilities, classes), classes, name)
    rows = cell_examples(split.labels, probabilities, true, predicted)
    report = state.label_issues(checkpoint.dataset)
    flagged = {issue.row: issue for issue in report.test.issues} if report is not None else {}
    if flagged:
        choice = st.segmented_control(
            f"Test rows whose label may be wrong ({len(flagged):,} flagged by cleanlab)",
            LABEL_FILTERS,
            default=LABEL_FILTERS[0],
            key=FILTER_KEY,
        )
        rows = label_filter(rows, flagged, choice or LABEL_FILTERS[0])
    verdict = "correctly" if true == predicted else f"as **{literal(classes[predicted])}**"
    cell = f"of **{literal(classes[true])}** predicted {verdict} by {literal(name)}"
    if not len(rows):
        st.info(f"No test example {cell}.", icon=":material/check_circle:")
        return
    st.markdown(f"**{len(rows):,}** test examples {cell}, the most confident first:")
    _examples(checkpoint, split, rows, probabilities, true, predicted, flagged)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
