"""Scoring many texts at once: a CSV (or pasted lines) in, a table of predictions out."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from rnnclf.models.classifier import Classifier
from rnnclf.scope.record import Scope, predict_and_score

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
CHUNK = 2_000  # rows per predict call: the granularity of the progress bar
LIMITS = f"CSV up to {MAX_BYTES // 2**20} MB and {MAX_ROWS:,} rows, UTF-8, with a header row"


class BatchError(ValueError):
    """A file that cannot be scored; the message says why and what to do."""


def read_table(data: bytes, name: str = "the file") -> pd.DataFrame:
    """Parse a UTF-8 CSV with a header row into a frame of strings, within the stated limits."""
    if len(data) > MAX_BYTES:
        raise BatchError(f"{name} is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BatchError(f"{name} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV") from None
    if not text.strip():
        raise BatchError(f"{name} is empty")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise BatchError(f"{name} is not a readable CSV ({error})") from None
    if frame.empty:
        raise BatchError(f"{name} has a header but no rows")
    if len(frame) > MAX_ROWS:
        raise BatchError(f"{name} has {len(frame):,} rows; the limit is {MAX_ROWS:,}")
    return frame


def guess_text_column(frame: pd.DataFrame) -> str:
    """'text' (any case) if there is one, else the column with the longest values on average."""
    for column in frame.columns:
        if str(column).strip().lower() == "text":
            return column
    return max(frame.columns, key=lambda c: frame[c].str.len().mean())


def frame_from_lines(pasted: str) -> pd.DataFrame:
    """One text per non-empty line."""
    lines = [line for line in pasted.splitlines() if line.strip()]
    if not lines:
        raise BatchError("no lines to score")
    if len(lines) > MAX_ROWS:
        raise BatchError(f"{len(lines):,} lines; the limit is {MAX_ROWS:,}")
    return pd.DataFrame({"text": lines})


def score(
    frame: pd.DataFrame,
    column: str,
    classifiers: Sequence[Classifier],
    progress: Callable[[float], None] | None = None,
    scopes: Sequence[Scope | None] | None = None,
) -> pd.DataFrame:
    """The frame with, per classifier, `<name> label` and `<name> P(<class>)` columns; with `scopes` (one per
    classifier), also `<name> scope score` and `<name> outside scope` ("true"/"false").

    Rows whose text is empty get no prediction (blank label, empty probabilities, empty scope cells); so do
    the scope cells of a checkpoint that stores no scope (None).
    """
    if column not in frame.columns:
        raise BatchError(f"no column {column!r}; the columns are: {', '.join(map(str, frame.columns))}")
    texts = frame[column].astype(str).tolist()
    has_text = np.array([bool(t.strip()) for t in texts])
    out = frame.copy()
    total = max(1, len(classifiers) * len(texts))
    done = 0
    for at, classifier in enumerate(classifiers):
        scope = scopes[at] if scopes else None
        probabilities = np.full((len(texts), len(classifier.classes)), np.nan, dtype=np.float32)
        scope_scores = np.full(len(texts), np.nan)
        index = np.flatnonzero(has_text)
        for start in range(0, len(index), CHUNK):
            rows = index[start : start + CHUNK]
            chunk = [texts[i] for i in rows]
            probabilities[rows], scores = predict_and_score(classifier, chunk, scope)
            if scores is not None:
                scope_scores[rows] = scores
            done += len(rows)
            if progress:
                progress(min(1.0, done / total))
        labels = np.array(classifier.classes, dtype=object)[np.nan_to_num(probabilities).argmax(1)]
        out[f"{classifier.name} label"] = np.where(has_text, labels, "")
        for i, name in enumerate(classifier.classes):
            out[f"{classifier.name} P({name})"] = probabilities[:, i]
        if scopes is not None:
            outside = np.where(scope_scores > scope.record.threshold, "true", "false") if scope else ""
            out[f"{classifier.name} scope score"] = scope_scores
            out[f"{classifier.name} outside scope"] = np.where(np.isnan(scope_scores), "", outside)
    if progress:
        progress(1.0)
    return out
