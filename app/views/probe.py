"""Probe: one text through the chosen checkpoint, its predicted class and all probabilities."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import counterfactuals, figures, report, state
from app.notices import reading_notes
from app.safe import literal
from app.sidebar import Context, context
from app.text_input import text_and_checkpoint


def show(ctx: Context) -> None:
    chosen = text_and_checkpoint(ctx.selected)
    if chosen is None:
        return
    text, loaded = chosen
    classifier = loaded.checkpoint.classifier
    probs = state.probabilities(loaded, text)
    best = int(np.argmax(probs))
    verdict, chart = st.columns([1, 2.4], vertical_alignment="center")
    with verdict:
        st.metric("Predicted class", classifier.classes[best], border=True)
        st.caption(f"{probs[best]:.1%} probability · {literal(classifier.name)}")
    with chart:
        st.plotly_chart(figures.probabilities(classifier.classes, probs), key="probe_chart")
    reading_notes(classifier, text)
    report.add_button(lambda: report.pin("Probe", text, ctx.names), key="probe_pin")
    if st.toggle("Edit a copy", key="probe_edit", help="Remove or replace words and see how the prediction moves"):
        counterfactuals.editor(text, [loaded], every=ctx.names)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
