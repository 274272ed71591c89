"""Behaviour: the behavioural suite's failure rates (tests x checkpoints) and the failing cases of any cell.

The figures come from `reports/behavior.json`, written by `python -m rnnclf behave`; the page says when
a checkpoint has changed since (its manifest no longer matches) or is not in the report.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from app import counterfactuals, links, pages, state
from app.readable import NOTE, readable
from app.report import add_button, pin
from app.safe import literal
from app.sidebar import Context, context, dataset_of
from rnnclf.behavior.report import BehaviorReport, ReportTest, manifest_sha256
from rnnclf.core.paths import PROJECT_ROOT
from rnnclf.data.registry import AG_NEWS, reports_of
from rnnclf.reporting.style import WRONG

REPORT = "behavior.json"  # in the report folder of the dataset (`reports_of`)
PAGE_SIZE = 8


def report(dataset: str) -> BehaviorReport | None:
    """The report of `dataset`'s checkpoints, or None after saying how to write it."""
    path = reports_of(dataset) / REPORT
    try:
        return state.behavior_report(path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        st.info(
            f"No readable behavioural report ({literal(type(error).__name__)}): run `{_command(dataset)}` "
            f"to write {literal(_shown(path))}.",
            icon=":material/science:",
        )
        return None


def _changed(report: BehaviorReport, names: tuple[str, ...]) -> None:
    """Say which checkpoints the report no longer describes, or does not cover."""
    root = state.checkpoint_root()
    changed = []
    for name in report.checkpoints:
        try:
            if manifest_sha256(root / name) != report.manifests[name]:
                changed.append(name)
        except OSError:
            changed.append(name)
    if changed:
        st.warning(
            f"Changed or gone since the report was written: {', '.join(map(literal, changed))}. "
            "Run `python -m rnnclf behave` again for current figures.",
            icon=":material/update:",
        )
    missing = [name for name in names if name not in report.checkpoints]
    if missing:
        st.caption(f"Not in the report: {', '.join(map(literal, missing))}.")


def _color(rate: float) -> str:
    """White at 0 %, deepening orange to red as the failure rate grows (readable text throughout)."""
    alpha = min(1.0, math.sqrt(rate)) * 0.75
    return f"background-color: {WRONG.rgba(alpha)}"


def _table(report: BehaviorReport) -> None:
    names = list(report.checkpoints)
    table = pd.DataFrame(
        [
            {
                "test": t.spec.name,
                "kind": f"{t.spec.kind} · {t.spec.capability}",
                "cases": len(t.cases),
                **{name: t.failure_rate(name) for name in names},
            }
            for t in report.tests
        ]
    )
    styled = table.style.format("{:.1%}", subset=names).map(_color, subset=names)
    # Pixel widths: the whole table fits beside the sidebar, so no checkpoint hides behind a scroll bar.
    narrow = {name: st.column_config.Column(width=78) for name in names}
    narrow |= {"test": st.column_config.Column(width=175), "cases": st.column_config.Column(width=50)}
    st.dataframe(styled, hide_index=True, key="behavior_table", height=38 + 35 * len(table), column_config=narrow)
    st.caption(
        "Failure rate: the share of a test's cases on which the checkpoint breaks the test's rule. "
        "MFT: wrong class on a clear templated text. INV: the prediction changes under an edit that "
        "should not matter. DIR: evidence for a class is added, yet its probability drops."
    )


def _open(text: str, view_id: str) -> None:
    """Button callback: put a case's text into the shared text box and open `view_id`."""
    st.session_state[links.TEXT] = text
    pages.go_to(view_id)


def _said(report: BehaviorReport, test: ReportTest, name: str, text_id: int) -> str:
    p = report.probabilities[name][text_id]
    if test.spec.kind == "DIR":
        return f"P({test.spec.label}) {p[report.classes.index(test.spec.label)]:.1%}"
    best = int(p.argmax())
    return f"{report.classes[best]} {p[best]:.1%}"


def _cases(report: BehaviorReport, test: ReportTest, name: str, calibrated: bool) -> None:
    failed = test.failed[name]
    spec = test.spec
    if not failed:
        st.success(
            f"{literal(name)} passes all {len(test.cases):,} cases of this test.", icon=":material/check_circle:"
        )
        return
    expected = f" (expected **{literal(spec.label)}**)" if spec.kind == "MFT" else ""
    st.markdown(f"**{len(failed):,}** of {len(test.cases):,} cases fail for {literal(name)}{expected}:")
    page = st.pagination(math.ceil(len(failed) / PAGE_SIZE), key=f"behavior_page_{spec.name}_{name}")
    first = (page - 1) * PAGE_SIZE
    for case in failed[first : first + PAGE_SIZE]:
        shown = test.cases[case]
        text_id, original_id = test.case_ids[case]
        with st.container(border=True):
            text_area, facts, action = st.columns([6, 2, 2.2], vertical_alignment="center")
            with text_area:
                if shown.original is None:
                    st.text(readable(shown.text), help=NOTE)
                else:
                    st.html(counterfactuals.diff_html(shown.original, shown.text))
            said = _said(report, test, name, text_id)
            if original_id is not None:
                said = f"{_said(report, test, name, original_id)} → {said}"
            facts.markdown(literal(said))
            facts.caption(f"case {case}" + (f" · test row {shown.row:,}" if shown.row is not None else ""))
            for view_id, title, icon in (
                ("probe", "Probe", ":material/search:"),
                ("compare", "Compare", ":material/compare_arrows:"),
            ):
                action.button(
                    f"Load into {title}",
                    key=f"behavior_{view_id}_{case}",
                    icon=icon,
                    on_click=_open,
                    args=(shown.text, view_id),
                    width="stretch",
                )
            with action:
                detail = f"{spec.name} ({spec.kind}), case {case}: fails for {name}"
                make = partial(pin, "Behaviour", shown.text, list(report.checkpoints), calibrated, detail=detail)
                add_button(make, key=f"behavior_pin_{case}")


def _command(dataset: str) -> str:
    return "python -m rnnclf behave" + ("" if dataset == AG_NEWS else f" --dataset {dataset}")


def _shown(path: Path) -> str:
    """A report's path as a person reads it: from the project's folder where it is inside it."""
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else str(path)


def show(ctx: Context) -> None:
    dataset = dataset_of(ctx.selected)
    name = dataset.name if dataset is not None else AG_NEWS
    loaded = report(name)
    if loaded is None:
        return
    st.caption(
        f"{len(loaded.tests)} tests, {loaded.cases:,} cases, {len(loaded.checkpoints)} checkpoints, from "
        f"{literal(_shown(reports_of(name) / REPORT))} (written by `{_command(name)}`)."
    )
    _changed(loaded, ctx.names)
    _table(loaded)
    names = [t.spec.name for t in loaded.tests]
    if st.session_state.get(links.BEHAVIOR_TEST) not in names:
        st.session_state[links.BEHAVIOR_TEST] = names[0]
    chosen, about = st.columns([1, 2], vertical_alignment="bottom")
    test = loaded.test(chosen.selectbox("Test", names, key=links.BEHAVIOR_TEST))
    about.caption(
        f"{test.spec.kind} · {literal(test.spec.capability)} · {literal(test.spec.description)} "
        "Cases below: for the checkpoint picked in the sidebar."
    )
    if ctx.selected not in loaded.checkpoints:
        st.info(
            f"{literal(ctx.selected)} is not in the report; pick another checkpoint in the sidebar.",
            icon=":material/info:",
        )
        return
    _cases(loaded, test, ctx.selected, ctx.calibrated)


if __name__ == "__main__":  # run as a page by st.navigation (see streamlit_app.py)
    show(context())
