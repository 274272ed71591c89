"""Messages about a checkpoint or about what a model actually reads of a text."""

from __future__ import annotations

import streamlit as st

from rnnclf import Checkpoint, Classifier
from rnnclf.core.text import tokenize

from .safe import literal
from .state import Loaded


def usable(loaded: Loaded) -> Checkpoint | None:
    """The checkpoint, or None after showing why it cannot be used."""
    if loaded.checkpoint is None:
        st.error(literal(loaded.error or ""), icon=":material/block:", title=f"{literal(loaded.name)} cannot be used")
    return loaded.checkpoint


def reading_notes(classifier: Classifier, text: str) -> None:
    """Warn when no word the model reads is known to it; note when it reads only a prefix."""
    name = literal(classifier.name)
    tokens = tokenize(text)
    window = classifier.max_tokens
    read = tokens if window is None else tokens[:window]
    if not read:
        st.warning(f"This text has no words {name} reads (only spaces or symbols it drops).", icon=":material/warning:")
    elif not any(classifier.is_known(token) for token in read):
        st.warning(
            f"Every word {name} reads here is unknown to it: the prediction says nothing about this text.",
            icon=":material/warning:",
        )
    if window is not None and len(tokens) > window:
        st.info(
            f"{name} reads only the first {window} tokens; this text has {len(tokens):,}. "
            "The rest does not change its prediction.",
            icon=":material/content_cut:",
        )
