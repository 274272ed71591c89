"""Disagreements: the test examples on which the chosen checkpoints predict different classes, and how
often each pair agrees over the whole test split."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from app import examples, figures, links, state, trust
from app.notices import usable
from app.readable import NOTE, readable
from app.safe import literal
from app.sidebar import Context, context
from rnnclf.data.dataset import Dataset
from rnnclf.evaluation.metrics import agreement_matrix, disagreeing_rows

ANY_CLASS = "any class"
CLASS_KEY = "disagree_class"  # the "True class" picker's key


def _probability(name: str) -> st.column_config.ProgressColumn:
    return st.column_config.ProgressColumn(
        format="percent", min_value=0, max_value=1, width="small", help=f"{literal(name)}'s probability of its label"
    )


def _predictions(names: Sequence[str], calibrated: bool) -> dict[str, np.ndarray]:
    """Test-split probabilities of each named checkpoint that has them (the others show why not)."""
    result = {}
    for name in names:
        probabilities = examples.predictions(state.load(name), calibrated)
        if probabilities is not None:
            result[name] = probabilities
    return result


def _table(
    texts: Sequence[str],
    labels: np.ndarray,
    classes: Sequence[str],
    rows: np.ndarray,
    probabilities: dict[str, np.ndarray],
) -> pd.DataFrame:
    """One line per row: the text, its true class, how many got it right, each checkpoint's class and probability."""
    columns = {"text": [readable(texts[i]) for i in rows], "true": [classes[i] for i in labels[rows]]}
    predicted = {name: p[rows].argmax(1) for name, p in probabilities.items()}
    columns["right"] = sum((p == labels[rows]).astype(int) for p in predicted.values())
    for name, p in probabilities.items():
        columns[f"{name} label"] = [classes[i] for i in predicted[name]]
        columns[f"{name} P"] = p[rows, predicted[name]]
    return pd.DataFrame(columns)


def _load_selected(rows: np.ndarray, key: str, dataset: Dataset) -> None:
    """A button that loads the table's selected row into Compare, where every checkpoint reads it."""
    selected = [i for i in st.session_state[key].selection.rows if i < len(rows)]
    if not selected:
        st.caption("Select a row (the box at its left) to load it into Compare.")
        return
    row = int(rows[selected[0]])
    st.button(
        f"Load test row {row:,} into Compare",
        key="disagree_load",
        icon=":material/compare_arrows:",
        on_click=examples.open_in,
        args=(row, "compare", dataset),
    )


def show(ctx: Context) -> None:
    dataset = examples.dataset_of(ctx.selected, ctx.names)
    split = examples.split(dataset)
    if split is None:
        return
    usable_ones = [loaded for loaded in map(state.load, ctx.names) if usable(loaded) is not None]
    working = [loaded.name for loaded in examples.same_dataset(usable_ones, dataset)]
    previous = st.session_state.get(links.DISAGREEING, working)  # a link may have set it already
    st.session_state[links.DISAGREEING] = [name for name in previous if name in working]
    chosen = st.multiselect("Checkpoints", working, key=links.DISAGREEING, persist_state="session")
    probabilities = _predictions(chosen, ctx.calibrated)
    if len(probabilities) < 2:
        st.info("Pick at least two checkpoints to see where they disagree.", icon=":material/checklist:")
        return
    predicted = np.stack([p.argmax(1) for p in probabilities.values()])
    rows = disagreeing_rows(predicted)
    chart, facts = st.columns([3, 2], vertical_alignment="center")
    chart.plotly_chart(figures.agreement(list(probabilities), agreement_matrix(predicted)), key="disagree_agreement")
    with facts:
        st.metric(
            "Test examples they disagree on",
            f"{len(rows):,}",
            f"{len(rows) / len(split):.1%} of {len(split):,}",
            delta_color="off",
            delta_arrow="off",
        )
        options = [ANY_CLASS, *dataset.classes]
        if st.session_state.get(CLASS_KEY, ANY_CLASS) not in options:  # picked for another dataset
            st.session_state[CLASS_KEY] = ANY_CLASS
        wanted = st.selectbox("True class", options, key=CLASS_KEY, persist_state="session")
    trust.significance_section(list(probabilities), split.labels, predicted)
    if wanted != ANY_CLASS:
        rows = rows[split.labels[rows] == dataset.classes.index(wanted)]
    if not len(rows):
        st.info("They agree on every test example of this class.", icon=":material/check_circle:")
        return
    st.dataframe(
        _table(split.texts, split.labels, dataset.classes, rows, probabilities),
        hide_index=True,
        key="disagree_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "text": st.column_config.TextColumn(width="large", help=NOTE),
            "right": st.column_config.NumberColumn(help=f"How many of the {len(probabilities)} got the true class"),
            **{f"{name} P": _probability(name) for name in probabilities},
        },
    )
    _load_selected(rows, "disagree_table", dataset)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
