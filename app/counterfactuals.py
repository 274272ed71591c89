"""The counterfactual editor under Probe and Compare: edit a copy of the text (the original stays pinned),
see what changed and how each checkpoint's probabilities moved, and search for the fewest words whose
removal flips each checkpoint's prediction.

The copy lives in session state (not only in its widget), so it survives switching between the views.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd
import streamlit as st

from rnnclf.explain.counterfactual import DEFAULT_MAX_REMOVED, diff, remove, replace, words
from rnnclf.explain.words import MAX_CHARS
from rnnclf.reporting.style import AGAINST, TOWARD

from . import state
from .safe import literal
from .state import Loaded

PINNED = "cf_pinned"  # the original the copy was made from
COPY = "cf_copy"  # the edited copy
BOX = "cf_box"  # its text area
WORD, WHERE, NEW = "cf_word", "cf_where", "cf_new"
FLIPS = "cf_flips"  # (text, max words) of the flip search asked for last
EVERY = "every occurrence"
SHOWN_CHARS = 3000  # of the pinned original
DIFF_STYLE = {
    "same": "",
    "removed": f"background:{AGAINST.rgba(0.25)};text-decoration:line-through",
    "inserted": f"background:{TOWARD.rgba(0.25)}",
}
BOX_STYLE = (
    "white-space:pre-wrap;overflow-wrap:anywhere;max-height:14rem;overflow-y:auto;padding:.5rem .75rem;"
    "border:1px solid rgba(128,128,128,.3);border-radius:.5rem;line-height:1.8"
)


def _keep_typed_copy() -> None:
    st.session_state[COPY] = st.session_state[BOX]


def _occurrence() -> int | None:
    where = st.session_state.get(WHERE, EVERY)
    return None if where == EVERY else int(where.split()[-1]) - 1


def _remove_word() -> None:
    st.session_state[COPY] = remove(st.session_state[COPY], st.session_state[WORD], _occurrence())


def _replace_word() -> None:
    new = st.session_state.get(NEW, "")
    st.session_state[COPY] = replace(st.session_state[COPY], st.session_state[WORD], new, _occurrence())


def _reset(original: str) -> None:
    st.session_state[COPY] = original


def _use(text: str) -> None:
    st.session_state[COPY] = text


def diff_html(original: str, edited: str) -> str:
    """The edited text with removed words struck through (orange) and inserted ones tinted (blue); escaped."""
    parts = []
    for piece in diff(original, edited):
        text = escape(piece.text)
        style = DIFF_STYLE[piece.kind]
        parts.append(f'<span class="cf-{piece.kind}" style="{style}">{text}</span>' if style else text)
    return f'<div class="cf-diff" style="{BOX_STYLE}">{"".join(parts)}</div>'


def _word_tools(copy: str) -> None:
    """Pick a word of the copy; remove it, or replace it by a typed word (every occurrence or one)."""
    listed = words(copy)
    if not listed:
        st.caption("The copy has no words the models read: type some above.")
        return
    distinct = list(dict.fromkeys(listed))
    if st.session_state.get(WORD) not in distinct:
        st.session_state[WORD] = distinct[0]
    pick, where, new, buttons = st.columns([2, 1.6, 2, 2.4], vertical_alignment="bottom")
    word = pick.selectbox("Word", distinct, key=WORD)
    count = listed.count(word)
    options = [EVERY, *(f"occurrence {i}" for i in range(1, count + 1))] if count > 1 else [EVERY]
    if st.session_state.get(WHERE) not in options:
        st.session_state[WHERE] = EVERY
    where.selectbox("Where", options, key=WHERE)
    new.text_input("Replace with", key=NEW, placeholder="a word or phrase")
    remove_button, replace_button = buttons.columns(2)
    remove_button.button("Remove", key="cf_remove", icon=":material/backspace:", on_click=_remove_word, width="stretch")
    replace_button.button(
        "Replace", key="cf_replace", icon=":material/find_replace:", on_click=_replace_word, width="stretch"
    )


def _changes(original: str, copy: str, items: Sequence[Loaded], calibrated: bool) -> None:
    """Per checkpoint: the two predictions and each class's change in probability, in points."""
    rows = []
    for item in items:
        classes = item.checkpoint.classifier.classes
        before, after = state.probabilities(item, original, calibrated), state.probabilities(item, copy, calibrated)
        b, a = int(before.argmax()), int(after.argmax())
        row = {
            "checkpoint": item.name,
            "original": f"{classes[b]} {before[b]:.1%}",
            "edited": f"{classes[a]} {after[a]:.1%}",
            "class changed": a != b,
        }
        row.update({f"Δ {c}": 100 * float(after[i] - before[i]) for i, c in enumerate(classes)})
        rows.append(row)
    table = pd.DataFrame(rows)
    deltas = [c for c in table.columns if c.startswith("Δ ")]
    st.dataframe(
        table,
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(c, format="%+.1f pts") for c in deltas},
        key="cf_changes",
    )
    st.caption("Δ: the edited copy's probability of each class minus the original's, in percentage points.")


