"""Every view has its own page and URL; the URL holds what a person sees, and a tampered one falls back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from app.links import MAX_TEXT
from app.pages import BY_ID, VIEWS
from apptest_utils import ROOT, SHIPPED, TIMEOUT, messages, rerun
from rnnclf import CLASSES
from rnnclf.data.dataset import TEST_PATH, read_csv

pytestmark = pytest.mark.skipif(len(SHIPPED) < 2, reason="needs two shipped checkpoints under checkpoints/")
SPORTS = "The Yankees beat the Red Sox 5-3 on Sunday as the pitcher threw a shutout in the ninth inning."


def open_link(view: str, **params: str) -> AppTest:
    """A fresh session opening /<view>?<params>, as a shared link does in a new browser."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    if view != VIEWS[0].id:
        at.switch_page(BY_ID[view].script)
        at.query_params.update(params)  # the address the browser asked for
        at.run()
    assert not at.exception, at.exception
    return at


def shared_link(at: AppTest) -> str:
    """The link the Share control offers."""
    [link] = [code.value for code in at.code if "?" in code.value or code.value.startswith(("/", "http"))]
    return link


@pytest.mark.parametrize("view", [view.id for view in VIEWS])
def test_every_page_renders_and_offers_a_link(view: str) -> None:
    at = open_link(view, model=SHIPPED[1])
    assert at.radio(key="checkpoint").value == SHIPPED[1]
    # The default view is served at the root only: /probe would say "Page not found".
    assert urlsplit(shared_link(at)).path.endswith("/" if view == VIEWS[0].id else f"/{view}")
    assert parse_qs(urlsplit(shared_link(at)).query)["model"] == [SHIPPED[1]]


def test_a_link_selects_checkpoint_text_and_class() -> None:
    at = open_link("explain", model=SHIPPED[1], text=SPORTS, **{"class": "World"})
    assert at.radio(key="checkpoint").value == SHIPPED[1]
    assert at.text_area(key="text").value == SPORTS
    assert at.metric[0].label == "P(World)"
    assert at.query_params == {"model": SHIPPED[1], "text": SPORTS, "class": "World"}
    assert parse_qs(urlsplit(shared_link(at)).query) == {"model": [SHIPPED[1]], "text": [SPORTS], "class": ["World"]}


def test_a_link_to_a_test_row_shows_that_example() -> None:
    split = read_csv(TEST_PATH)
    at = open_link("probe", model=SHIPPED[0], row="42")
    assert at.text_area(key="text").value == split.texts[42]
    assert any(f"true label: {CLASSES[split.labels[42]]}" in m.value for m in at.markdown)
    assert at.query_params == {"model": SHIPPED[0], "row": "42"}


def test_links_to_the_analysis_views_keep_their_choices() -> None:
    pair = SHIPPED[:2]
    at = open_link("compare", text=SPORTS, models=",".join(pair))
    assert at.dataframe[0].value["checkpoint"].tolist() == pair
    at = open_link("errors", model=SHIPPED[0], true="World", pred="Sports")
    assert (at.selectbox(key="errors_true").value, at.selectbox(key="errors_predicted").value) == ("World", "Sports")
    at = open_link("evaluate", model=SHIPPED[0], vs=SHIPPED[1])
    assert at.selectbox(key="evaluate_other").value == SHIPPED[1] and len(at.metric) == 6
    at = open_link("disagreements", models=",".join(pair))
    assert at.multiselect(key="disagree_checkpoints").value == pair


@pytest.mark.parametrize(
    ("params", "complaint"),
    [
        ({"model": "no_such_model"}, "no checkpoint named"),
        ({"model": "<script>alert(1)</script>"}, "no checkpoint named"),
        ({"row": "-1"}, "not a test-split row number"),
        ({"row": "7600"}, "not a test-split row number"),
        ({"row": "12abc"}, "not a test-split row number"),
        ({"text": "x" * (MAX_TEXT + 1)}, "longer than the 2,000 characters"),
        ({"class": "**World**"}, "class: not one of"),
        ({"models": "approach1,<b>x</b>"}, "models: no checkpoint named"),
        ({"true": "World", "pred": "Nope"}, "both must be one of"),
        ({"surprise": "1"}, "unknown parameter"),
    ],
)
def test_a_tampered_link_gets_a_message_and_the_default(params: dict[str, str], complaint: str) -> None:
    view = "errors" if "true" in params else "explain"
    at = open_link(view, **params)
    [warning] = [w.value for w in at.warning if "could not be followed" in w.value]
    assert complaint in warning.replace("\\", "")
    assert "<script>" not in warning and "<b>" not in warning  # shown as text (Markdown-escaped)
    assert at.radio(key="checkpoint").value == SHIPPED[0]
    if view == "explain":
        assert at.text_area(key="text").value == "" and "Type or paste" in messages(at)
    at = rerun(at)  # the next run keeps the defaults and drops the message
    assert not [w for w in at.warning if "could not be followed" in w.value]


def test_the_url_follows_the_text_and_long_texts_are_not_put_in_it() -> None:
    at = open_link("probe")
    at.text_area(key="text").input(SPORTS)
    at = rerun(at)
    assert at.query_params["text"] == SPORTS
    long_text = "word " * MAX_TEXT
    at.text_area(key="text").input(long_text)
    at = rerun(at)
    assert "text" not in at.query_params and "row" not in at.query_params
    assert any("more than a link carries" in c.value for c in at.caption)
