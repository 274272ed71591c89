"""Probe: one text through the chosen checkpoint, its predicted class and all probabilities."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from app import counterfactuals, figures, links, report, state
from app import scope as scope_view
from app.notices import reading_notes
from app.safe import literal
from app.sidebar import Context, context
from app.text_input import text_and_checkpoint
from rnnclf.checkpoints.registry import SummaryRow


def first_visit_hint(rows: Sequence[SummaryRow]) -> str | None:
    """One line for someone who just arrived: what the app is, what the models learned from, where to
    start. Every figure and name is read from the checkpoints' files; None when there is nothing to say."""
    usable = [row for row in rows if row.error is None]
    trained = sorted({row.training_rows for row in usable if row.training_rows})
    gaps = [100 * (r.test_accuracy - r.tutorial_accuracy) for r in usable if r.tutorial_accuracy and r.test_accuracy]
    if not usable or not trained:
        return None
    count = f"{trained[0]:,}" if len(trained) == 1 else f"{trained[0]:,}–{trained[-1]:,}"
    loaded = [state.load(row.checkpoint).checkpoint for row in usable]
    titles = literal(" and ".join(dict.fromkeys(c.dataset.display_title for c in loaded if c is not None)))
    line = f"**{len(usable)} news classifiers** trained on {count} {titles} articles"
    if gaps:
        low, high = (f"{gap:+.1f}".replace("-", "−") for gap in (min(gaps), max(gaps)))
        line += f", fewer than the tutorial had: its approaches land {low} to {high} points from its published accuracies (see Summary)"
    return line + ". Paste a story, or load a random test example to start."


def show(ctx: Context) -> None:
    if not st.session_state.get(links.TEXT):
        hint = first_visit_hint(ctx.rows)
        if hint:
            st.caption(hint, help="Every figure here is read from the checkpoints' files.")
    chosen = text_and_checkpoint(ctx.selected)
    if chosen is None:
        return
    text, loaded = chosen
    classifier = loaded.checkpoint.classifier
    probs = state.probabilities(loaded, text, ctx.calibrated)
    best = int(np.argmax(probs))
    verdict, chart = st.columns([1, 2.4], vertical_alignment="center")
    with verdict:
        st.metric("Predicted class", classifier.classes[best], border=True)
        st.caption(f"{probs[best]:.1%} probability · {literal(classifier.name)}")
    with chart:
        st.plotly_chart(figures.probabilities(classifier.classes, probs), key="probe_chart")
    scope_view.notice(loaded, text)
    reading_notes(classifier, text)
    scope_view.closest(loaded, text, key="probe")
    report.add_button(lambda: report.pin("Probe", text, ctx.names, ctx.calibrated), key="probe_pin")
    if st.toggle("Edit a copy", key="probe_edit", help="Remove or replace words and see how the prediction moves"):
        counterfactuals.editor(text, [loaded], ctx.calibrated, every=ctx.names)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
