"""The trust numbers in the app: calibration (Evaluate), bootstrap intervals (Summary) and McNemar's test
(Disagreements). The statistics are in rnnclf (calibration, significance); this module only shows them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from rnnclf.evaluation.calibration import BINS, accuracy_coverage, brier, nll, reliability, scale
from rnnclf.evaluation.significance import ALPHA, LEVEL, RESAMPLES, mcnemar, mcnemar_matrix, pair_tests
from rnnclf.reporting import charts
from rnnclf.reporting.style import count, share

from . import examples, state
from .safe import literal

SCORE = st.column_config.NumberColumn(format="%.4f")
PERCENT = st.column_config.NumberColumn(format="percent")


def _which(calibrated: bool) -> str:
    return "calibrated" if calibrated else "raw"


def calibration_section(names: Sequence[str], selected: str, calibrated: bool) -> None:
    """Reliability diagram, scores, confidence histograms and accuracy-coverage curves on the test split,
    of the probabilities shown (`calibrated` or raw)."""
    st.subheader("Calibration: when a model says 90 %, is it right 90 % of the time?", anchor=False)
    dataset = examples.dataset_of(selected, names)
    split = examples.split(dataset)
    if split is None:
        return
    loaded = [item for item in map(state.load, names) if item.checkpoint is not None]
    working = [item.name for item in examples.same_dataset(loaded, dataset)]
    chosen = st.multiselect(
        "Checkpoints to overlay", working, default=working, key="calibration_checkpoints", persist_state="session"
    )
    if not chosen:
        st.info("Pick at least one checkpoint.", icon=":material/checklist:")
        return
    loaded = {name: state.load(name) for name in chosen}
    shown = {name: state.predictions(item, calibrated) for name, item in loaded.items()}
    labels = split.labels
    st.caption(
        f"Showing **{_which(calibrated)}** probabilities (the sidebar's *Calibrated probabilities* switches). "
        f"ECE: the average gap between confidence and accuracy over {BINS} equal-width bins, weighted by their "
        "counts; MCE: the largest gap of any bin (noisy where a bin holds a few texts). Brier and NLL: lower is better."
    )
    rows = []
    for name, item in loaded.items():
        raw, scaled = state.predictions(item, calibrated=False), state.predictions(item, calibrated=True)
        record = item.checkpoint.metrics.calibration
        rows.append(
            {
                "checkpoint": name,
                "ECE": reliability(raw, labels).ece,
                "MCE": reliability(raw, labels).mce,
                "Brier": brier(raw, labels),
                "NLL": nll(raw, labels),
                "temperature": record.temperature if record else None,
                "ECE calibrated": reliability(scaled, labels).ece if record else None,
                "NLL calibrated": nll(scaled, labels) if record else None,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "ECE": PERCENT,
            "MCE": PERCENT,
            "ECE calibrated": PERCENT,
            "Brier": SCORE,
            "NLL": SCORE,
            "NLL calibrated": SCORE,
            "temperature": st.column_config.NumberColumn(
                format="%.3f", help="fitted on the validation split; empty: run python -m rnnclf calibrate"
            ),
        },
    )
    curves = {name: reliability(p, labels) for name, p in shown.items()}
    st.plotly_chart(
        charts.reliability(curves, f"Reliability on the test split ({_which(calibrated)})"), key="reliability"
    )
    left, right = st.columns(2)
    with left:
        coverage = {name: accuracy_coverage(p, labels) for name, p in shown.items()}
        st.plotly_chart(charts.coverage(coverage, "Accuracy–coverage: keep only confident predictions"), key="coverage")
    with right:
        focus = selected if selected in shown else next(iter(shown))
        title = f"Confidence when right and when wrong · {focus}"
        st.plotly_chart(charts.confidence_histogram(shown[focus], labels, title), key="confidence_histogram")
    missing = [name for name, item in loaded.items() if item.checkpoint.metrics.calibration is None]
    if missing:
        st.caption(f"Not calibrated yet: {literal(', '.join(missing))} (`python -m rnnclf calibrate --all` fits them).")


def interval_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The summary table with each checkpoint's bootstrap intervals beside its accuracy."""
    bounds = {"accuracy low": [], "accuracy high": [], "macro-F1": [], "macro-F1 low": [], "macro-F1 high": []}
    for name in frame["checkpoint"]:
        accuracy, f1 = state.test_intervals(state.load(name))
        for key, value in zip(bounds, (accuracy.low, accuracy.high, f1.estimate, f1.low, f1.high)):
            bounds[key].append(value)
    at = frame.columns.get_loc("test accuracy") + 1
    for offset, key in enumerate(("accuracy low", "accuracy high")):  # beside the accuracy; macro-F1 at the end
        frame.insert(at + offset, key, bounds.pop(key))
    return frame.assign(**bounds)


