"""Plotly charts of the trust statistics (calibration, coverage, intervals, significance), shared by the
app and the HTML report. Every label from a file or a user is HTML-escaped: plotly renders some HTML in
labels and hover text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from rnnclf.evaluation.calibration import Coverage, Reliability
from rnnclf.evaluation.significance import ALPHA, LEVEL, Interval
from rnnclf.reporting.style import REFERENCE, RIGHT, WRONG, p_value, share


def _colours(names: Sequence[str]) -> dict[str, str]:
    """One colour per checkpoint, the same in every chart of a page (a line and its count bars match)."""
    palette = qualitative.D3
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def _layout(fig: go.Figure, height: int, **extra) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=50, b=10), **extra)
    return fig


def reliability(curves: Mapping[str, Reliability], title: str) -> go.Figure:
    """Accuracy against confidence per bin (the diagonal is perfect calibration), and each bin's count."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28], vertical_spacing=0.06)
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color=REFERENCE.rgb), name="perfect"), 1, 1
    )
    colours = _colours(list(curves))
    for name, curve in curves.items():
        label = escape(name)
        full = curve.counts > 0
        ranges = [f"{a:.2f}–{b:.2f}" for a, b in zip(curve.edges[:-1], curve.edges[1:])]
        fig.add_trace(
            go.Scatter(
                x=curve.confidence[full],
                y=curve.accuracy[full],
                mode="lines+markers",
                line_color=colours[name],
                name=label,
                legendgroup=label,
                customdata=np.stack([np.array(ranges)[full], curve.counts[full]], axis=1),
                hovertemplate=(
                    f"{label}<br>confidence %{{customdata[0]}}: %{{customdata[1]}} texts"
                    "<br>mean confidence %{x:.1%}, accuracy %{y:.1%}<extra></extra>"
                ),
            ),
            1,
            1,
        )
        centres = (curve.edges[:-1] + curve.edges[1:]) / 2
        fig.add_trace(
            go.Bar(
                x=centres,
                y=curve.counts,
                marker_color=colours[name],
                name=label,
                legendgroup=label,
                showlegend=False,
                hovertemplate=f"{label}: %{{y:,}} texts<extra></extra>",
            ),
            2,
            1,
        )
    fig.update_yaxes(title="accuracy", tickformat=".0%", range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(title="texts", type="log", row=2, col=1)
    fig.update_xaxes(title="confidence (top probability)", tickformat=".0%", range=[0, 1.02], row=2, col=1)
    return _layout(fig, 520, title=escape(title), barmode="group", legend=dict(orientation="h", y=-0.18))


def coverage(curves: Mapping[str, Coverage], title: str) -> go.Figure:
    """Keep only the predictions at or above a confidence threshold: accuracy against the share kept."""
    fig = go.Figure()
    colours = _colours(list(curves))
    for name, curve in curves.items():
        label = escape(name)
        fig.add_trace(
            go.Scatter(
                x=curve.kept,
                y=curve.accuracy,
                mode="lines",
                line_color=colours[name],
                name=label,
                customdata=curve.threshold,
                hovertemplate=(
                    f"{label}<br>confidence ≥ %{{customdata:.0%}}: keeps %{{x:.1%}}, accuracy %{{y:.2%}}<extra></extra>"
                ),
            )
        )
    fig.update_xaxes(title="share of test texts kept", tickformat=".0%", autorange="reversed")
    fig.update_yaxes(title="accuracy of those kept", tickformat=".0%")
    return _layout(fig, 380, title=escape(title), legend=dict(orientation="h", y=-0.25))


def confidence_histogram(probabilities: np.ndarray, labels: np.ndarray, title: str) -> go.Figure:
    """How confident the model is when it is right, and when it is wrong."""
    confidence = probabilities.max(1)
    correct = probabilities.argmax(1) == labels
    fig = go.Figure()
    for rows, name, colour in ((correct, "right", RIGHT.rgb), (~correct, "wrong", WRONG.rgb)):
        fig.add_trace(
            go.Histogram(
                x=confidence[rows],
                name=f"{name} ({int(rows.sum()):,})",
                marker_color=colour,
                opacity=0.7,
                xbins=dict(start=0, end=1, size=0.05),
                hovertemplate=f"{name}: %{{y:,}} texts at confidence %{{x}}<extra></extra>",
            )
        )
    fig.update_xaxes(title="confidence (top probability)", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title="texts")
    return _layout(fig, 320, title=escape(title), barmode="overlay", legend=dict(orientation="h", y=1.1))


def intervals(names: Sequence[str], values: Sequence[Interval], title: str) -> go.Figure:
    """Each checkpoint's score with its bootstrap interval as an error bar."""
    labels = [escape(n) for n in names]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=[v.estimate for v in values],
            mode="markers",
            marker=dict(size=10, color=RIGHT.rgb),
            error_y=dict(
                type="data",
                symmetric=False,
                array=[v.high - v.estimate for v in values],
                arrayminus=[v.estimate - v.low for v in values],
            ),
            customdata=[[v.low, v.high] for v in values],
            hovertemplate=f"%{{x}}: %{{y:.2%}} ({share(LEVEL)} interval %{{customdata[0]:.2%}} – %{{customdata[1]:.2%}})"
            "<extra></extra>",
        )
    )
    fig.update_yaxes(tickformat=".1%")
    return _layout(fig, 340, title=escape(title))


def p_values(names: Sequence[str], matrix: np.ndarray, title: str) -> go.Figure:
    """McNemar p-values of every pair; a pair below ALPHA is dark (a difference unlikely to be chance)."""
    labels = [escape(n) for n in names]
    text = [["" if i == j else p_value(p, compact=True) for j, p in enumerate(row)] for i, row in enumerate(matrix)]
    z = np.where(np.eye(len(names), dtype=bool), np.nan, -np.log10(np.clip(matrix, 1e-12, 1)))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=labels,
            zmin=0,
            zmax=-np.log10(ALPHA) * 2,
            colorscale="Purples",
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y} vs %{x}: p = %{text}<extra></extra>",
            showscale=False,
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, max(300, 90 + 48 * len(names)), title=escape(title))
