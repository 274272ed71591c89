"""Explain: LIME's word weights for one class, as highlighted text and a chart of the top words."""

from __future__ import annotations

import numpy as np

from app import explaining, links, report, state
from app.notices import reading_notes
from app.sidebar import Context, context
from app.text_input import text_and_checkpoint


def show(ctx: Context) -> None:
    chosen = text_and_checkpoint(ctx.selected)
    if chosen is None:
        return
    text, loaded = chosen
    classifier = loaded.checkpoint.classifier
    predicted = classifier.classes[int(np.argmax(state.probabilities(loaded, text)))]
    target = explaining.class_picker(classifier.classes, predicted, key=links.CLASS)
    reading_notes(classifier, text)
    explanation = explaining.compute(loaded, text, target, ctx.lime)
    if explanation is not None:
        probability = float(state.probabilities(loaded, text)[explanation.label])  # calibrated when the sidebar says
        explaining.render(classifier, explanation, probability=probability)
        pinned = [(loaded, explanation)]
        report.add_button(lambda: report.pin("Explain", text, ctx.names, pinned), key="explain_pin")


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
