"""About this model: the chosen checkpoint's model card (`checkpoints/<name>/README.md`, written by
`python -m rnnclf card`), its Markdown body as written; the YAML front matter is for model hubs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import state
from app.safe import literal
from app.sidebar import Context, context
from rnnclf.reporting.cards import CARD, CardError, split


@state.per_file(max_entries=64)
def card_body(path: Path) -> str | None:
    """The card's Markdown body, or None when the checkpoint has no card."""
    try:
        return split(path.read_text(encoding="utf-8"))[1]
    except FileNotFoundError:
        return None


def show(ctx: Context) -> None:
    path = state.checkpoint_root() / ctx.selected / CARD
    try:
        body = card_body(path)
    except (OSError, UnicodeDecodeError, CardError) as error:
        st.error(f"The model card of {literal(ctx.selected)} cannot be read: {literal(str(error))}")
        return
    if body is None:
        st.info(
            f"{literal(ctx.selected)} has no model card yet; `python -m rnnclf card` writes one for every checkpoint.",
            icon=":material/description:",
        )
        return
    st.caption(f"The model card in {literal(str(Path(ctx.selected) / CARD))}, as `python -m rnnclf card` wrote it.")
    with st.container(border=True):
        st.markdown(body)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
