"""Probe: one text through the chosen checkpoint, its predicted class and all probabilities."""

from __future__ import annotations

import numpy as np
import streamlit as st

from . import figures, state
from .notices import reading_notes, usable
from .safe import literal
from .text_input import has_text, news_text


def show(name: str) -> None:
    text = news_text()
    if not has_text(text):
        return
    loaded = state.load(name)
    classifier = usable(loaded)
    if classifier is None:
        return
    probs = state.probabilities(loaded, text)
    best = int(np.argmax(probs))
    verdict, chart = st.columns([1, 2.4], vertical_alignment="center")
    with verdict:
        st.metric("Predicted class", classifier.classes[best], border=True)
        st.caption(f"{probs[best]:.1%} probability · {literal(classifier.name)}")
    with chart:
        st.plotly_chart(figures.probabilities(classifier.classes, probs), key="probe_chart")
    reading_notes(classifier, text)
