"""The test split as the analysis views use it: each checkpoint's predictions on it, and a button
callback that loads one of its examples into another view."""

from __future__ import annotations

import numpy as np
import streamlit as st

from rnnclf import CheckpointError
from rnnclf.data.dataset import Split

from . import links, pages, state
from .safe import literal
from .state import Loaded


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


def open_in(row: int, view_id: str) -> None:
    """Button callback: put test row `row` into the shared text box and open view `view_id`."""
    links.load_example(state.test_split(), row)
    pages.go_to(view_id)
