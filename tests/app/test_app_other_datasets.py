"""Every view on checkpoints of a 3-class and a 6-class dataset (tests/toy_datasets.py): the class names shown
are the checkpoint's own, matrices are N x N, test examples come from its dataset's test split, and views of
several checkpoints put only those of one dataset side by side."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from toy_datasets import SIX, THREE, Toys

from app.pages import BY_ID
from app.state import ROOT_ENV
from apptest_utils import ROOT, TIMEOUT, enter, messages, open_view, pick, rerun, shown_checkpoints, start
from rnnclf import load_checkpoint
from rnnclf.data.registry import DATASETS_ENV, get_dataset

TEXT = "Shares of the bank rose after the storm as the band played a concert in Paris"


@pytest.fixture(autouse=True)
def toy_app(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> Toys:
    monkeypatch.setenv(ROOT_ENV, str(toys.checkpoints))
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    return toys


def unescaped(text: str) -> str:
    """Markdown as written by app.safe.literal, its backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


def chart(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def labels(names: list[str]) -> list[str]:
    """A chart's axis labels as shown (the app HTML-escapes them)."""
    return [html.unescape(name) for name in names]


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return rerun(at)


def test_the_sidebar_picks_a_dataset_then_its_checkpoints(toy_app: Toys) -> None:
    at = start()
    options = [unescaped(option) for option in at.radio(key="dataset").options]
    assert options == ["Six topics · 6 classes", "Three-topic news · 3 classes"]
    assert shown_checkpoints(at) == toy_app.names("six") and at.query_params["dataset"] == "six"
    at.radio(key="dataset").set_value("three")
    at = rerun(at)
    assert shown_checkpoints(at) == toy_app.names("three") and at.radio(key="checkpoint").value == "three_rnn"
    assert (at.query_params["dataset"], at.query_params["model"]) == ("three", "three_rnn")
    [about] = [unescaped(c.value) for c in at.sidebar.caption if "Recurrent classifiers for" in c.value]
    assert f"Six topics: {', '.join(SIX)}" in about and f"Three-topic news: {', '.join(THREE)}" in about
    assert "World" not in about


@pytest.mark.parametrize(("name", "classes"), [("three_rnn", THREE), ("six_tfidf", SIX)])
def test_probe_and_explain_use_the_checkpoints_classes(toy_app: Toys, name: str, classes: tuple[str, ...]) -> None:
    at = enter(pick(start(), name), TEXT)
    probabilities = load_checkpoint(name, toy_app.checkpoints).classifier.predict_proba([TEXT])[0]
    assert at.metric[0].value == classes[int(np.argmax(probabilities))]
    assert labels(chart(at)["data"][0]["x"]) == list(classes)
    at = open_view(at, "Explain")
    assert at.segmented_control(key="explain_class").options[1:] == list(classes)


def test_a_class_picked_for_one_dataset_does_not_follow_to_another() -> None:
    at = open_view(enter(pick(start(), "three_rnn"), TEXT), "Explain")
    at.segmented_control(key="explain_class").set_value("Money & Markets")
    at = pick(rerun(at), "six_tfidf")
    assert at.segmented_control(key="explain_class").value == "predicted"
    assert at.segmented_control(key="explain_class").options[1:] == list(SIX)
    assert "class" not in at.query_params
    at = pick(open_view(pick(at, "three_rnn"), "Errors"), "six_rnn")  # the cell picked is of three's classes
    assert at.selectbox(key="errors_true").value in SIX and at.selectbox(key="errors_predicted").value in SIX


def test_random_examples_come_from_the_checkpoints_test_split(toy_app: Toys) -> None:
    at = pick(start(), "three_rnn")
    assert at.selectbox(key="example_class").options == ["any class", *THREE]
    at.selectbox(key="example_class").select("Money & Markets")
    at = click(rerun(at), "example_button")
    split = get_dataset("three").read_test()
    text = at.text_area(key="text").value
    assert THREE[split.labels[split.texts.index(text)]] == "Money & Markets"
    assert any("true label: Money & Markets" in m.value for m in at.markdown)
    at = pick(at, "six_rnn")  # a picked class of another dataset falls back to any class
    assert at.selectbox(key="example_class").options == ["any class", *SIX]
    assert at.selectbox(key="example_class").value == "any class"


def test_compare_puts_only_one_datasets_checkpoints_side_by_side() -> None:
    at = open_view(enter(pick(start(), "six_rnn"), TEXT), "Compare")
    assert at.multiselect(key="compare_checkpoints").options == ["six_rnn", "six_tfidf"]
    assert at.dataframe[0].value["checkpoint"].tolist() == ["six_rnn", "six_tfidf"]
    assert set(at.dataframe[0].value["predicted"]) <= set(SIX)
    assert "three_rnn, three_tfidf (Three-topic news)" in unescaped(messages(at))


def test_batch_scores_with_the_checkpoints_classes() -> None:
    at = open_view(pick(start(), "three_tfidf"), "Batch")
    at.segmented_control(key="batch_source").set_value("Paste lines")
    at = rerun(at)
    at.text_area(key="batch_lines").input(f"{TEXT}\nThe team won the cup")
    at = rerun(at)
    at = click(at, "batch_score")
    table = at.dataframe[0].value
    assert [f"three_tfidf P({c})" for c in THREE] == [c for c in table.columns if c.startswith("three_tfidf P(")]
    assert set(table["three_tfidf label"]) <= set(THREE)


@pytest.mark.parametrize(("name", "classes"), [("three_rnn", THREE), ("six_rnn", SIX)])
def test_evaluate_and_errors_draw_n_by_n_matrices(toy_app: Toys, name: str, classes: tuple[str, ...]) -> None:
    at = open_view(pick(start(), name), "Evaluate")
    matrix = chart(at)["data"][0]
    assert matrix["z"]["shape"] == f"{len(classes)}, {len(classes)}"
    assert labels(matrix["y"]) == list(classes)
    at = open_view(at, "Errors")
    assert at.selectbox(key="errors_true").options == list(classes)
    confusion = load_checkpoint(name, toy_app.checkpoints).metrics.test.confusion
    assert chart(at)["data"][0]["z"]["shape"] == f"{len(classes)}, {len(classes)}"
    assert sum(map(sum, confusion)) == get_dataset(name.split("_")[0]).test.rows
    loads = [b for b in at.button if str(b.key).startswith("errors_load_")]
    if loads:  # an example loads its own dataset's text into Probe
        loads[0].click()
        at = rerun(at)
        split = get_dataset(name.split("_")[0]).read_test()
        assert at.text_area(key="text").value in split.texts


def test_disagreements_and_slices_stay_within_one_dataset() -> None:
    at = open_view(pick(start(), "three_rnn"), "Disagreements")
    assert at.multiselect(key="disagree_checkpoints").options == ["three_rnn", "three_tfidf"]
    assert at.selectbox(key="disagree_class").options == ["any class", *THREE]
    assert "six_rnn, six_tfidf (Six topics)" in unescaped(messages(at))
    if at.dataframe:
        assert set(at.dataframe[0].value["true"]) <= set(THREE)
    at = open_view(at, "Slices")
    frame = at.dataframe[0].value
    assert frame.loc[frame["family"] == "true class", "slice"].tolist() == list(THREE)
    assert {"three_rnn", "three_tfidf"} <= set(frame.columns) and "six_rnn" not in frame.columns
    assert frame.loc[frame["family"] == "true class", "three_rnn n"].sum() == get_dataset("three").test.rows


def test_summary_behavior_and_the_report_run_on_other_datasets(toy_app: Toys) -> None:
    at = open_view(start(), "Summary")
    frames = [table.value for table in at.dataframe]  # one per dataset, under its title
    assert [f["checkpoint"].tolist() for f in frames] == [toy_app.names("six"), toy_app.names("three")]
    assert [unescaped(h.value) for h in at.main.subheader] == [
        "Six topics · 6 classes, 180 test texts",
        "Three-topic news · 3 classes, 300 test texts",
    ]
    assert all(f["macro-F1 low"].notna().all() and "tutorial" not in f.columns for f in frames)
    at = open_view(at, "Behaviour")
    assert not at.exception
    [download] = at.sidebar.get("download_button")
    assert not download.proto.disabled


def test_the_downloaded_report_holds_the_first_checkpoints_dataset() -> None:
    from app.report import _report

    html = _report(["six_rnn", "six_tfidf", "three_rnn"], [])
    assert "180 test texts (Six topics)" in html and "predicted Music &lt;live&gt;" in html
    assert "Left out, trained on another dataset than Six topics: three_rnn (Three-topic news)." in html


def test_a_link_carries_the_dataset() -> None:
    """`dataset=` alone opens that dataset's first checkpoint; with `model=` of it, that one; an unknown one
    is named and the view falls back to its default."""

    def opened(**params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
        at.query_params.update(params)
        at.switch_page(BY_ID["evaluate"].script)
        return rerun(at)

    at = opened(dataset="three")
    assert (at.radio(key="dataset").value, at.radio(key="checkpoint").value) == ("three", "three_rnn")
    assert labels(chart(at)["data"][0]["y"]) == list(THREE)
    at = opened(dataset="three", model="three_tfidf")
    assert at.radio(key="checkpoint").value == "three_tfidf"
    at = opened(dataset="nowhere")
    assert "no checkpoint is of a dataset named 'nowhere'" in unescaped(messages(at))
    assert at.radio(key="dataset").value == "six"
