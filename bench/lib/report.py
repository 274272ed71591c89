"""Result tables: absolute figures (min / median / max) beside what they are compared with, as Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.lib.timing import Stats


@dataclass(frozen=True)
class Row:
    name: str
    unit: str
    value: Stats
    compared: Stats | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None  # None: no target, or not measured at the target's settings


@dataclass(frozen=True)
class Table:
    title: str
    compared: str  # header of the compared figure, e.g. "Tutorial path"; "" for none
    ratio: str  # header of the ratio, e.g. "Speed-up (tutorial ÷ project)"; "" for none
    rows: Sequence[Row]
    notes: Sequence[str] = ()
    ratio_format: str = "{:.2f}x"


def number(x: float) -> str:
    """Three significant digits or whole numbers, whichever reads better."""
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) >= 0.001 else f"{x:.2g}"


def figure(stats: Stats | None, unit: str) -> str:
    if stats is None:
        return ""
    if len(stats.samples) == 1:
        return f"{number(stats.median)} {unit}"
    return f"{number(stats.min)} / **{number(stats.median)}** / {number(stats.max)} {unit}"


def verdict(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "**no**")


def markdown(table: Table) -> str:
    """The table; a column whose header is empty is left out."""
    header = ["Measurement", "This project (min / **median** / max)"]
    header += [h for h in (table.compared, table.ratio) if h]
    header += ["Target", "Met"]
    lines = [f"### {table.title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.rows:
        cells = [row.name, figure(row.value, row.unit)]
        if table.compared:
            cells.append(figure(row.compared, row.unit))
        if table.ratio:
            cells.append("" if row.ratio is None else table.ratio_format.format(row.ratio))
        cells += [row.target, verdict(row.met)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *(f"- {note}" for note in table.notes)]
    return "\n".join(lines).rstrip() + "\n"
