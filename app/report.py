"""The session's report: "Add to report" buttons that pin what a view shows, and the sidebar's
"Download report" (one self-contained HTML file, built by rnnclf.report). Views only call `add_button`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from rnnclf.checkpoints.registry import SummaryRow
from rnnclf.explain.methods import Attribution
from rnnclf.reporting.html import Pin, PinnedWords, build, prediction

from . import examples, state
from .state import Loaded

PINS = "report_pins"  # this session's pins, in the order they were added


def pin(
    view: str,
    text: str,
    names: Sequence[str],
    calibrated: bool,
    explanations: Sequence[tuple[Loaded, Attribution]] = (),
    detail: str = "",
) -> Pin:
    """`text` with each named checkpoint's probabilities as the view shows them (those that load;
    temperature-scaled when `calibrated`), any LIME top words (the report labels its words as LIME's, so
    other methods are not pinned), and `detail` (what the view was showing about it)."""
    loaded = [item for item in map(state.load, names) if item.checkpoint is not None]
    predictions = tuple(
        prediction(item.name, item.checkpoint.classifier.classes, state.probabilities(item, text, calibrated))
        for item in loaded
    )
    words = tuple(
        PinnedWords(item.name, item.checkpoint.classifier.classes[e.label], e.strongest(len(e.features)))
        for item, e in explanations
        if e.method == "lime"
    )
    note = "calibrated probabilities (temperature scaling)" if calibrated else "raw probabilities"
    return Pin(view, text, predictions, words, f"{detail} · {note}" if detail else note)


def _add(make: Callable[[], Pin]) -> None:
    st.session_state.setdefault(PINS, []).append(make())
    st.toast(f"Pinned to the report ({len(st.session_state[PINS])} pinned).", icon=":material/push_pin:")


def add_button(make: Callable[[], Pin], key: str) -> None:
    """A button that pins `make()` into this session's report."""
    st.button(
        "Add to report",
        key=key,
        icon=":material/push_pin:",
        on_click=_add,
        args=(make,),
        help="Pin this text, every checkpoint's probabilities and any explanation shown; "
        "the sidebar's Download report has them all.",
    )


def sidebar_section(rows: Sequence[SummaryRow]) -> None:
    """How many pins there are, the download, and a way to start over.

    The report is built, and its checkpoints loaded, only when the button is clicked: this runs on every rerun."""
    st.subheader("Report", divider="gray")
    pins = tuple(st.session_state.get(PINS, ()))
    names = [row.checkpoint for row in rows]
    dataset = examples.dataset_of(names[0], names) if names else None  # the report's: the first checkpoint's
    st.caption(
        f"{len(pins)} pinned. One HTML file: summary with intervals, calibration, significance, confusion "
        "matrices and the pinned texts; it opens offline."
    )
    st.download_button(
        "Download report",
        data=lambda: _report(names, pins),
        file_name="rnnclf-report.html",
        mime="text/html",
        icon=":material/download:",
        on_click="ignore",
        key="report_download",
        disabled=dataset is None or state.test_split(dataset) is None,
    )
    if pins and st.button("Clear the pins", key="report_clear", icon=":material/delete:"):
        st.session_state[PINS] = []
        st.rerun()


def _report(names: Sequence[str], pins: Sequence[Pin]) -> str:
    checkpoints = [loaded.checkpoint for loaded in map(state.load, names) if loaded.checkpoint is not None]
    return build(checkpoints, state.test_split(checkpoints[0].dataset), pins)  # the others' dataset: left out
