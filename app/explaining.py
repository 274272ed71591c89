"""LIME in the app, shared by Explain and Compare: the class picker, the cached explanation, its rendering."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from rnnclf import Classifier
from rnnclf.explain import MAX_WORDS, Explanation

from . import figures, highlight, state
from .links import PREDICTED_CLASS
from .safe import literal
from .sidebar import LimeSettings
from .state import Loaded


def class_picker(classes: Sequence[str], predicted: str | None, key: str) -> str | None:
    """The class to explain by name, or None for the predicted one (`predicted`, if only one model)."""
    shown = f"predicted ({predicted})" if predicted is not None else "each one's prediction"
    st.session_state.setdefault(key, PREDICTED_CLASS)  # a link may have set it already
    choice = st.segmented_control(
        "Explain the class",
        [PREDICTED_CLASS, *classes],
        format_func=lambda option: shown if option == PREDICTED_CLASS else option,
        required=True,
        key=key,
    )
    return None if choice in (None, PREDICTED_CLASS) else choice


def compute(loaded: Loaded, text: str, target: str | None, settings: LimeSettings) -> Explanation | None:
    """The cached explanation of class `target` (None: the predicted one), or None after saying why
    there is none (no words to perturb, or the server is busy)."""
    classes = loaded.checkpoint.classifier.classes
    label = classes.index(target) if target in classes else None
    with st.spinner(f"Explaining {literal(loaded.name)} with LIME ({settings.samples:,} samples)…"):
        try:
            return state.explanation(loaded, text, label, settings.samples, settings.features)
        except ValueError as error:
            st.warning(f"Nothing to explain: {error}.", icon=":material/warning:")
            return None
        except state.ServerBusy as error:
            st.warning(f"No explanation yet: {error}.", icon=":material/hourglass_top:")
            return None


def render(
    classifier: Classifier, explanation: Explanation, compact: bool = False, probability: float | None = None
) -> None:
    """The highlighted text with its legend, then the top-words chart and the fit's numbers;
    `compact` (several explanations side by side) gives the numbers as one line instead of the chart."""
    shown = explanation.probability if probability is None else probability  # the caller's may be calibrated
    class_name = classifier.classes[explanation.label]  # raw for the HTML (escaped there), literal() for Markdown
    has_outside = any(not piece.in_window for piece in explanation.pieces)
    st.html(highlight.legend(class_name, classifier.max_tokens, has_outside))
    st.html(highlight.highlighted_text(explanation.pieces, class_name, classifier.name, classifier.max_tokens))
    if explanation.truncated:
        st.caption(f"LIME perturbs only the first {MAX_WORDS} words of a text; the rest is shown without weights.")
    if compact:
        st.caption(
            f"P({literal(class_name)}) = {shown:.1%} · {explanation.num_samples:,} samples · "
            f"{explanation.num_features} words · local fit R² = {explanation.score:.2f}"
        )
        return
    chart, facts = st.columns([3, 1], vertical_alignment="center")
    chart.plotly_chart(figures.top_words(explanation.top, class_name), key=f"top_words_{classifier.name}")
    with facts:
        st.metric(f"P({literal(class_name)})", f"{shown:.1%}", help="The model's probability for this text.")
        st.metric(
            "Local fit R²",
            f"{explanation.score:.2f}",
            help="How well LIME's linear model of the words matches the classifier on the samples.",
        )
        st.caption(f"{explanation.num_samples:,} samples · {explanation.num_features} words · seed {state.LIME_SEED}")
