"""A report to take away: one self-contained HTML file with the summary and its intervals, calibration,
the significance matrix, the confusion matrices, and pinned texts with every checkpoint's probabilities.

Plotly's JavaScript is inlined once (no network needed to open the file, no external font); every piece
of text from a file or a user goes through `html.escape`, so a pinned `<script>` stays text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import plotly.graph_objects as go

from rnnclf.checkpoints.registry import Checkpoint, left_out_note, of_dataset
from rnnclf.data.dataset import Split
from rnnclf.evaluation.calibration import BINS, accuracy_coverage, reliability, scale
from rnnclf.evaluation.significance import (
    LEVEL,
    RESAMPLES,
    SEED,
    adjusted_sentence,
    intervals,
    mcnemar_matrix,
    pair_tests,
)
from rnnclf.reporting import charts
from rnnclf.reporting.style import AGAINST, TOWARD, count, percent, score, share, span

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;
color:#1f2430;line-height:1.45;padding:0 1rem}
h1{font-size:1.7rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .55rem}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f5f7}
.pin{border:1px solid #ccd;border-radius:.5rem;padding:.6rem 1rem;margin:1rem 0}
.text{white-space:pre-wrap;overflow-wrap:anywhere;background:#f8f8fa;padding:.5rem;border-radius:.3rem}
.note{color:#666;font-size:.85rem}""" + (
    f".bar{{display:inline-block;height:.7rem;background:{TOWARD.hex};vertical-align:middle}}\n"
    f".toward{{color:{TOWARD.hex}}}.against{{color:{AGAINST.hex}}}\n"
)


@dataclass(frozen=True)
class PinnedPrediction:
    checkpoint: str
    label: str
    probabilities: tuple[tuple[str, float], ...]  # (class, probability) in the model's class order


@dataclass(frozen=True)
class PinnedWords:
    """LIME's top words for one checkpoint and class: (word, weight), largest |weight| first."""

    checkpoint: str
    class_name: str
    words: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Pin:
    """What a view showed, pinned into the report: the text, predictions, any explanations."""

    view: str
    text: str
    predictions: tuple[PinnedPrediction, ...]
    explanations: tuple[PinnedWords, ...] = ()
    note: str = ""


def prediction(checkpoint: str, classes: Sequence[str], probabilities: np.ndarray) -> PinnedPrediction:
    pairs = tuple((c, float(p)) for c, p in zip(classes, probabilities))
    return PinnedPrediction(checkpoint, classes[int(np.argmax(probabilities))], pairs)


def probe(text: str, checkpoints: Sequence[Checkpoint], view: str = "Probe", note: str = "") -> Pin:
    """Every checkpoint's (raw) probabilities for `text`."""
    predictions = tuple(
        prediction(c.name, c.classifier.classes, c.classifier.predict_proba([text])[0]) for c in checkpoints
    )
    return Pin(view, text, predictions, note=note)


