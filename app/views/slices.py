"""Slices: accuracy of every checkpoint on parts of the test split side by side — short or long texts,
texts beyond a model's token window, texts with unknown words, each class, and texts matching a keyword
or regular expression — each slice with its count, small ones flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import examples, state
from app.safe import literal
from app.sidebar import Context, context
from rnnclf.evaluation.slices import (
    MAX_PATTERN,
    PATTERN_SECONDS,
    SMALL,
    PatternError,
    Slice,
    class_slices,
    pattern_slices,
    score,
    token_count_slices,
    unknown_slices,
    window_slices,
)

KEYWORD, REGEX = "keyword", "regular expression"


def _pattern(texts: list[str]) -> list[Slice]:
    """The user's keyword or pattern as two slices (matching, not), or none after saying why not."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    pattern = left.text_input(
        "Keyword or pattern (optional)",
        key="slices_pattern",
        max_chars=MAX_PATTERN,
        placeholder="e.g. oil, or \\b(iraq|iran)\\b as a regular expression",
    )
    mode = right.segmented_control("Match as", [KEYWORD, REGEX], default=KEYWORD, required=True, key="slices_mode")
    if not pattern.strip():
        return []
    try:
        return pattern_slices(texts, pattern, is_regex=mode == REGEX)
    except PatternError as error:
        st.warning(f"Pattern not used: {literal(error)}.", icon=":material/warning:")
        return []


def _table(names: list[str], slices: dict[str, list[Slice]], labels: np.ndarray, calibrated: bool) -> pd.DataFrame:
    """One line per slice: its family and name, then each checkpoint's accuracy and count."""
    lines: dict[tuple[str, str], dict] = {}
    for name in names:
        predicted = state.predictions(state.load(name), calibrated).argmax(1)
        for item in score(slices[name], name, labels, predicted):
            line = lines.setdefault(
                (item.family, item.name), {"family": item.family, "slice": item.name, "small": False}
            )
            line[name] = item.accuracy
            line[f"{name} n"] = item.count
            line["small"] = line["small"] or item.small
    return pd.DataFrame(list(lines.values()))


def show(ctx: Context) -> None:
    dataset = examples.dataset_of(ctx.selected, ctx.names)
    split = examples.split(dataset)
    if split is None:
        return
    loaded = [item for item in map(state.load, ctx.names) if item.checkpoint is not None]
    working = [item.name for item in examples.same_dataset(loaded, dataset)]
    chosen = st.multiselect("Checkpoints", working, default=working, key="slices_checkpoints", persist_state="session")
    if not chosen:
        st.info("Pick at least one checkpoint.", icon=":material/checklist:")
        return
    counts = np.array([len(tokens) for tokens in state.test_tokens(dataset)])
    shared = [*token_count_slices(counts), *class_slices(split.labels, dataset.classes), *_pattern(split.texts)]
    slices = {}
    for name in chosen:
        loaded = state.load(name)
        window = window_slices(counts, loaded.checkpoint.classifier.max_tokens)
        slices[name] = [*shared, *window, *unknown_slices(state.unknown_shares(loaded))]
    frame = _table(chosen, slices, split.labels, ctx.calibrated)
    percent = st.column_config.NumberColumn(format="percent")
    st.dataframe(
        frame,
        hide_index=True,
        height=36 * (len(frame) + 1) + 2,  # every slice at once, no inner scrolling
        column_config={
            **{name: percent for name in chosen},
            **{f"{name} n": st.column_config.NumberColumn(format="localized") for name in chosen},
            "small": st.column_config.CheckboxColumn(help=f"fewer than {SMALL} texts for some checkpoint"),
        },
    )
    st.caption(
        f"Accuracy on each slice of the {len(split):,} test texts, with its count (n). A slice marked small has "
        f"fewer than {SMALL} texts for some checkpoint: its accuracy can move by several points by chance. "
        "Token window and unknown words depend on each checkpoint's own window and vocabulary, so their counts "
        f"differ (a model that reads the whole text has none longer than its window). A pattern is matched case-insensitively, with at most {PATTERN_SECONDS:g} s for the whole split."
    )


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
