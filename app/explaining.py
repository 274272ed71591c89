"""Explanations in the app, shared by Explain and Compare: the class and method pickers, the cached
attributions, their rendering, how much the methods agree and how faithful each is."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd
import streamlit as st

from rnnclf import Classifier
from rnnclf.explain.faithfulness import FRACTIONS, Report, measure, spearman
from rnnclf.explain.methods import METHODS, REGISTRY, Attribution, available, lookup, missing, ranking, resolve
from rnnclf.explain.words import MAX_WORDS, Words

from . import figures, highlight, state
from .links import ALL_METHODS, PREDICTED_CLASS
from .safe import literal
from .sidebar import LimeSettings
from .state import Loaded

TOP = 5  # words compared between methods
DEFAULT_METHOD = METHODS[0]
_SPELLED = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")  # "All four"


def class_picker(classes: Sequence[str], predicted: str | None, key: str) -> str | None:
    """The class to explain by name, or None for the predicted one (`predicted`, if only one model)."""
    shown = f"predicted ({predicted})" if predicted is not None else "each one's prediction"
    st.session_state.setdefault(key, PREDICTED_CLASS)  # a link may have set it already
    choice = st.segmented_control(
        "Explain the class",
        [PREDICTED_CLASS, *classes],
        format_func=lambda option: shown if option == PREDICTED_CLASS else option,
        required=True,
        key=key,
    )
    return None if choice in (None, PREDICTED_CLASS) else choice


def _option(chosen: str, options: Sequence[str], classifier: Classifier | None) -> str:
    """The option that answers `chosen` (a link's or the last run's), or the default: a method's id
    becomes the one of its slot that applies ("ig" and "linear" answer for each other)."""
    try:
        method = lookup(chosen).slot if classifier is None else resolve(chosen, classifier)
    except ValueError:  # not a method ("all"), or one this model cannot run
        method = chosen
    return method if method in options else DEFAULT_METHOD


def _labels(several: bool, offered: int) -> dict[str, str]:
    """Each option's label; for several models, an offered method's says what answers for it where it cannot run."""
    labels = {method.id: method.title for method in REGISTRY}
    labels[ALL_METHODS] = f"All {_SPELLED[offered] if offered < len(_SPELLED) else offered}"
    for stand_in in REGISTRY:
        if several and stand_in.stands_in_for is not None:
            labels[stand_in.stands_in_for] = f"{lookup(stand_in.stands_in_for).title} ({stand_in.stand_in_note})"
    return labels


def _help(classifier: Classifier | None) -> str:
    """What each method does, what stands in for which, and (for one model) what it cannot run and why."""
    offered = "; ".join(lookup(method).summary for method in METHODS)
    stand_ins = [f"{method.summary}." for method in REGISTRY if method.stands_in_for is not None]
    left_out = [f"Not here: {reason}." for reason in (missing(classifier) if classifier is not None else ())]
    return " ".join([f"{offered}.", *stand_ins, *left_out])


def method_picker(key: str, classifier: Classifier | None, offer_all: bool) -> str:
    """The attribution method, or ALL_METHODS; with `classifier` None (several models), each offered
    method's own id, which a model that cannot run it answers with the one that stands in for it."""
    methods = METHODS if classifier is None else available(classifier)
    options = [*methods, *([ALL_METHODS] if offer_all else [])]
    # A link may have set it already.
    st.session_state[key] = _option(st.session_state.get(key, DEFAULT_METHOD), options, classifier)
    return st.segmented_control(
        "Method",
        options,
        format_func=_labels(classifier is None, len(methods)).get,
        required=True,
        key=key,
        help=_help(classifier),
    )


