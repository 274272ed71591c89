"""The command line's tables: the checkpoint summary and its bootstrap intervals, the calibration table, the
behavioural failure rates. Aligned text for a terminal, Markdown for the files in reports/: those files are
what these commands print or write, so a changed byte is a changed report."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rnnclf.checkpoints.records import Calibration
from rnnclf.checkpoints.registry import SummaryRow
from rnnclf.evaluation.significance import LEVEL, RESAMPLES, SEED, Interval
from rnnclf.reporting.style import count, percent, points, score, share, span


@dataclass(frozen=True)
class Column:
    """One column of the summary: its header, the row's value, and how a value is written ('-' when absent)."""

    header: str
    value: Callable[[SummaryRow], object]
    show: Callable[..., str] = str

    def cell(self, row: SummaryRow) -> str:
        value = self.value(row)
        return "-" if value is None else self.show(value)


SUMMARY_COLUMNS = (
    Column("checkpoint", lambda r: r.checkpoint),
    Column("test acc %", lambda r: r.test_accuracy, points),
    Column("tutorial %", lambda r: r.tutorial_accuracy, points),
    Column("train rows", lambda r: r.training_rows, count),
    Column("epochs", lambda r: r.epochs),
    Column("parameters", lambda r: r.parameters, count),
    Column("train s", lambda r: r.training_seconds, lambda seconds: f"{seconds:.0f}"),
    Column("title", lambda r: r.title),  # free text: last, and left unpadded in the aligned table
)
CALIBRATION_HEADER = "| checkpoint | temperature | validation NLL before | after | test ECE before | after |"
CALIBRATION_ALIGN = "|---|---:|---:|---:|---:|---:|"


def markdown_table(header: Sequence[str], align: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    """A Markdown table; `align` holds each column's '---' (left) or '---:' (right)."""
    return "\n".join("| " + " | ".join(line) + " |" for line in [header, align, *cells])


def aligned(rows: Sequence[Sequence[str]], free_last: bool = False) -> str:
    """Text columns two spaces apart, the first left-aligned and the others right-aligned; with `free_last` the
    last column (a title) follows unpadded, so one long title does not widen every line."""
    fixed = len(rows[0]) - free_last
    widths = [max(len(row[i]) for row in rows) for i in range(fixed)]
    return "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        + ("  " + row[-1] if free_last else "")
        for row in rows
    )


def summary_table(rows: Sequence[SummaryRow], markdown: bool) -> str:
    """The summary rows as aligned text, or as a Markdown table for reports/summary.md."""
    header = [column.header for column in SUMMARY_COLUMNS]
    cells = [
        [r.checkpoint, f"ERROR: {r.error}", *[""] * (len(header) - 2)]
        if r.error
        else [column.cell(r) for column in SUMMARY_COLUMNS]
        for r in rows
    ]
    if markdown:
        return markdown_table(header, ["---"] + ["---:"] * (len(header) - 2) + ["---"], cells)
    return aligned([header, *cells], free_last=True)


def intervals_table(found: Mapping[str, tuple[Interval, Interval]], markdown: bool) -> str:
    """Accuracy and macro-F1 with their bootstrap intervals, one line per checkpoint."""
    level = share(LEVEL)
    title = f"{level} bootstrap intervals on the test split ({count(RESAMPLES)} resamples, seed {SEED})"
    header = ["checkpoint", "test acc %", f"{level} interval", "macro-F1", f"{level} interval"]
    cells = [
        [name, points(a.estimate), span(points(a.low), points(a.high)), score(f.estimate)]
        + [span(score(f.low), score(f.high))]
        for name, (a, f) in found.items()
    ]
    if markdown:
        return f"{title}:\n\n" + markdown_table(header, ["---", "---:", "---:", "---:", "---:"], cells)
    return "\n".join([f"{title}:", aligned([header, *cells])])


def calibration_row(name: str, calibration: Calibration) -> str:
    """One checkpoint's line of the calibration table (Markdown, printed as each checkpoint is fitted)."""
    c = calibration
    return (
        f"| {name} | {c.temperature:.3f} | {score(c.val_nll_before)} | {score(c.val_nll_after)} "
        f"| {percent(c.test_ece_before)} | {percent(c.test_ece_after)} |"
    )


def calibration_document(lines: Sequence[str], bins: int) -> str:
    """reports/calibration.md: what was fitted, and the table's `lines` (header first)."""
    return (
        f"Temperature scaling, fitted on each checkpoint's validation split; ECE over {bins} equal-width "
        "bins on the test split (`python -m rnnclf calibrate --all --markdown reports/calibration.md`).\n\n"
        + "\n".join(lines)
        + "\n"
    )


def failure_rates_table(rates: Mapping[str, Mapping[str, float]], checkpoints: Sequence[str]) -> str:
    """The behavioural tests down, the checkpoints across (names cut to the column's width), each cell a
    failure rate."""
    width = max(map(len, rates))
    lines = [" " * width + "  " + "  ".join(name[:10].rjust(10) for name in checkpoints)]
    lines += [
        test.ljust(width) + "  " + "  ".join(f"{rate:10.1%}" for rate in row.values()) for test, row in rates.items()
    ]
    return "\n".join(lines)
