"""Plotly figures for the views. Every label that could come from text or files is HTML-escaped,
because plotly renders a subset of HTML (<b>, <a href>, ...) in labels and hover text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnclf.checkpoints.records import EpochRecord
from rnnclf.reporting.style import BLUE, MUTED, ORANGE, count, percent


def _labels(values: Sequence[str]) -> list[str]:
    return [escape(str(v)) for v in values]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not math.isnan(value)


def _layout(height: int, **extra) -> dict:
    """The views' common layout. Passed whole to `go.Figure`: plotly validates a constructor's layout
    once, while each `update_*` call walks its own slower path, and the Probe chart is drawn on every run."""
    return dict(height=height, margin=dict(l=10, r=10, t=40, b=10), **extra)


def probabilities(classes: Sequence[str], probs: np.ndarray) -> go.Figure:
    """One bar per class, the predicted one coloured."""
    best = int(np.argmax(probs))
    return go.Figure(
        go.Bar(
            x=_labels(classes),
            y=probs,
            marker_color=[BLUE.rgb if i == best else MUTED.rgb for i in range(len(classes))],
            text=[percent(p, 1) for p in probs],
            textposition="outside",
            hovertemplate="%{x}: %{y:.2%}<extra></extra>",
        ),
        layout=_layout(300, title="Class probabilities", yaxis=dict(range=[0, 1.12], tickformat=".0%", title=None)),
    )


def _fractions(
    grid: np.ndarray, rows: Sequence[str], columns: Sequence[str], hover: str, title: str, zmin: float = 0.0
) -> go.Figure:
    """A grid of fractions up to 1, each cell labelled in percent; colours span [zmin, 1]."""
    return go.Figure(
        go.Heatmap(
            z=grid,
            x=_labels(columns),
            y=_labels(rows),
            zmin=zmin,
            zmax=1,
            colorscale="Blues",
            text=[[percent(p, 1) for p in row] for row in grid],
            texttemplate="%{text}",
            hovertemplate=hover,
            showscale=False,
        ),
        layout=_layout(90 + 48 * len(rows), title=title, yaxis=dict(autorange="reversed")),
    )


def probability_grid(names: Sequence[str], classes: Sequence[str], grid: np.ndarray) -> go.Figure:
    """Checkpoints down, classes across, each cell a probability."""
    return _fractions(grid, names, classes, "%{y} · %{x}: %{z:.2%}<extra></extra>", "Probabilities by checkpoint")


def agreement(names: Sequence[str], matrix: np.ndarray) -> go.Figure:
    """Checkpoints down and across, each cell the fraction of test examples on which the two agree.

    Models mostly agree, so the colours start a little below the lowest agreement, not at 0."""
    hover, zmin = "%{y} and %{x} agree on %{z:.2%}<extra></extra>", max(0.0, float(matrix.min()) - 0.1)
    fig = _fractions(matrix, names, names, hover, "Agreement on the test split", zmin=zmin)
    return fig.update_layout(height=max(fig.layout.height, 300))


def top_words(top: Sequence[tuple[str, float]], class_name: str, method: str = "LIME") -> go.Figure:
    """A method's top words, largest |weight| on top; positions as ticks so a repeated word keeps its bar."""
    rows = list(top)
    positions = list(range(len(rows)))
    return go.Figure(
        go.Bar(
            x=[w for _, w in rows],
            y=positions,
            orientation="h",
            marker_color=[BLUE.rgb if w > 0 else ORANGE.rgb for _, w in rows],
            customdata=_labels([word for word, _ in rows]),
            hovertemplate="%{customdata}: %{x:+.4f}<extra></extra>",
        ),
        layout=_layout(
            80 + 28 * max(len(rows), 1),
            title="Top words",
            xaxis=dict(title=f"{escape(method)} score for {escape(class_name)}", zeroline=True),
            yaxis=dict(tickvals=positions, ticktext=_labels([word for word, _ in rows]), autorange="reversed"),
        ),
    )


