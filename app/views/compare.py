"""Compare: the same text through every checkpoint, probabilities side by side, agreement, word highlights
(by the chosen attribution method) on demand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from app import counterfactuals, examples, explaining, figures, links, report, state
from app import scope as scope_view
from app.notices import usable
from app.safe import literal
from app.sidebar import Context, context
from app.state import Loaded
from app.text_input import has_text, news_text
from rnnclf.data.dataset import Dataset

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


def _chosen(every: Sequence[str], dataset: Dataset | None) -> list[Loaded]:
    """The checkpoints of `dataset` picked for comparison (all by default) that can be used."""
    names = [item.name for item in examples.same_dataset([state.load(name) for name in every], dataset)]
    previous = st.session_state.get(links.COMPARED, names)  # a link may have set it already
    st.session_state[links.COMPARED] = [name for name in previous if name in names]
    chosen = st.multiselect("Checkpoints", list(names), key=links.COMPARED, persist_state="session")
    loaded = [state.load(name) for name in chosen]
    return [item for item in loaded if usable(item) is not None]


def show(ctx: Context) -> None:
    dataset = examples.dataset_of(ctx.selected, ctx.names)
    text = news_text(dataset)
    if not has_text(text):
        return
    working = _chosen(ctx.names, dataset)
    if not working:
        st.info("Pick at least one checkpoint to compare.", icon=":material/checklist:")
        return
    classifiers = {item.name: item.checkpoint.classifier for item in working}
    probs = {
        item.name: dict(zip(classifiers[item.name].classes, state.probabilities(item, text, ctx.calibrated)))
        for item in working
    }
    classes = list(dict.fromkeys(c for classifier in classifiers.values() for c in classifier.classes))
    grid = np.array([[probs[item.name].get(c, np.nan) for c in classes] for item in working])
    predicted = {name: max(p, key=p.get) for name, p in probs.items()}

    _agreement(predicted)
    outside = scope_view.compare_notice(working, text)
    majority = Counter(predicted.values()).most_common(1)[0][0]
    chart, table = st.columns(2, vertical_alignment="center")
    with chart:
        st.plotly_chart(figures.probability_grid(list(classifiers), classes, grid), key="compare_grid")
    with table:
        st.dataframe(
            pd.DataFrame(
                {
                    "checkpoint": list(classifiers),
                    "predicted": [predicted[name] for name in classifiers],
                    "probability": [probs[name][predicted[name]] for name in classifiers],
                    "agrees": [predicted[name] == majority for name in classifiers],
                    "outside scope": [outside[name] for name in classifiers],
                    "reads": [_window(classifier.max_tokens) for classifier in classifiers.values()],
                }
            ),
            hide_index=True,
            column_config={"probability": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
        )

    if st.toggle("Edit a copy", key="compare_edit", help="Remove or replace words and see how each prediction moves"):
        counterfactuals.editor(text, working, ctx.calibrated)

    explained = []
    if st.toggle("Show each checkpoint's word highlights", key="compare_lime"):
        target = explaining.class_picker(classes, None, key="compare_class")
        method = explaining.method_picker(links.COMPARE_METHOD, None, offer_all=False)
        for start in range(0, len(working), LIME_COLUMNS):
            for column, item in zip(st.columns(LIME_COLUMNS), working[start : start + LIME_COLUMNS]):
                with column.container(border=True):
                    st.markdown(f"**{literal(item.name)}** · {literal(item.checkpoint.title)}")
                    for result in explaining.compute(item, text, target, [method], ctx.lime):
                        classifier = item.checkpoint.classifier
                        shown = probs[item.name][classifier.classes[result.label]]  # calibrated if asked
                        st.caption(result.title)
                        explaining.render(classifier, result, compact=True, probability=shown)
                        explained.append((item, result))
    report.add_button(
        lambda: report.pin("Compare", text, [item.name for item in working], ctx.calibrated, explained),
        key="compare_pin",
    )


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