def compute(
    loaded: Loaded, text: str, target: str | None, methods: Sequence[str], settings: LimeSettings
) -> list[Attribution]:
    """The cached attributions of class `target` (None: the predicted one), or [] after saying why there
    are none (no words to perturb, or the server is busy)."""
    classifier = loaded.checkpoint.classifier
    label = classifier.classes.index(target) if target in classifier.classes else None
    results = []
    for method in methods:
        try:
            method = resolve(method, classifier)
        except ValueError as error:
            st.warning(f"Nothing to explain: {error}.", icon=":material/warning:")
            return []
        with st.spinner(f"Explaining {literal(loaded.name)} with {lookup(method).title}…"):
            try:
                results.append(state.attribution(loaded, text, method, label, settings.samples, settings.features))
            except ValueError as error:
                st.warning(f"Nothing to explain: {error}.", icon=":material/warning:")
                return []
            except state.ServerBusy as error:
                st.warning(f"No explanation yet: {error}.", icon=":material/hourglass_top:")
                return []
    return results


def _facts(result: Attribution) -> str:
    """The method's own numbers, one line: its cost, then what its declaration reports (samples, fit or gap)."""
    return " · ".join([f"{result.seconds:.2f} s", *result.about.facts(result)])


def render(
    classifier: Classifier, result: Attribution, compact: bool = False, probability: float | None = None
) -> None:
    """The highlighted text with its legend, then the top-words chart and the method's numbers;
    `compact` (several side by side) gives the numbers as one line instead of the chart."""
    shown = result.probability if probability is None else probability  # the caller's may be calibrated
    class_name = classifier.classes[result.label]  # raw for the HTML (escaped there), literal() for Markdown
    has_outside = any(not piece.in_window for piece in result.pieces)
    st.html(highlight.legend(class_name, classifier.max_tokens, has_outside))
    st.html(highlight.highlighted_text(result.pieces, class_name, classifier.name, classifier.max_tokens))
    if result.truncated:
        st.caption(
            f"Each method perturbs only the first {MAX_WORDS} words of a text; the rest is shown without weights."
        )
    if compact:
        fit = f" · local fit R² = {result.fit:.2f}" if result.fit is not None else ""
        st.caption(f"P({literal(class_name)}) = {shown:.1%} · {_facts(result)}{fit}")
        return
    chart, facts = st.columns([3, 1], vertical_alignment="center")
    top = result.strongest(max(10, sum(1 for s in result.scores if s) if result.about.selective else 10))
    chart.plotly_chart(
        figures.top_words(top, class_name, result.title), key=f"top_words_{classifier.name}_{result.method}"
    )
    with facts:
        st.metric(f"P({literal(class_name)})", f"{shown:.1%}", help="The model's probability for this text.")
        if result.fit is not None:
            st.metric(
                "Local fit R²",
                f"{result.fit:.2f}",
                help="How well LIME's linear model of the words matches the classifier on the samples.",
            )
        if result.delta is not None:
            st.metric(
                "Completeness gap",
                f"{result.delta:+.4f}",
                help="Sum of the word scores minus (P for this text − P for the all-unknown-words input): "
                "zero for exact Integrated Gradients; its size is the integral's numerical error.",
            )
        st.caption(f"{_facts(result)} · scores in {result.about.unit}")


def agreement(results: Sequence[Attribution]) -> pd.DataFrame:
    """Each pair of methods: rank correlation of all word scores and overlap of their top words."""
    rows = []
    for a, b in combinations(results, 2):
        top_a, top_b = {w for w, _ in a.top(TOP)}, {w for w, _ in b.top(TOP)}
        rows.append(
            {
                "methods": f"{a.about.short} · {b.about.short}",
                "Spearman ρ": spearman(np.asarray(a.scores), np.asarray(b.scores)),
                f"top-{TOP} overlap": len(top_a & top_b) / max(1, min(len(top_a), len(top_b))),
            }
        )
    return pd.DataFrame(rows)