def _flip_search(original: str, items: Sequence[Loaded], calibrated: bool) -> None:
    """The flip search on the pinned original, for each checkpoint at once."""
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    most = left.number_input("At most this many words", 1, 8, DEFAULT_MAX_REMOVED, key="cf_max_words")
    if right.button("Find the fewest words to remove", key="cf_flip", icon=":material/swap_horiz:"):
        st.session_state[FLIPS] = (original, most)
    if st.session_state.get(FLIPS) != (original, most):
        st.caption(
            "For each checkpoint: the smallest set of words whose removal changes its predicted class "
            "(every single word is tried, then the most promising sets are grown a word at a time)."
        )
        return
    rows, found = [], {}
    for item in items:
        classes = item.checkpoint.classifier.classes
        with st.spinner(f"Searching {literal(item.name)}…"):
            try:
                flip = state.flip(item, original, int(most))
            except (ValueError, state.ServerBusy) as error:
                st.warning(f"{literal(item.name)}: no flip search: {literal(error)}.", icon=":material/warning:")
                continue
        # Shown as everywhere else in the app (calibrated when the sidebar says so; the class is the same).
        before = state.probabilities(item, original, calibrated)[flip.label]
        row = {"checkpoint": item.name, "original": f"{classes[flip.label]} {before:.1%}"}
        if flip.found:
            found[item.name] = flip.text
            after = state.probabilities(item, flip.text, calibrated)[flip.new_label]
            row |= {
                "words": str(len(flip.removed)),
                "removed": ", ".join(flip.removed),
                "new class": f"{classes[flip.new_label]} {after:.1%}",
                "counterfactual": flip.text,
            }
        else:
            row |= {"words": f"no flip within {most}", "removed": "", "new class": "", "counterfactual": ""}
        rows.append(row)
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="cf_flip_table")
    if found:
        pick, use = st.columns([2, 1], vertical_alignment="bottom")
        chosen = pick.selectbox("Counterfactual of", list(found), key="cf_flip_pick")
        use.button("Edit this counterfactual", key="cf_flip_use", on_click=_use, args=(found[chosen],))


def editor(original: str, items: Sequence[Loaded], calibrated: bool, every: Sequence[str] = ()) -> None:
    """The editor for `original`, scored by `items`, or by each usable checkpoint of `every` on request;
    probabilities temperature-scaled when `calibrated`."""
    if st.session_state.get(PINNED) != original or COPY not in st.session_state:
        st.session_state[PINNED] = st.session_state[COPY] = original
    if every and st.toggle("Every checkpoint at once", key="cf_every"):
        items = [loaded for loaded in map(state.load, every) if loaded.checkpoint is not None]
    pinned, edited = st.columns(2)
    with pinned:
        st.caption("Original (pinned)")
        shown = original if len(original) <= SHOWN_CHARS else original[:SHOWN_CHARS] + " …"
        st.html(f'<div class="cf-original" style="{BOX_STYLE}">{escape(shown)}</div>')
    with edited:
        st.session_state[BOX] = st.session_state[COPY]
        copy = st.text_area("Edited copy", key=BOX, height=150, on_change=_keep_typed_copy)
    _word_tools(copy)
    st.button("Back to the original", key="cf_reset", icon=":material/undo:", on_click=_reset, args=(original,))
    if copy == original:
        st.caption("The copy is the same as the original: remove or replace a word, or type in the copy.")
    elif max(len(original), len(copy)) > MAX_CHARS:
        st.caption(f"Texts over {MAX_CHARS:,} characters are scored but not diffed.")
    else:
        st.html(diff_html(original, copy))
    if not copy.strip():
        st.info("The copy is empty: there is nothing to score.", icon=":material/edit_note:")
    elif items:
        _changes(original, copy, items, calibrated)
    st.markdown("**Flip search**")
    _flip_search(original, items, calibrated)
