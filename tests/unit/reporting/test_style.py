"""One palette, typed once: no file but rnnclf/reporting/style.py writes its colours, in any notation; the
number formats write what the reports always printed."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from rnnclf.core.paths import PROJECT_ROOT
from rnnclf.reporting import style
from rnnclf.reporting.style import Colour, class_colours

PALETTE = (style.BLUE, style.ORANGE, style.MUTED, style.REFERENCE)
STYLE = PROJECT_ROOT / "rnnclf" / "reporting" / "style.py"
THEME = PROJECT_ROOT / ".streamlit" / "config.toml"  # TOML cannot import: checked to equal the palette instead
GENERATED = {".git", ".venv", "runs", "checkpoints", "data", "reports", "__pycache__", ".pytest_cache", ".ruff_cache"}
TEXT = {".py", ".toml", ".md", ".css", ".js", ".html", ".json", ".cfg", ".txt"}


def _pattern(colour: Colour) -> re.Pattern[str]:
    """The colour as hex (#rrggbb) or as an r, g, b triple (rgb(), rgba(), a Python tuple)."""
    triple = rf"\b{colour.red}\s*,\s*{colour.green}\s*,\s*{colour.blue}\b"
    return re.compile(f"{re.escape(colour.hex)}\\b|{triple}", re.IGNORECASE)


def _sources(root: Path) -> Iterator[Path]:
    for path in sorted(root.iterdir()):
        if path.is_dir() and path.name not in GENERATED:
            yield from _sources(path)
        elif path.is_file() and path.suffix in TEXT:
            yield path


def typed_colours(root: Path) -> list[str]:
    """'file: colour' for every palette colour typed under `root` outside style.py and the theme."""
    found = []
    for path in _sources(root):
        if path in (STYLE, THEME):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(root)}: {m.group(0)}" for c in PALETTE for m in _pattern(c).finditer(text)]
    return found


def test_no_file_types_a_palette_colour() -> None:
    assert typed_colours(PROJECT_ROOT) == []


def test_the_check_finds_a_typed_colour(tmp_path: Path) -> None:
    blue, orange = style.BLUE, style.ORANGE
    (tmp_path / "view.py").write_text(
        f'A = "{blue.hex.upper()}"\nB = ({orange.red}, {orange.green}, {orange.blue})\nC = "{blue.rgba(0.5)}"\n'
    )
    (tmp_path / "notes.md").write_text(f"tinted {style.MUTED.rgb}\n")
    assert len(typed_colours(tmp_path)) == 4


def test_the_app_theme_is_the_palettes_blue() -> None:
    assert tomllib.loads(THEME.read_text(encoding="utf-8"))["theme"]["primaryColor"] == style.BLUE.hex


def test_colour_notations() -> None:
    colour = Colour(1, 22, 255)
    assert (colour.rgb, colour.rgba(0.7), colour.hex) == ("rgb(1,22,255)", "rgba(1,22,255,0.70)", "#0116ff")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (style.percent(0.83134), "83.13%"),
        (style.percent(0.83134, 1), "83.1%"),
        (style.points(0.83134), "83.13"),
        (style.points(1.0), "100.00"),
        (style.share(0.95), "95 %"),
        (style.share(0.975), "97.5 %"),
        (style.count(47282), "47,282"),
        (style.score(0.83174), "0.8317"),
        (style.score(1.25, 3), "1.250"),
        (style.span("82.25", "83.96"), "82.25 – 83.96"),
        (style.p_value(0.03125), "0.031"),
        (style.p_value(3e-9), "< 0.0001"),
        (style.p_value(3e-9, compact=True), "<0.0001"),
        (style.p_value(0.5, compact=True), "0.5"),
    ],
)
def test_number_formats(written: str, expected: str) -> None:
    assert written == expected


@pytest.mark.parametrize("classes", [2, 4, 10, 11, 25, 100])
def test_every_class_has_a_colour_of_its_own(classes: int) -> None:
    from plotly.colors import qualitative

    colours = class_colours(classes)
    assert len(colours) == len(set(colours)) == classes
    if classes <= len(qualitative.D3):  # the qualitative set while it lasts, in its order
        assert colours == tuple(qualitative.D3[:classes])
