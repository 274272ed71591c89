"""The counterfactual editor (Probe, Compare), its flip search, and the Behaviour page, through AppTest."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app import counterfactuals as cf
from app.links import BEHAVIOR_TEST, TEXT
from app.pages import BY_ID
from apptest_utils import ROOT, SHIPPED, TIMEOUT, enter, messages, open_view, pick, rerun, start
from rnnclf import load_classifier
from rnnclf.core.paths import REPORT_DIR
from rnnclf.explain.counterfactual import flip_search, remove

TEXT_1 = "Oil prices rise as Oil stocks fall on Wall Street"
REPORT = json.loads((REPORT_DIR / "behavior.json").read_text(encoding="utf-8"))


def edit_copy(at: AppTest, view: str = "Probe") -> AppTest:
    at = open_view(at, view)
    at.toggle(key=f"{view.lower()}_edit").set_value(True)
    return rerun(at)


def changes(at: AppTest):
    return next(d.value for d in at.dataframe if "class changed" in d.value.columns)


def test_remove_and_replace_edit_the_copy_and_keep_the_original() -> None:
    at = edit_copy(enter(pick(start(), "tfidf_lr"), TEXT_1))
    assert at.text_area(key=cf.BOX).value == TEXT_1
    at.selectbox(key=cf.WORD).select("Oil")
    at = rerun(at)
    at.selectbox(key=cf.WHERE).select("occurrence 2")
    at.button(key="cf_remove").click()
    at = rerun(at)
    edited = "Oil prices rise as stocks fall on Wall Street"
    assert at.text_area(key=cf.BOX).value == edited
    assert at.text_area(key="text").value == TEXT_1  # the original stays pinned
    assert [e.value for e in at.caption if "same as the original" in e.value] == []
    at.selectbox(key=cf.WORD).select("stocks")
    at.text_input(key=cf.NEW).input("bonds")
    at.button(key="cf_replace").click()
    at = rerun(at)
    assert at.text_area(key=cf.BOX).value == "Oil prices rise as bonds fall on Wall Street"
    [diff] = [h.proto.body for h in at.get("html") if "cf-diff" in h.proto.body]
    assert re.findall(r'class="cf-removed"[^>]*>([^<]*)<', diff) == ["Oil stocks"]
    assert re.findall(r'class="cf-inserted"[^>]*>([^<]*)<', diff) == ["bonds"]

    table = changes(at)
    model = load_classifier("tfidf_lr")
    before, after = model.predict_proba([TEXT_1, at.text_area(key=cf.BOX).value])
    assert list(table["checkpoint"]) == ["tfidf_lr"]
    for i, name in enumerate(model.classes):
        assert table[f"Δ {name}"][0] == pytest.approx(100 * (after[i] - before[i]), abs=1e-4)
    assert table["class changed"][0] == (after.argmax() != before.argmax())

    at.button(key="cf_reset").click()
    at = rerun(at)
    assert at.text_area(key=cf.BOX).value == TEXT_1


def test_every_checkpoint_at_once_and_flip_search() -> None:
    at = edit_copy(enter(start(), TEXT_1))
    at.toggle(key="cf_every").set_value(True)
    at = rerun(at)
    assert list(changes(at)["checkpoint"]) == SHIPPED
    at.number_input(key="cf_max_words").set_value(2)
    at.button(key="cf_flip").click()
    at = rerun(at)
    flips = next(d.value for d in at.dataframe if "counterfactual" in d.value.columns)
    assert list(flips["checkpoint"]) == SHIPPED
    for name, words, text in zip(flips["checkpoint"], flips["words"], flips["counterfactual"]):
        expected = flip_search(load_classifier(name), TEXT_1, 2)
        if expected.found:
            assert (words, text) == (str(len(expected.removed)), expected.text)
        else:
            assert words == "no flip within 2" and text == ""
    found = [name for name, words in zip(flips["checkpoint"], flips["words"]) if words.isdigit()]
    if found:
        at.selectbox(key="cf_flip_pick").select(found[0])
        at.button(key="cf_flip_use").click()
        at = rerun(at)
        assert at.text_area(key=cf.BOX).value == flip_search(load_classifier(found[0]), TEXT_1, 2).text


def test_compare_scores_the_copy_with_the_compared_checkpoints() -> None:
    at = edit_copy(enter(start(), TEXT_1), "Compare")
    at.multiselect(key="compare_checkpoints").set_value(SHIPPED[:2])
    at = rerun(at)
    at.button(key="cf_remove").click()  # the first word, every occurrence
    at = rerun(at)
    assert at.text_area(key=cf.BOX).value == remove(TEXT_1, "Oil")
    assert list(changes(at)["checkpoint"]) == SHIPPED[:2]


@pytest.mark.parametrize(
    "copy",
    ["", "   ", "<script>alert(1)</script> **bold** $x$ <img src=x onerror=alert(1)>", "Stocks rally. " * 75_000],
    ids=["empty", "spaces", "markup", "1 MB"],
)
def test_hostile_copies(copy: str) -> None:
    at = edit_copy(enter(pick(start(), "tfidf_lr"), TEXT_1))
    at.text_area(key=cf.BOX).input(copy)
    at = rerun(at)
    shown = messages(at) + " ".join(c.value for c in at.caption)
    if not copy.strip():
        assert "The copy is empty" in shown
        return
    if len(copy) > 20_000:
        assert "scored but not diffed" in shown
    else:
        [diff] = [h.proto.body for h in at.get("html") if "cf-diff" in h.proto.body]
        assert "<script>" not in diff and "&lt;script&gt;" in diff and "<img" not in diff
    assert changes(at)["checkpoint"].tolist() == ["tfidf_lr"]


def test_flip_search_of_a_huge_text_says_why_not() -> None:
    huge = "Stocks rally as oil slides. " * 35_715
    at = start()
    at.session_state[TEXT] = huge
    at = edit_copy(pick(rerun(at), "tfidf_lr"))
    at.button(key="cf_flip").click()
    at = rerun(at)
    assert "no flip search" in messages(at) and "characters" in messages(at)


# --- Behaviour page -------------------------------------------------------------------------------------


def open_behavior(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    at.switch_page(BY_ID["behaviour"].script)
    at.query_params.update(params)
    return rerun(at)


def test_behavior_table_is_the_report() -> None:
    at = open_view(start(), "Behaviour")
    [table] = [d.value for d in at.dataframe if "kind" in d.value.columns]
    names = [c["name"] for c in REPORT["checkpoints"]]
    assert list(table["test"]) == [t["name"] for t in REPORT["tests"]]
    for row, test in zip(table.itertuples(index=False), REPORT["tests"]):
        rates = dict(zip(table.columns, row))
        for name in names:
            assert rates[name] == pytest.approx(len(test["failed"][name]) / len(test["cases"]))


def test_a_link_opens_a_cell_and_a_failing_case_loads_into_probe() -> None:
    test = max(REPORT["tests"], key=lambda t: len(t["failed"][SHIPPED[1]]))
    at = open_behavior(model=SHIPPED[1], test=test["name"])
    assert at.selectbox(key=BEHAVIOR_TEST).value == test["name"]
    failed = test["failed"][SHIPPED[1]]
    assert any(f"**{len(failed):,}** of {len(test['cases']):,} cases fail" in m.value for m in at.markdown)
    buttons = [b for b in at.button if str(b.key).startswith("behavior_probe_")]
    assert [int(str(b.key).rsplit("_", 1)[1]) for b in buttons] == failed[: len(buttons)]
    buttons[0].click()
    at = rerun(at)
    case = test["cases"][failed[0]]
    assert at.text_area(key="text").value == REPORT["texts"][case["text"]]
    probs = np.array(REPORT["probabilities"][SHIPPED[1]][case["text"]])
    assert at.metric[0].value == REPORT["classes"][int(probs.argmax())]


def test_a_bad_test_in_a_link_is_named() -> None:
    at = open_behavior(test="No such test")
    assert "no behavioural test named" in messages(at)
    assert at.selectbox(key=BEHAVIOR_TEST).value == REPORT["tests"][0]["name"]