def confusion(matrix: Sequence[Sequence[int]], classes: Sequence[str], normalized: bool, title: str) -> go.Figure:
    """Rows: true class; columns: predicted. Row-normalized shows each row as fractions (recall on the diagonal)."""
    counts = np.asarray(matrix, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    z = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0) if normalized else counts
    text = [[percent(v, 1) if normalized else count(int(v)) for v in row] for row in z]
    return go.Figure(
        go.Heatmap(
            z=z,
            x=_labels(classes),
            y=_labels(classes),
            colorscale="Blues",
            text=text,
            texttemplate="%{text}",
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
            showscale=False,
        ),
        layout=_layout(
            360,
            title=escape(title),
            xaxis=dict(title="predicted", side="bottom"),
            yaxis=dict(title="true", autorange="reversed"),
        ),
    )


def confusion_picker(
    matrix: Sequence[Sequence[int]], classes: Sequence[str], chosen: tuple[int, int], title: str
) -> go.Figure:
    """The confusion counts with the chosen cell framed, and an invisible point on every cell to click:
    plotly cannot select heatmap cells, but it can select points (point i is cell divmod(i, len(classes)))."""
    fig = confusion(matrix, classes, normalized=False, title=title)
    fig.update_traces(hoverinfo="skip", hovertemplate=None)  # the points carry the hover
    labels = _labels(classes)
    true, predicted = np.divmod(np.arange(len(classes) ** 2), len(classes))
    counts = np.asarray(matrix).ravel()
    fig.add_trace(
        go.Scatter(
            x=[labels[p] for p in predicted],
            y=[labels[t] for t in true],
            mode="markers",
            marker=dict(size=48, symbol="square", opacity=0),
            selected=dict(marker=dict(opacity=0)),
            unselected=dict(marker=dict(opacity=0)),
            text=[count(n) for n in counts],
            hovertemplate="true %{y}, predicted %{x}: %{text} · click to list them<extra></extra>",
            showlegend=False,
        )
    )
    row, column = chosen
    fig.add_shape(
        type="rect", x0=column - 0.5, x1=column + 0.5, y0=row - 0.5, y1=row + 0.5, line=dict(color=ORANGE.rgb, width=4)
    )
    return fig


def training_curves(history: Sequence[EpochRecord], best_epoch: int | None) -> go.Figure:
    """Loss (train and validation) and validation accuracy per epoch, the kept epoch marked."""
    epochs = [h.epoch for h in history]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Validation accuracy"))
    for key, name, colour in (("train_loss", "train loss", BLUE.rgb), ("val_loss", "validation loss", ORANGE.rgb)):
        fig.add_trace(go.Scatter(x=epochs, y=[getattr(h, key) for h in history], name=name, line_color=colour), 1, 1)
    fig.add_trace(
        go.Scatter(
            x=epochs,
            y=[h.val_accuracy for h in history],
            name="validation accuracy",
            line_color=BLUE.rgb,
            showlegend=False,
        ),
        1,
        2,
    )
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_xaxes(title="epoch")
    if best_epoch is not None:
        for col in (1, 2):
            fig.add_vline(x=best_epoch, line_dash="dot", line_color=MUTED.rgb, row=1, col=col)
        fig.add_annotation(
            x=best_epoch,
            y=0.03,
            xref="x2",
            yref="y2 domain",
            text=f" kept: epoch {best_epoch}",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font_size=11,
        )
    return fig.update_layout(_layout(320, legend=dict(orientation="h", y=-0.25)))


def accuracy_vs_tutorial(
    names: Sequence[str], ours: Sequence[float | None], tutorial: Sequence[float | None]
) -> go.Figure:
    """Test accuracy next to the tutorial's reported figure (fractions, shown in %); without any tutorial
    figure (another dataset than the tutorial's), no tutorial bars and no legend entry for them."""
    fig = go.Figure()
    series = [(ours, "test accuracy (ours)", BLUE.rgb)]
    if any(_is_number(v) for v in tutorial):
        series.append((tutorial, "tutorial's reported", MUTED.rgb))
    for values, label, colour in series:
        fig.add_trace(
            go.Bar(
                x=_labels(names),
                y=values,
                name=label,
                marker_color=colour,
                text=[percent(v) if _is_number(v) else "" for v in values],
                textposition="outside",
            )
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return fig.update_layout(_layout(340, barmode="group", legend=dict(orientation="h", y=1.12)))
