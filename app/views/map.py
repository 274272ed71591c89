"""Map: the chosen checkpoint's test split in 2-D, from its own representation (UMAP where `rnnclf map`
stored one, PCA otherwise), coloured by true or predicted class, correctness, confidence or label issue.
A box or lasso selection lists the selected texts, each loadable into Probe; a pasted text is placed on
the map by `rnnclf.inspection.projection.place`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import examples, state
from app.notices import usable
from app.readable import NOTE, readable
from app.safe import literal
from app.sidebar import Context, context
from rnnclf.data.dataset import Split
from rnnclf.inspection.label_issues import LabelIssue
from rnnclf.inspection.projection import METHODS, place
from rnnclf.reporting.style import BLUE, MUTED, ORANGE, class_colours

CHART_KEY = "map_chart"
SELECTED_KEY = "map_selected"  # (dataset name, selected test rows): what the list below the map shows
METHOD_TITLES = {"umap": "UMAP", "pca": "PCA"}  # by rnnclf.inspection.projection.METHODS
COLOURINGS = ("true class", "predicted class", "correct or wrong", "confidence", "scope score", "label issue")
SCALES = ("confidence", "scope score")  # the continuous colourings
HOVER_CHARS = 120
LISTED = 50  # selected texts listed at most
PLACED = "your text"


def selected_rows(event: Mapping[str, Any] | None) -> list[int]:
    """The test rows of a plotly selection event (Streamlit's `selection.points`, each carrying its row as
    customdata), each once, in row order; the placed text and anything else without a row are left out
    (`tests/app/test_app_map.py`)."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    rows = set()
    for point in points:
        data = point.get("customdata")
        data = data[0] if isinstance(data, (list, tuple)) and data else data
        if isinstance(data, (int, float)) and data >= 0:
            rows.add(int(data))
    return sorted(rows)


def _keep_selection(dataset: str) -> None:
    """Chart callback: the selection's rows become the listed ones."""
    st.session_state[SELECTED_KEY] = (dataset, selected_rows(st.session_state.get(CHART_KEY)))


def _groups(
    colouring: str, split: Split, probabilities: np.ndarray, classes: Sequence[str], flagged: Mapping[int, LabelIssue]
) -> list[tuple[str, np.ndarray]]:
    """The categories of a categorical colouring, each with its rows."""
    predicted = probabilities.argmax(axis=1)
    if colouring == "true class":
        return [(name, np.flatnonzero(split.labels == i)) for i, name in enumerate(classes)]
    if colouring == "predicted class":
        return [(name, np.flatnonzero(predicted == i)) for i, name in enumerate(classes)]
    if colouring == "correct or wrong":
        right = predicted == split.labels
        return [("correct", np.flatnonzero(right)), ("wrong", np.flatnonzero(~right))]
    mask = np.isin(np.arange(len(split)), list(flagged))
    return [("label looks right", np.flatnonzero(~mask)), ("label may be wrong", np.flatnonzero(mask))]


def _hover(
    texts: Sequence[str], split: Split, probabilities: np.ndarray, classes: Sequence[str], rows: np.ndarray
) -> list[str]:
    """Hover texts: `texts` (`state.hover_texts`, escaped) after the row's classes, escaped too."""
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    names = [escape(name) for name in classes]
    return [
        f"row {row:,} · true {names[split.labels[row]]} · predicted {names[predicted[row]]} "
        f"({confidence[row]:.0%})<br>{texts[row]}"
        for row in rows
    ]


def figure(
    coordinates: np.ndarray,
    texts: Sequence[str],
    split: Split,
    probabilities: np.ndarray,
    classes: Sequence[str],
    colouring: str,
    flagged: Mapping[int, LabelIssue],
    placed: np.ndarray | None = None,
    scope_scores: np.ndarray | None = None,
) -> go.Figure:
    """The map: WebGL points (thousands draw in well under a second), each carrying its row; `scope_scores`
    (each test text's out-of-scope score) colours the points when `colouring` is "scope score"."""
    traces = []

    def points(rows: np.ndarray, name: str, marker: dict) -> go.Scattergl:
        return go.Scattergl(
            x=coordinates[rows, 0],
            y=coordinates[rows, 1],
            mode="markers",
            name=escape(name),
            customdata=rows.tolist(),  # plain numbers: the selection event hands them back as they are
            hovertext=_hover(texts, split, probabilities, classes, rows),
            hoverinfo="text",
            marker=marker,
        )

    if colouring in SCALES:
        rows = np.arange(len(split))
        values = probabilities.max(axis=1) if colouring == "confidence" else scope_scores
        marker = dict(size=4, color=values, colorscale="Viridis", colorbar=dict(title=colouring))
        traces.append(points(rows, colouring, marker))
    else:
        for i, (name, rows) in enumerate(_groups(colouring, split, probabilities, classes, flagged)):
            wrong = name in ("wrong", "label may be wrong")
            marker = dict(size=6 if wrong else 4, opacity=0.9 if wrong else 0.6)
            if colouring in ("correct or wrong", "label issue"):
                marker["color"] = ORANGE.rgb if wrong else MUTED.rgb
            else:  # classes: a qualitative palette, so neighbouring classes never share a hue
                marker["color"] = class_colours(len(classes))[i]
            traces.append(points(rows, name, marker))
    if placed is not None:
        traces.append(
            go.Scattergl(
                x=placed[:, 0],
                y=placed[:, 1],
                mode="markers",
                name=PLACED,
                customdata=[-1] * len(placed),
                hovertext=[PLACED],
                hoverinfo="text",
                marker=dict(size=18, symbol="star", color=BLUE.rgb, line=dict(width=1, color="black")),
            )
        )
    layout = dict(height=620, margin=dict(l=10, r=10, t=10, b=10), dragmode="lasso", legend=dict(itemsizing="constant"))
    fig = go.Figure(traces, layout=layout)
    fig.update_xaxes(showticklabels=False, title=None)
    fig.update_yaxes(showticklabels=False, title=None)
    return fig