def faithfulness_now(classifier: Classifier, text: str, results: Sequence[Attribution]) -> pd.DataFrame:
    """Comprehensiveness and sufficiency of each method's ranking on this text, and of random orders."""
    words = Words.of(text)
    rankings = {r.title: ranking(np.asarray(r.scores)) for r in results}
    faithful, random = measure(classifier, words, results[0].label, rankings)
    rows = [(title, a.comprehensiveness, a.sufficiency) for title, a in faithful.items()]
    rows.append(("random order (baseline)", random.comprehensiveness, random.sufficiency))
    return pd.DataFrame(rows, columns=["method", "comprehensiveness ↑", "sufficiency ↓"])


def comparison(classifier: Classifier, text: str, results: Sequence[Attribution]) -> None:
    """Below the highlights: how much several methods agree, and how faithful each is on this very text."""
    agree, faithful = st.columns(2) if len(results) > 1 else (None, st.container())
    if agree is not None:
        with agree:
            st.markdown("**Do the methods agree?**")
            st.dataframe(
                agreement(results),
                hide_index=True,
                column_config={
                    "Spearman ρ": st.column_config.NumberColumn(format="%.2f"),
                    f"top-{TOP} overlap": st.column_config.NumberColumn(format="percent"),
                },
            )
            st.caption(
                f"Spearman ρ over every word's score (1: the same order); overlap of the {TOP} words that push the "
                "class up most. LIME scores only the words its local model uses (sidebar); the others count as 0."
            )
    with faithful:
        st.markdown(f"**{'Which is' if len(results) > 1 else 'Is it'} faithful on this text?**")
        st.dataframe(
            faithfulness_now(classifier, text, results),
            hide_index=True,
            column_config={
                name: st.column_config.NumberColumn(format="%.3f") for name in ("comprehensiveness ↑", "sufficiency ↓")
            },
        )
        percents = ", ".join(f"{q:.0%}" for q in FRACTIONS)
        st.caption(
            "Comprehensiveness: how much the probability drops when the method's top words are removed; sufficiency: "
            f"how much it drops when only they are kept; each averaged over {percents} of the words (ERASER's AOPC). "
            "A faithful method beats the random order on both."
        )


def report_table(report: Report | None, checkpoint: str) -> None:
    """The committed faithfulness report: every checkpoint and method, this checkpoint's rows first."""
    with st.expander("Which method to trust for which model (measured on test texts)"):
        if report is None:
            st.info("No faithfulness report yet: `python -m rnnclf faithfulness` writes it.", icon=":material/info:")
            return
        rows = sorted(report.rows, key=lambda row: row.checkpoint != checkpoint)
        st.dataframe(
            pd.DataFrame(
                {
                    "checkpoint": [r.checkpoint for r in rows],
                    "method": [lookup(r.method).title for r in rows],
                    "comprehensiveness ↑": [r.comprehensiveness.estimate for r in rows],
                    "95 % interval": [f"{r.comprehensiveness.low:.3f} – {r.comprehensiveness.high:.3f}" for r in rows],
                    "random": [r.random_comprehensiveness.estimate for r in rows],
                    "sufficiency ↓": [r.sufficiency.estimate for r in rows],
                    "95 % interval ": [f"{r.sufficiency.low:.3f} – {r.sufficiency.high:.3f}" for r in rows],
                    "random ": [r.random_sufficiency.estimate for r in rows],
                    "sanity ρ ↓": [r.sanity for r in rows],
                    "s / text": [r.seconds for r in rows],
                }
            ),
            hide_index=True,
            column_config={
                name: st.column_config.NumberColumn(format="%.3f")
                for name in ("comprehensiveness ↑", "random", "sufficiency ↓", "random ", "sanity ρ ↓", "s / text")
            },
        )
        st.caption(
            f"{report.samples} test texts per checkpoint (seed {report.seed}); LIME {report.lime_samples:,} and "
            f"KernelSHAP {report.shap_samples:,} samples, Integrated Gradients {report.ig_steps} steps. Sanity ρ: "
            f"rank correlation with the same method on a copy of the model with random weights ({report.sanity_texts} "
            "texts): near 1 would mean the method explains the text, not the model. From reports/faithfulness.json, "
            "written by `python -m rnnclf faithfulness`."
        )
