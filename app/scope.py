"""What the views show of a checkpoint's scope beside a prediction: whether the text is like the texts it was
trained on (Probe, Explain, Compare), its closest training texts (Probe, Explain), and in Evaluate how its
scores on in-domain and off-topic texts fall (from reports/scope.json). Computing is in
`rnnclf.scope` and cached in `app.state`; this module only draws."""

from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app import links, pages, state
from app.readable import readable
from app.safe import literal
from app.state import Loaded
from rnnclf.reporting.style import BLUE, ORANGE, percent
from rnnclf.scope.fit import CheckpointScope, report_path
from rnnclf.scope.neighbors import K
from rnnclf.scope.record import Verdict


def notice_text(name: str, verdict: Verdict | None, inside_share: float | None) -> tuple[str, bool]:
    """The sentence for one checkpoint and whether it is a warning (the text is outside its scope)."""
    who = literal(name)
    if verdict is None:
        return f"{who} stores no scope: nothing here says whether this text is like its training texts.", False
    figures = f"{literal(verdict.method)} score {verdict.score:.3g}, threshold {verdict.threshold:.3g}"
    if verdict.outside:
        return (
            f"**Outside {who}'s scope** ({figures}): this text is unlike the texts it was trained on, so its "
            "prediction is a forced pick among its classes, not evidence that the text is about one of them.",
            True,
        )
    share = percent(inside_share, 0) if inside_share is not None else "most"
    return f"Inside {who}'s scope ({figures}; {share} of its validation texts score at most the threshold).", False


def notice(loaded: Loaded, text: str) -> None:
    """One line under the prediction: a warning when the text is outside the checkpoint's scope."""
    stored = state.scope(loaded)
    line, outside = notice_text(loaded.name, state.scope_verdict(loaded, text), stored and stored.record.inside)
    if outside:
        st.warning(line, icon=":material/travel_explore:")
    else:
        st.caption(line)


def _load_into_probe(text: str) -> None:
    """Button callback: a training text into the shared text box, then Probe."""
    st.session_state.pop(links.EXAMPLE, None)  # not a test-split row
    st.session_state[links.TEXT] = text
    pages.go_to("probe")


def closest(loaded: Loaded, text: str, key: str) -> None:
    """On demand, the checkpoint's closest training texts with their true labels, each loadable into Probe."""
    if not st.toggle(
        "Closest training texts",
        key=f"{key}_neighbors",
        help="The texts it learned from that are nearest this one in its own representation (cosine similarity)",
    ):
        return
    found = state.neighbors(loaded, text, K)
    st.markdown(literal(found.summary()))
    for rank, neighbor in enumerate(found.neighbors):
        with st.container(border=True):
            words, facts, action = st.columns([6, 1.5, 1.5], vertical_alignment="center")
            words.text(readable(neighbor.text))
            facts.markdown(f"**{literal(neighbor.label)}**  \nsimilarity {neighbor.similarity:.3f}")
            action.button(
                "Load into Probe",
                key=f"{key}_neighbor_{rank}",
                icon=":material/search:",
                on_click=_load_into_probe,
                args=(neighbor.text,),
                width="stretch",
            )


def compare_notice(loaded: list[Loaded], text: str) -> dict[str, bool | None]:
    """Compare's notice: a warning per checkpoint the text is outside of, one caption for the rest; gives each
    checkpoint's verdict (None: no scope stored) for its table."""
    verdicts = {item.name: state.scope_verdict(item, text) for item in loaded}
    inside = [literal(name) for name, verdict in verdicts.items() if verdict and not verdict.outside]
    unscoped = [literal(name) for name, verdict in verdicts.items() if verdict is None]
    for item in loaded:
        verdict = verdicts[item.name]
        if verdict and verdict.outside:
            line, _ = notice_text(item.name, verdict, None)
            st.warning(line, icon=":material/travel_explore:")
    parts = [f"inside the scope of {', '.join(inside)}"] if inside else []
    parts += [f"no scope stored for {', '.join(unscoped)}"] if unscoped else []
    if parts:
        st.caption("This text is " + "; ".join(parts) + ".")
    return {name: (verdict.outside if verdict else None) for name, verdict in verdicts.items()}


def distribution_figure(entry: CheckpointScope) -> go.Figure:
    """The chosen method's scores on the test split and on the off-topic test texts, as shares of each, with
    the threshold: how far apart the two are is what the AUROC sums up."""
    shape = entry.distribution
    edges = np.array(shape.edges)
    centres, width = (edges[:-1] + edges[1:]) / 2, float(edges[1] - edges[0])
    figure = go.Figure(layout=dict(height=300, margin=dict(l=10, r=10, t=40, b=10), barmode="overlay"))
    for counts, name, colour in (
        (shape.in_domain, "in-domain (test split)", BLUE),
        (shape.offtopic, "off-topic", ORANGE),
    ):
        shares = np.array(counts) / max(1, sum(counts))
        figure.add_bar(
            x=centres.tolist(), y=shares.tolist(), width=width, name=name, marker_color=colour.rgb, opacity=0.6
        )
    figure.add_vline(x=entry.threshold, line_dash="dash", annotation_text="threshold")
    figure.update_layout(
        title=escape(f"{entry.checkpoint}: {entry.method} score"),
        xaxis_title="score (higher: less like its training texts)",
        yaxis_title="share of texts",
        yaxis_tickformat=".0%",
    )
    return figure


def distributions(name: str, dataset: str, key: str) -> None:
    """Evaluate's section: the checkpoint's score distributions from the scope report, with its AUROC and FPR95."""
    st.subheader("Knowing when not to answer", anchor=False)
    path = report_path(dataset).with_suffix(".json")
    found = state.scope_report(path)
    entry = next((c for c in found.checkpoints if c.checkpoint == name), None) if found else None
    if entry is None:
        st.caption(
            f"No scope report for {literal(name)} yet: `python -m rnnclf scope --dataset {literal(dataset)}` writes one."
        )
        return
    chosen = next(m for m in entry.methods if m.chosen)
    st.plotly_chart(distribution_figure(entry), key=f"{key}_scope")
    st.caption(
        f"AUROC {chosen.auroc:.3f}; {percent(chosen.fpr95, 1)} of the off-topic test texts score inside the threshold "
        f"(missed), {percent(chosen.flagged_in_domain, 1)} of the test split outside it. Off-topic: "
        f"{literal(found.offtopic)} ({literal(', '.join(s.source for s in chosen.by_source))}). "
        "Every method's figures: reports/scope.md."
    )