def _figure(figure: go.Figure, first: bool) -> str:
    """A chart as a <div>; the first one carries plotly.js inline, the others reuse it."""
    return figure.to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False})


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table; every cell escaped, numbers (already formatted by the caller) right-aligned."""

    def cell(value: object) -> str:
        text = escape(str(value))
        return (
            f'<td class="n">{text}</td>'
            if isinstance(value, (int, float)) or _numeric(str(value))
            else f"<td>{text}</td>"
        )

    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _numeric(text: str) -> bool:
    return bool(text) and text.lstrip("<–-").strip().replace(",", "").replace(".", "").replace("%", "").isdigit()


def _pin(pin: Pin, index: int) -> str:
    parts = [f"<h3>{index}. {escape(pin.view)}</h3>"]
    if pin.note:
        parts.append(f'<p class="note">{escape(pin.note)}</p>')
    parts.append(f'<div class="text">{escape(pin.text)}</div>')
    classes = list(dict.fromkeys(c for p in pin.predictions for c, _ in p.probabilities))
    rows = []
    for p in pin.predictions:
        values = dict(p.probabilities)
        rows.append([p.checkpoint, p.label, *(percent(values[c], 1) if c in values else "–" for c in classes)])
    parts.append(_table(["checkpoint", "predicted", *classes], rows))
    for explanation in pin.explanations:
        scale_ = max((abs(w) for _, w in explanation.words), default=0) or 1
        items = "".join(
            f'<tr><td>{escape(word)}</td><td class="n {"toward" if w > 0 else "against"}">{w:+.4f}</td>'
            f'<td><span class="bar" style="width:{100 * abs(w) / scale_:.0f}px;'
            f'{"" if w > 0 else f"background:{AGAINST.hex}"}"></span></td></tr>'
            for word, w in explanation.words
        )
        parts.append(
            f"<p>LIME words for <b>{escape(explanation.class_name)}</b> · {escape(explanation.checkpoint)} "
            '(<span class="toward">toward</span> / <span class="against">against</span> the class)</p>'
            f"<table><tr><th>word</th><th>weight</th><th></th></tr>{items}</table>"
        )
    return '<div class="pin">' + "".join(parts) + "</div>"


def _confusion(checkpoint: Checkpoint) -> str:
    test = checkpoint.metrics.test
    rows = [[f"true {c}", *map(count, row)] for c, row in zip(test.classes, test.confusion)]
    return f"<h3>{escape(checkpoint.name)}</h3>" + _table(["", *(f"predicted {c}" for c in test.classes)], rows)


def build(
    checkpoints: Sequence[Checkpoint], split: Split, pins: Sequence[Pin] = (), title: str = "rnnclf report"
) -> str:
    """The whole report as one HTML document: the checkpoints of the first one's dataset on `split`, that
    dataset's test split (a note names any checkpoint of another dataset, left out)."""
    checkpoints, others = of_dataset(checkpoints, checkpoints[0].dataset) if checkpoints else ([], [])
    labels = split.labels
    names = [c.name for c in checkpoints]
    probabilities = {c.name: c.test_probabilities(split) for c in checkpoints}
    predicted = np.stack([p.argmax(1) for p in probabilities.values()]) if checkpoints else np.zeros((0, len(labels)))
    found = {name: intervals(labels, predicted[i], probabilities[name].shape[1]) for i, name in enumerate(names)}
    summary = []
    for c in checkpoints:
        accuracy, f1 = found[c.name]
        calibration = c.metrics.calibration
        raw_ece = reliability(probabilities[c.name], labels).ece
        summary.append(
            [
                c.name,
                c.title,
                percent(accuracy.estimate),
                span(percent(accuracy.low), percent(accuracy.high)),
                score(f1.estimate),
                span(score(f1.low), score(f1.high)),
                "–" if c.config.tutorial_accuracy is None else percent(c.config.tutorial_accuracy),
                percent(raw_ece),
                "–" if calibration is None else score(calibration.temperature, 3),
                "–" if calibration is None else percent(calibration.test_ece_after),
            ]
        )
    level = share(LEVEL)
    sections = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="note">{len(checkpoints)} checkpoints, {len(labels):,} test texts'
        + (f" ({escape(checkpoints[0].dataset.display_title)})" if checkpoints else "")
        + ". Every figure is computed from each checkpoint's stored test predictions; nothing was retrained.</p>",
        *([f'<p class="note">{escape(left_out_note(others, checkpoints[0].dataset))}</p>'] if others else []),
        "<h2>Summary</h2>",
        _table(
            ["checkpoint", "title", "test accuracy", f"{level} interval", "macro-F1", f"{level} interval", "tutorial"]
            + ["ECE", "temperature", "ECE calibrated"],
            summary,
        ),
        f'<p class="note">Intervals: percentile bootstrap over the test texts, {count(RESAMPLES)} resamples, seed {SEED}. '
        f"ECE: expected calibration error over {BINS} equal-width confidence bins; the temperature is fitted on "
        "each checkpoint's validation split.</p>",
    ]
    if checkpoints:
        accuracy = [found[n][0] for n in names]
        sections.append(_figure(charts.intervals(names, accuracy, f"Test accuracy with {level} intervals"), first=True))
        sections += ["<h2>Is the difference real?</h2>", _significance(names, labels, predicted)]
        matrix = mcnemar_matrix(names, labels, predicted)
        sections.append(_figure(charts.p_values(names, matrix, "McNemar's exact test (p-values)"), first=False))
        sections.append("<h2>Calibration</h2>")
        curves = {n: reliability(p, labels) for n, p in probabilities.items()}
        sections.append(_figure(charts.reliability(curves, "Reliability on the test split (raw)"), first=False))
        calibrated = {
            c.name: reliability(scale(probabilities[c.name], c.metrics.calibration.temperature), labels)
            for c in checkpoints
            if c.metrics.calibration is not None
        }
        if calibrated:
            title_ = "Reliability after temperature scaling"
            sections.append(_figure(charts.reliability(calibrated, title_), first=False))
        coverage = {n: accuracy_coverage(p, labels) for n, p in probabilities.items()}
        sections.append(_figure(charts.coverage(coverage, "Accuracy–coverage"), first=False))
        sections.append("<h2>Confusion matrices (test split)</h2>")
        sections += [_confusion(c) for c in checkpoints if c.metrics.test is not None]
    sections.append(f"<h2>Pinned texts ({len(pins)})</h2>")
    sections += [_pin(pin, i) for i, pin in enumerate(pins, 1)] or ['<p class="note">Nothing pinned.</p>']
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>" + "\n".join(sections) + "</body></html>\n"
    )


def _significance(names: list[str], labels: np.ndarray, predicted: np.ndarray) -> str:
    tests = pair_tests(names, labels, predicted)
    if not tests:
        return '<p class="note">One checkpoint: nothing to compare.</p>'
    return "<ul>" + "".join(f"<li>{escape(adjusted_sentence(t, q, len(tests)))}</li>" for t, q in tests) + "</ul>"
