"""Explain: which words pushed the prediction, by one attribution method or all four side by side,
with how much they agree and how faithful each is to the model."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import explaining, links, report, state
from app import scope as scope_view
from app.notices import reading_notes
from app.sidebar import Context, context
from app.text_input import text_and_checkpoint
from rnnclf.explain.methods import available


def show(ctx: Context) -> None:
    chosen = text_and_checkpoint(ctx.selected)
    if chosen is None:
        return
    text, loaded = chosen
    classifier = loaded.checkpoint.classifier
    predicted = classifier.classes[int(np.argmax(state.probabilities(loaded, text, ctx.calibrated)))]
    if st.session_state.get(links.CLASS) not in (None, links.PREDICTED_CLASS, *classifier.classes):
        st.session_state[links.CLASS] = links.PREDICTED_CLASS  # a class of another dataset's checkpoint
    target = explaining.class_picker(classifier.classes, predicted, key=links.CLASS)
    method = explaining.method_picker(links.EXPLAIN_METHOD, classifier, offer_all=True)
    scope_view.notice(loaded, text)
    reading_notes(classifier, text)
    scope_view.closest(loaded, text, key="explain")
    shown = state.probabilities(loaded, text, ctx.calibrated)
    if method != links.ALL_METHODS:
        results = explaining.compute(loaded, text, target, [method], ctx.lime)
        if results:
            explaining.render(classifier, results[0], probability=float(shown[results[0].label]))
            explaining.comparison(classifier, text, results)
    else:
        results = explaining.compute(loaded, text, target, available(classifier), ctx.lime)
        for result in results:
            with st.container(border=True):
                st.markdown(f"**{result.title}** · {result.seconds:.2f} s")
                explaining.render(classifier, result, compact=True, probability=float(shown[result.label]))
        if results:
            explaining.comparison(classifier, text, results)
    if results:
        pinned = [(loaded, result) for result in results]
        report.add_button(lambda: report.pin("Explain", text, ctx.names, ctx.calibrated, pinned), key="explain_pin")
    explaining.report_table(state.faithfulness_report(state.FAITHFULNESS_REPORT), classifier.name)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