BOOTSTRAP = f"bootstrap, {count(RESAMPLES)} resamples"
INTERVAL_COLUMNS = {
    "accuracy low": st.column_config.NumberColumn(f"{share(LEVEL)} low", format="percent", help=BOOTSTRAP),
    "accuracy high": st.column_config.NumberColumn(f"{share(LEVEL)} high", format="percent", help=BOOTSTRAP),
    "macro-F1": st.column_config.NumberColumn(format="%.4f"),
    "macro-F1 low": st.column_config.NumberColumn(format="%.4f"),
    "macro-F1 high": st.column_config.NumberColumn(format="%.4f"),
}


def significance_section(names: Sequence[str], labels: np.ndarray, predicted: np.ndarray) -> None:
    """McNemar's p-values for every pair, and one chosen pair in a plain sentence."""
    matrix = mcnemar_matrix(list(names), labels, predicted)
    chart, sentence = st.columns([3, 2], vertical_alignment="center")
    chart.plotly_chart(
        charts.p_values(names, matrix, "Is the difference real? McNemar's exact test (p-values)"), key="mcnemar"
    )
    with sentence:
        first = st.selectbox("Model A", names, index=0, key="mcnemar_first")
        second = st.selectbox("Model B", names, index=1, key="mcnemar_second")
        if first == second:
            st.info("Pick two different checkpoints.", icon=":material/checklist:")
            return
        tests = pair_tests(list(names), labels, predicted)
        test, adjusted = next((t, q) for t, q in tests if {t.first, t.second} == {first, second})
        if test.first != first:  # the sentence reads in the order picked
            i, j = names.index(first), names.index(second)
            test = mcnemar(first, second, labels, predicted[i], predicted[j])
        st.text(test.sentence())
        if len(tests) > 1:
            st.caption(
                f"Testing all {len(tests)} pairs at once, Holm's adjustment gives p = {adjusted:.2g} for this pair "
                f"({'still' if adjusted < ALPHA else 'no longer'} below {ALPHA:g}). Dark cells: p below {ALPHA:g}."
            )


def with_error_bars(figure: go.Figure, frame: pd.DataFrame) -> go.Figure:
    """The summary chart's test-accuracy bars (its first trace) with the table's bootstrap intervals."""
    accuracy = frame["test accuracy"]
    return figure.update_traces(
        error_y=dict(
            type="data",
            symmetric=False,
            array=(frame["accuracy high"] - accuracy).tolist(),
            arrayminus=(accuracy - frame["accuracy low"]).tolist(),
        ),
        selector=0,
    )


def calibrated_batch(frame: pd.DataFrame, names: Sequence[str], calibrated: bool) -> pd.DataFrame:
    """A scored batch with its "<name> P(<class>)" columns temperature-scaled when `calibrated` (labels stay:
    scaling never changes the top class); rows without text stay empty."""
    result = frame.copy()
    for name in names:
        loaded = state.load(name)
        temperature = state.temperature(loaded, calibrated)
        if temperature is None:
            continue
        columns = [f"{name} P({c})" for c in loaded.checkpoint.classifier.classes]
        values = result[columns].to_numpy(dtype=float, copy=True)
        scored = ~np.isnan(values).any(axis=1)
        values[scored] = scale(values[scored], temperature)
        result[columns] = values
    return result
