"""The news text that the Probe, Explain and Compare views share, and examples from the test split.

Each of those views draws the same widget (one key, kept for the session), so a text typed in one
view is there in the others.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnclf.data.dataset import Dataset

from . import links, state
from .notices import usable
from .state import Loaded

ANY_CLASS = "any class"
EXAMPLE_CLASS = "example_class"  # the "Example of" picker's key
BOX = "text"  # the text area's key. Each page draws its own text area, so the text itself lives under links.TEXT


def _keep_typed_text() -> None:
    """Text-area callback: what was typed becomes the shared text (before the script reruns)."""
    st.session_state[links.TEXT] = st.session_state[BOX]


def _load_random_example(dataset: Dataset) -> None:
    """Button callback: runs before the script, so the text area shows the example at once."""
    split = state.test_split(dataset)
    wanted = st.session_state.get(EXAMPLE_CLASS, ANY_CLASS)
    pool = (
        np.arange(len(split)) if wanted == ANY_CLASS else np.flatnonzero(split.labels == dataset.classes.index(wanted))
    )
    links.load_example(dataset, split, int(np.random.default_rng().choice(pool)))


def news_text(dataset: Dataset | None) -> str:
    """The text area with its example loader beside it (examples of `dataset`, the shown checkpoint's:
    None when it cannot be loaded); returns the current text."""
    text_column, example_column = st.columns([4, 1], vertical_alignment="bottom")
    with example_column:
        if dataset is None or state.test_split(dataset) is None:
            st.caption("No test split found: examples are unavailable.")
        else:
            options = [ANY_CLASS, *dataset.classes]
            if st.session_state.get(EXAMPLE_CLASS, ANY_CLASS) not in options:  # picked for another dataset
                st.session_state[EXAMPLE_CLASS] = ANY_CLASS
            st.selectbox("Example of", options, key=EXAMPLE_CLASS, persist_state="session")
            st.button(
                "Random test example",
                key="example_button",
                icon=":material/casino:",
                on_click=_load_random_example,
                args=(dataset,),
                width="stretch",
            )
    with text_column:
        st.session_state[BOX] = st.session_state.get(links.TEXT, "")
        text = st.text_area(
            "News text",
            key=BOX,
            height=130,
            placeholder="Paste or type a news story, or load a random example from the test split →",
            on_change=_keep_typed_text,
        )
    example = st.session_state.get(links.EXAMPLE)
    if isinstance(example, links.Example) and example.text == text:
        st.badge(
            f"Test-split example (row {example.row:,}) · true label: {example.label}",
            icon=":material/label:",
            color="gray",
        )
    return text


def has_text(text: str) -> bool:
    """False, with a friendly prompt, when there is nothing to classify yet."""
    if text.strip():
        return True
    st.info(
        "Type or paste a news text above, or load a random example from the test split.", icon=":material/edit_note:"
    )
    return False


def text_and_checkpoint(name: str) -> tuple[str, Loaded] | None:
    """The shared text box (examples of `name`'s dataset), then checkpoint `name`: None (after saying why)
    without text or a usable model."""
    loaded = state.load(name)
    text = news_text(loaded.checkpoint.dataset if loaded.checkpoint is not None else None)
    if not has_text(text):
        return None
    return None if usable(loaded) is None else (text, loaded)
