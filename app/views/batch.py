"""Batch scoring: many texts, from a CSV or pasted lines, through one or more checkpoints at once;
the predictions come back as a table to download (the same as `python -m rnnclf predict`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from app import state, trust
from app.notices import usable
from app.readable import MISSING
from app.safe import literal
from app.sidebar import Context, context
from rnnclf.scoring import csvsafe
from rnnclf.scoring.batch import (
    LIMITS,
    MAX_BYTES,
    MAX_ROWS,
    BatchError,
    frame_from_lines,
    guess_text_column,
    read_table,
    score,
)

UPLOAD, PASTE = "Upload a CSV", "Paste lines"
RESULT_KEY = "batch_result"  # (what was scored, the scored frame): kept until the inputs change
SHOWN_ROWS = 1_000  # rows drawn on the page; the download has them all


def _texts() -> tuple[pd.DataFrame, str, tuple] | None:
    """The texts to score as (frame, text column, identity of the input), or None after saying what is
    missing or why the input cannot be read."""
    source = st.segmented_control(
        "Texts from", [UPLOAD, PASTE], default=UPLOAD, required=True, key="batch_source", persist_state="session"
    )
    try:
        if source == PASTE:
            pasted = st.text_area(
                "Texts, one per line",
                key="batch_lines",
                height=180,
                persist_state="session",
                placeholder="One news text per line; empty lines are skipped.",
            )
            if not pasted.strip():
                st.info("Paste some texts above, one per line.", icon=":material/edit_note:")
                return None
            return frame_from_lines(pasted), "text", (PASTE, pasted)
        upload = st.file_uploader(
            "CSV file with a header row", type="csv", max_upload_size=MAX_BYTES // 2**20, key="batch_file"
        )
        if upload is None:
            st.info(
                "Upload a CSV with one text per row, or paste lines instead. "
                "A file marked red was refused: point at it to see why.",
                icon=":material/upload_file:",
            )
            return None
        frame = read_table(upload.getvalue(), upload.name)
    except BatchError as error:
        st.error(literal(error), icon=":material/error:", title="Cannot score this")
        return None
    columns = list(frame.columns)
    column = st.selectbox(
        "Text column",
        columns,
        index=columns.index(guess_text_column(frame)),
        key="batch_column",
        help="Guessed: a column named 'text', else the one with the longest values.",
    )
    return frame, column, (UPLOAD, upload.file_id, column)


def _run(frame: pd.DataFrame, column: str, names: Sequence[str]) -> pd.DataFrame | None:
    """Score with a progress bar, gone once done; None (and a notice) when the server is too busy."""
    bar = st.progress(0.0, text="Waiting for a free core…")
    loaded = [state.load(name) for name in names]
    classifiers = [item.checkpoint.classifier for item in loaded]
    scopes = [state.scope(item) for item in loaded]
    try:
        with state.heavy_slot("scoring"):
            return score(
                frame, column, classifiers, lambda done: bar.progress(done, text=f"Scoring… {done:.0%}"), scopes=scopes
            )
    except state.ServerBusy as error:
        st.warning(f"Not scored: {error}.", icon=":material/hourglass_top:")
        return None
    finally:
        bar.empty()


def _result(frame: pd.DataFrame, column: str, names: Sequence[str]) -> None:
    """The first rows as a table, and the whole of it as a CSV download."""
    st.success(
        f"Scored {len(frame):,} rows with {len(names)} checkpoint{'s' * (len(names) > 1)}.", icon=":material/task_alt:"
    )
    empty = int((frame[column].astype(str).str.strip() == "").sum())
    if empty:
        st.warning(f"No prediction for {empty:,} row{'s' * (empty > 1)} without text.", icon=":material/warning:")
    probability = st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
    scored = tuple(f"{name} P(" for name in names)  # score()'s probability columns: "<name> P(<class>)"
    st.dataframe(
        frame.head(SHOWN_ROWS),
        placeholder=MISSING,
        column_config={c: probability for c in frame.columns if str(c).startswith(scored)},
    )
    if len(frame) > SHOWN_ROWS:
        st.caption(f"Showing the first {SHOWN_ROWS:,} of {len(frame):,} rows; the download has them all.")
    st.download_button(
        "Download CSV",
        data=lambda: csvsafe.to_csv(frame),
        file_name="rnnclf-predictions.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="batch_csv",
    )


def show(ctx: Context) -> None:
    selected, names = ctx.selected, ctx.names
    st.caption(
        f"Limits: {LIMITS}; or up to {MAX_ROWS:,} pasted lines. Rows with empty text get no prediction. "
        "Each checkpoint also gives a scope score and whether the text is outside its scope (unlike its training "
        "texts; empty where it stores no scope). "
        "The same as `python -m rnnclf predict --input FILE.csv --output OUT.csv`."
    )
    texts = _texts()
    working = [name for name in names if usable(state.load(name)) is not None]
    chosen = st.multiselect(
        "Checkpoints",
        working,
        default=[selected] if selected in working else working[:1],
        key="batch_checkpoints",
        persist_state="session",
    )
    if texts is None:
        return
    frame, column, source = texts
    inputs = (source, tuple(chosen))
    if st.button("Score", type="primary", icon=":material/play_arrow:", disabled=not chosen, key="batch_score"):
        scored = _run(frame, column, chosen)
        if scored is not None:
            st.session_state[RESULT_KEY] = (inputs, scored)
    stored = st.session_state.get(RESULT_KEY)
    if stored is not None and stored[0] == inputs:
        _result(trust.calibrated_batch(stored[1], chosen, ctx.calibrated), column, chosen)
    elif not chosen:
        st.info("Pick at least one checkpoint.", icon=":material/checklist:")


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
