"""Probe: one text through the chosen checkpoint, its predicted class and all probabilities."""

from __future__ import annotations

import numpy as np
import streamlit as st

from . import figures, state
from .notices import reading_notes
from .safe import literal
from .text_input import text_and_checkpoint


def show(name: str) -> None:
    chosen = text_and_checkpoint(name)
    if chosen is None:
        return
    text, loaded, classifier = chosen
    probs = state.probabilities(loaded, text)
    best = int(np.argmax(probs))
    verdict, chart = st.columns([1, 2.4], vertical_alignment="center")
    with verdict:
        st.metric("Predicted class", classifier.classes[best], border=True)
        st.caption(f"{probs[best]:.1%} probability · {literal(classifier.name)}")
    with chart:
        st.plotly_chart(figures.probabilities(classifier.classes, probs), key="probe_chart")
    reading_notes(classifier, text)
