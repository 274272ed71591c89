"""CSV cells that a spreadsheet would run as a formula, neutralised before any CSV is written.

A text such as `=HYPERLINK("http://x", "click")` or `@SUM(A1)` in an uploaded CSV, a pasted line or
a test-split text comes back in our CSVs; opened in a spreadsheet it would run. OWASP's advice: a cell
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which spreadsheets
show as text. Plain numbers (`-3`, `+1.5e3`) cannot run and are left as they are, and numeric columns
are never touched.
"""

from __future__ import annotations

import re
from typing import IO

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def cell(value: object) -> object:
    """`value` with a leading `'` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and headers are safe to open in a spreadsheet.

    Row by row, so it can be applied to each chunk of a streamed CSV.
    """
    out = frame.rename(columns=cell)
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(cell)
    return out


def to_csv(frame: pd.DataFrame, target: str | IO[str] | None = None, header: bool = True) -> str | None:
    """`frame` neutralised and written as RFC 4180 CSV (to `target`, or returned as a string).

    CRLF line ends make pandas quote a cell holding a lone carriage return, which it otherwise writes
    bare, so that readers split the row there. `header=False` appends a further chunk of the same table.
    """
    return neutralise(frame).to_csv(target, index=False, header=header, lineterminator="\r\n")