def _listing(checkpoint, split: Split, probabilities: np.ndarray, rows: Sequence[int], flagged) -> None:
    """The selected test rows, as plain text, each with a button that loads it into Probe."""
    classes = checkpoint.classes
    shown = list(rows)[:LISTED]
    more = f" (the first {LISTED} listed)" if len(rows) > LISTED else ""
    st.markdown(f"**{len(rows):,}** test texts selected{more}:")
    for row in shown:
        with st.container(border=True):
            text_area, facts, action = st.columns([6, 1.8, 1.5], vertical_alignment="center")
            text_area.text(readable(split.texts[row]), help=NOTE)
            predicted = int(probabilities[row].argmax())
            facts.markdown(
                f"true **{literal(classes[split.labels[row]])}**  \n"
                f"predicted **{literal(classes[predicted])}** ({probabilities[row, predicted]:.0%})"
            )
            if row in flagged:
                facts.markdown(f":orange-badge[label may be wrong: suggested {literal(flagged[row].suggested)}]")
            facts.caption(f"test row {row:,}")
            examples.probe_button(action, row, checkpoint.dataset, key=f"map_load_{row}")


def show(ctx: Context) -> None:
    loaded = state.load(ctx.selected)
    checkpoint = usable(loaded)
    split = examples.split(checkpoint.dataset) if checkpoint is not None else None
    if split is None:
        return
    probabilities = examples.predictions(loaded, ctx.calibrated)
    if probabilities is None:
        return
    stored = {method: state.test_map(loaded, method) for method in METHODS}
    offered = [method for method in METHODS if stored[method] is not None]
    if not offered:
        st.info(f"{literal(ctx.selected)} gives no representation of its texts, so it has no map.")
        return
    left, middle = st.columns(2)
    default = "umap" if "umap" in offered else offered[0]
    method = (
        left.segmented_control("Projection", offered, default=default, format_func=METHOD_TITLES.get, key="map_method")
        or default
    )
    colouring = middle.selectbox("Colour by", COLOURINGS, key="map_colouring")
    report = state.label_issues(checkpoint.dataset)
    flagged = {issue.row: issue for issue in report.test.issues} if report is not None else {}
    if colouring == "label issue" and report is None:
        st.caption("No label-issue report of this test split: `python -m rnnclf label-issues` writes it.")
    scope_scores = None
    if colouring == "scope score":
        scope_scores = state.test_scope_scores(loaded)
        if scope_scores is None:
            st.caption(f"{literal(ctx.selected)} stores no scope: `python -m rnnclf scope` fits one.")
            colouring = "confidence"
        else:
            threshold = state.scope(loaded).record.threshold
            outside = int((scope_scores > threshold).sum())
            st.caption(
                f"Higher: less like the checkpoint's training texts. {outside:,} of the {len(split):,} test texts "
                f"score above its threshold ({threshold:.3f}) and would be flagged as outside its scope."
            )
    pasted = st.text_input("Place a text on the map", key="map_text", placeholder="Paste a news text")
    placed = None
    if pasted.strip():
        with st.spinner("Placing the text…"):
            new = checkpoint.classifier.representation([pasted]).features
            placed = place(state.test_features(loaded), stored[method], new)
    st.plotly_chart(
        figure(
            stored[method],
            state.hover_texts(checkpoint.dataset, HOVER_CHARS),
            split,
            probabilities,
            checkpoint.classes,
            colouring,
            flagged,
            placed,
            scope_scores,
        ),
        key=CHART_KEY,
        on_select=lambda: _keep_selection(checkpoint.dataset.name),
        selection_mode=("box", "lasso"),
        config={"displaylogo": False},
    )
    missing = (
        ""
        if "umap" in offered
        else f" No UMAP map is stored for it: python -m rnnclf map --checkpoint {ctx.selected} computes one."
    )
    st.caption(
        f"{METHOD_TITLES[method]} of {literal(ctx.selected)}'s representation of the {len(split):,} test texts "
        f"(seeded: the same checkpoint always gives the same picture). Drag a box or lasso to list texts; "
        f"a pasted text lands among its nearest test texts.{literal(missing) if missing else ''}"
    )
    dataset, rows = st.session_state.get(SELECTED_KEY, (None, []))
    if dataset == checkpoint.dataset.name and rows:
        _listing(checkpoint, split, probabilities, [r for r in rows if r < len(split)], flagged)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
