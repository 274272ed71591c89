"""The test split as the analysis views use it: each checkpoint's predictions on it, and a button
callback that loads one of its examples into another tab."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnclf import CheckpointError
from rnnclf.data import CLASSES, Split

from . import state
from .navigation import VIEW_KEY
from .safe import literal
from .state import Loaded
from .text_input import EXAMPLE_KEY, TEXT_KEY


def split() -> Split | None:
    """The test split, or None after saying it is missing."""
    result = state.test_split()
    if result is None:
        st.info("No test split found: there are no test examples to explore.", icon=":material/folder_off:")
    return result


def predictions(loaded: Loaded) -> np.ndarray | None:
    """The checkpoint's probabilities on every test example, or None after showing why there are none."""
    try:
        return state.predictions(loaded)
    except CheckpointError as error:
        st.error(literal(error), icon=":material/block:", title=f"{literal(loaded.name)} has no test predictions")
        return None


def load_example(index: int, tab: str) -> None:
    """Button callback: runs before the script, so the shared text area and the open tab change at once."""
    test = state.test_split()
    text = test.texts[index]
    st.session_state[TEXT_KEY] = text
    st.session_state[EXAMPLE_KEY] = (text, CLASSES[test.labels[index]])
    st.session_state[VIEW_KEY] = tab
