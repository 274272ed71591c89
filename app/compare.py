"""Compare: the same text through every checkpoint, probabilities side by side, agreement, LIME on demand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from . import explain_view, figures, state
from .notices import usable
from .safe import literal
from .sidebar import LimeSettings
from .text_input import has_text, news_text

LIME_COLUMNS = 2


def _agreement(predicted: dict[str, str]) -> None:
    """One line: do they agree, and if not, who says what."""
    votes = Counter(predicted.values())
    if len(predicted) == 1:
        [(name, label)] = predicted.items()
        st.info(f"Only {literal(name)} is usable here; it says **{literal(label)}**.", icon=":material/info:")
        return
    if len(votes) == 1:
        agreed = literal(next(iter(votes)))
        st.success(f"All {len(predicted)} checkpoints agree: **{agreed}**.", icon=":material/check_circle:")
        return
    parts = []
    for label, n in votes.most_common():
        who = ", ".join(literal(name) for name, said in predicted.items() if said == label)
        parts.append(f"{n} {'says' if n == 1 else 'say'} **{literal(label)}** ({who})")
    st.warning("The checkpoints disagree: " + "; ".join(parts) + ".", icon=":material/balance:")


def _window(max_tokens: int | None) -> str:
    return "whole text" if max_tokens is None else f"first {max_tokens} tokens"


def show(names: Sequence[str], settings: LimeSettings) -> None:
    text = news_text()
    if not has_text(text):
        return
    loaded = [state.load(name) for name in names]
    working = [item for item in loaded if usable(item) is not None]
    if not working:
        return
    probs = {item.name: dict(zip(item.classifier.classes, state.probabilities(item, text))) for item in working}
    classes = list(dict.fromkeys(c for item in working for c in item.classifier.classes))
    grid = np.array([[probs[item.name].get(c, np.nan) for c in classes] for item in working])
    predicted = {name: max(p, key=p.get) for name, p in probs.items()}

    _agreement(predicted)
    majority = Counter(predicted.values()).most_common(1)[0][0]
    chart, table = st.columns(2, vertical_alignment="center")
    with chart:
        st.plotly_chart(figures.probability_grid([i.name for i in working], classes, grid), key="compare_grid")
    with table:
        st.dataframe(
            pd.DataFrame(
                {
                    "checkpoint": [item.name for item in working],
                    "predicted": [predicted[item.name] for item in working],
                    "probability": [probs[item.name][predicted[item.name]] for item in working],
                    "agrees": [predicted[item.name] == majority for item in working],
                    "reads": [_window(item.classifier.max_tokens) for item in working],
                }
            ),
            hide_index=True,
            column_config={"probability": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
        )

    if st.toggle("Show each checkpoint's LIME highlights", key="compare_lime"):
        target = explain_view.class_picker(classes, None, key="compare_class")
        for start in range(0, len(working), LIME_COLUMNS):
            for column, item in zip(st.columns(LIME_COLUMNS), working[start : start + LIME_COLUMNS]):
                with column.container(border=True):
                    st.markdown(f"**{literal(item.name)}** · {literal(item.classifier.title)}")
                    explanation = explain_view.compute(item, text, target, settings)
                    if explanation is not None:
                        explain_view.render(item.classifier, explanation, compact=True)
