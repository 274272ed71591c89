"""The look that the app, the charts, the HTML report and the command line's tables share: one palette and
one way to write each kind of number, so a figure reads the same wherever it is shown.

Blue and orange carry every two-sided meaning (a word toward or against a class, a prediction right or wrong):
the pair stays distinct to the colour-blind. `tests/unit/reporting/test_style.py` checks that no other file
types these colours.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnclf.evaluation.significance import format_p


@dataclass(frozen=True)
class Colour:
    """An sRGB colour, written in whichever notation its destination takes (plotly, CSS, a Streamlit theme)."""

    red: int
    green: int
    blue: int

    @property
    def rgb(self) -> str:
        return f"rgb({self.red},{self.green},{self.blue})"

    def rgba(self, alpha: float) -> str:
        return f"rgba({self.red},{self.green},{self.blue},{alpha:.2f})"

    @property
    def hex(self) -> str:
        return f"#{self.red:02x}{self.green:02x}{self.blue:02x}"


BLUE = Colour(47, 111, 179)  # also the app's theme colour (.streamlit/config.toml's primaryColor)
ORANGE = Colour(214, 96, 32)
TOWARD = RIGHT = BLUE  # a word that pushes the class's probability up; a right prediction
AGAINST = WRONG = ORANGE  # one that pushes it down; a wrong prediction
MUTED = Colour(170, 178, 189)  # context, not the point: the classes not predicted, the tutorial's figure
REFERENCE = Colour(150, 150, 150)  # a line to read against, such as perfect calibration


def class_colours(classes: int) -> tuple[str, ...]:
    """One colour per class, in class order: plotly's D3 qualitative set while it lasts (ten hues told apart
    at a glance, neighbours never alike); beyond ten, hues evenly spaced around plotly's cyclic HSV scale,
    so every class still has a colour of its own (`tests/unit/reporting/test_style.py`)."""
    from plotly.colors import cyclical, qualitative, sample_colorscale

    if classes <= len(qualitative.D3):
        return tuple(qualitative.D3[:classes])
    return tuple(sample_colorscale(cyclical.HSV, [i / classes for i in range(classes)]))


def percent(fraction: float, decimals: int = 2) -> str:
    """A fraction in percent: 0.8313 gives '83.13%'."""
    return f"{fraction:.{decimals}%}"


def points(fraction: float, decimals: int = 2) -> str:
    """A fraction in percent without the sign, for a column whose header carries it: 0.8313 gives '83.13'."""
    return percent(fraction, decimals).removesuffix("%")


def share(fraction: float) -> str:
    """A round share as the prose and headers write it, with a space: the 0.95 of an interval gives '95 %'."""
    return f"{fraction * 100:g} %"


def count(number: int) -> str:
    """A count with thousands separators: '47,282'."""
    return f"{number:,}"


def score(value: float, decimals: int = 4) -> str:
    """A score on a fixed scale (macro-F1, a word's weight), with a fixed number of decimals."""
    return f"{value:.{decimals}f}"


def span(low: str, high: str) -> str:
    """An interval from its two formatted ends: '82.25 – 83.96'."""
    return f"{low} – {high}"


def p_value(p: float, compact: bool = False) -> str:
    """A p-value as the significance report prints it; `compact` (a heatmap cell) drops the space of its
    '< 0.0001' floor."""
    text = format_p(p)
    return text.replace(" ", "") if compact else text
