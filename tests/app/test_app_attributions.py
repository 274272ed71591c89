"""The Explain view's method picker, its place in the URL, and Compare's use of the chosen method."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app import links
from apptest_utils import ROOT, SHIPPED, TIMEOUT, enter, open_view, rerun, start
from rnnclf.explain.methods import ALL, METHODS, NAMES, REGISTRY, lookup

SPORTS = "The Yankees beat the Red Sox 5-3 on Sunday as the pitcher threw a shutout in the ninth inning."


def highlighted(at: AppTest) -> list[str]:
    return [h.value for h in at.html if 'class="lime-text"' in h.value]


def table(at: AppTest, column: str):
    """The one dataframe shown with `column` about this text (the committed report's has a checkpoint column)."""
    [found] = [d.value for d in at.dataframe if column in d.value.columns and "checkpoint" not in d.value.columns]
    return found


def open_link(view: str, **params: str) -> AppTest:
    """A fresh session opening /<view>?<params>, as a shared link does."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    at.switch_page(f"app/views/{view}.py")
    at.query_params.update(params)
    return rerun(at)


def test_the_urls_methods_are_the_registrys() -> None:
    assert links.METHOD_VALUES == (*NAMES, links.ALL_METHODS) and links.ALL_METHODS == ALL


def test_the_method_picker_switches_methods_and_the_url_follows() -> None:
    at = open_view(enter(start(), SPORTS), "Explain")
    assert at.segmented_control(key="explain_method").value == "lime"
    assert at.segmented_control(key="explain_method").options == [*(lookup(m).title for m in METHODS), "All four"]
    at.segmented_control(key="explain_method").set_value("occlusion")
    at = rerun(at)
    assert len(highlighted(at)) == 1
    assert [m.label for m in at.metric] == ["P(Sports)"]
    assert at.query_params["method"] == "occlusion"
    assert any("forward passes (exact)" in c.value for c in at.caption)
    faithful = table(at, "comprehensiveness ↑")  # one method: its faithfulness here, beside random orders
    assert faithful["method"].tolist() == [lookup("occlusion").title, "random order (baseline)"]

    at.segmented_control(key="explain_method").set_value("all")
    at = rerun(at)
    assert len(highlighted(at)) == 4
    shown = [m.value for m in at.markdown if m.value.startswith("**") and m.value.endswith(" s")]
    assert [title.split("**")[1] for title in shown] == [lookup(m).title for m in METHODS]
    agreement, faithful = table(at, "Spearman ρ"), table(at, "comprehensiveness ↑")
    assert len(agreement) == 6 and agreement["Spearman ρ"].between(-1, 1).all()
    assert faithful["method"].tolist()[-1] == "random order (baseline)" and len(faithful) == 5
    report = [d.value for d in at.dataframe if "checkpoint" in d.value.columns and "sanity ρ ↓" in d.value.columns]
    assert len(report) == 1 and report[0]["checkpoint"].iloc[0] == SHIPPED[0]  # this checkpoint's rows first


def test_a_link_picks_the_method_and_a_bad_one_is_named() -> None:
    at = open_link("explain", model=SHIPPED[0], text=SPORTS, method="ig")
    assert at.segmented_control(key="explain_method").value == "ig"
    assert [m.label for m in at.metric] == ["P(Sports)", "Completeness gap"]
    at = open_link("explain", model="tfidf_lr", text=SPORTS, method="ig")
    assert at.segmented_control(key="explain_method").value == "linear"  # no gradients: its exact contributions
    assert lookup("linear").title in at.segmented_control(key="explain_method").options
    assert at.query_params["method"] == "linear" and "Completeness gap" not in [m.label for m in at.metric]
    at = open_link("explain", text=SPORTS, method="<b>guess</b>")
    assert any("method: not one of" in w.value.replace("\\", "") for w in at.warning)
    assert at.segmented_control(key="explain_method").value == "lime"


def test_compare_shows_the_chosen_method_for_every_checkpoint() -> None:
    at = open_link("compare", text=SPORTS, method="occlusion")
    at.toggle(key="compare_lime").set_value(True)
    at = rerun(at)
    assert at.segmented_control(key="compare_method").value == "occlusion"
    stand_in = next(m for m in REGISTRY if m.stands_in_for)  # several models: each answers the slot its own way
    assert at.segmented_control(key="compare_method").options == [
        f"{lookup(m).title} ({stand_in.stand_in_note})" if m == stand_in.stands_in_for else lookup(m).title
        for m in METHODS
    ]
    assert len(highlighted(at)) == len(SHIPPED)
    assert at.query_params["method"] == "occlusion"
