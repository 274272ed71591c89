"""The test split as the analysis views use it (the one of the shown checkpoint's dataset): each
checkpoint's predictions on it, and a button callback that loads one of its examples into another view."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rnnclf import Checkpoint, CheckpointError
from rnnclf.checkpoints.registry import left_out_note, of_dataset
from rnnclf.data.dataset import Dataset, Split

from . import links, pages, state
from .safe import literal
from .state import Loaded


def dataset_of(selected: str, names: Sequence[str]) -> Dataset | None:
    """The dataset the views of several checkpoints work in: the sidebar's checkpoint's, or when it cannot
    be loaded the first one's that can; None when none can."""
    for name in (selected, *names):
        checkpoint = state.load(name).checkpoint
        if checkpoint is not None:
            return checkpoint.dataset
    return None


def split(dataset: Dataset | None) -> Split | None:
    """`dataset`'s test split, or None after saying it is missing (as it is without a dataset)."""
    result = state.test_split(dataset) if dataset is not None else None
    if result is None:
        st.info("No test split found: there are no test examples to explore.", icon=":material/folder_off:")
    return result


def predictions(loaded: Loaded, calibrated: bool) -> np.ndarray | None:
    """The checkpoint's probabilities on every test example (temperature-scaled when `calibrated`), or None
    after showing why there are none."""
    try:
        return state.predictions(loaded, calibrated)
    except CheckpointError as error:
        st.error(literal(error), icon=":material/block:", title=f"{literal(loaded.name)} has no test predictions")
        return None


def open_in(row: int, view_id: str, dataset: Dataset) -> None:
    """Button callback: put row `row` of `dataset`'s test split into the shared text box and open view `view_id`."""
    links.load_example(dataset, state.test_split(dataset), row)
    pages.go_to(view_id)


def probe_button(container: DeltaGenerator, row: int, dataset: Dataset, key: str) -> None:
    """A listed test row's **Load into Probe** button, drawn in `container` (a column of its row)."""
    container.button(
        "Load into Probe",
        key=key,
        icon=":material/search:",
        on_click=open_in,
        args=(int(row), "probe", dataset),
        width="stretch",
    )


def same_dataset(loaded: Sequence[Loaded], dataset: Dataset | None) -> list[Loaded]:
    """`loaded` without the checkpoints of another dataset than `dataset`, after naming them: only
    checkpoints of one dataset share a test split, so only they are put side by side. Those that cannot
    be loaded stay (the views say why)."""
    checkpoints: list[Checkpoint] = [item.checkpoint for item in loaded if item.checkpoint is not None]
    if dataset is None:
        return list(loaded)
    _, others = of_dataset(checkpoints, dataset)
    if others:
        st.info(literal(left_out_note(others, dataset)), icon=":material/dataset:")
    left_out = {c.name for c in others}
    return [item for item in loaded if item.name not in left_out]
