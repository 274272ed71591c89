"""The news text that the Probe, Explain and Compare views share, and examples from the test split.

Each of those views draws the same widget (one key, kept for the session), so a text typed in one
view is there in the others.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnclf import Classifier
from rnnclf.data import CLASSES

from . import state
from .notices import usable

TEXT_KEY = "text"
EXAMPLE_KEY = "example"  # (text, true label) of the example loaded last
ANY_CLASS = "any class"


def _load_example() -> None:
    """Button callback: runs before the script, so the text area shows the example at once."""
    split = state.test_split()
    wanted = st.session_state.get("example_class", ANY_CLASS)
    pool = np.arange(len(split)) if wanted == ANY_CLASS else np.flatnonzero(split.labels == CLASSES.index(wanted))
    index = int(np.random.default_rng().choice(pool))
    st.session_state[TEXT_KEY] = split.texts[index]
    st.session_state[EXAMPLE_KEY] = (split.texts[index], CLASSES[split.labels[index]])


def news_text() -> str:
    """The text area with its example loader beside it; returns the current text."""
    text_column, example_column = st.columns([4, 1], vertical_alignment="bottom")
    with example_column:
        if state.test_split() is None:
            st.caption("No test split found: examples are unavailable.")
        else:
            st.selectbox("Example of", [ANY_CLASS, *CLASSES], key="example_class", persist_state="session")
            st.button(
                "Random test example",
                key="example_button",
                icon=":material/casino:",
                on_click=_load_example,
                width="stretch",
            )
    with text_column:
        text = st.text_area(
            "News text",
            key=TEXT_KEY,
            height=130,
            placeholder="Paste or type a news story, or load a random example from the test split →",
            persist_state="session",
        )
    example = st.session_state.get(EXAMPLE_KEY)
    if example and example[0] == text:
        st.badge(f"Test-split example · true label: {example[1]}", icon=":material/label:", color="gray")
    return text


def has_text(text: str) -> bool:
    """False, with a friendly prompt, when there is nothing to classify yet."""
    if text.strip():
        return True
    st.info(
        "Type or paste a news text above, or load a random example from the test split.", icon=":material/edit_note:"
    )
    return False


def text_and_checkpoint(name: str) -> tuple[str, state.Loaded, Classifier] | None:
    """The shared text box, then checkpoint `name`: None (after saying why) without text or model."""
    text = news_text()
    if not has_text(text):
        return None
    loaded = state.load(name)
    classifier = usable(loaded)
    return None if classifier is None else (text, loaded, classifier)
