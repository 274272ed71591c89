"""The Streamlit app through `streamlit.testing.v1.AppTest`: every view, and the inputs that must not break it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import highlight
from apptest_utils import SHIPPED, enter, messages, open_view, pick, start
from rnnclf import CLASSES, load_checkpoint, load_classifier, summary_rows
from rnnclf.core.paths import CHECKPOINT_DIR, REPORT_DIR
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.explain.words import Piece
from rnnclf.scope.fit import read_report

SCOPED = {c.checkpoint for c in read_report(REPORT_DIR / "scope.json").checkpoints}  # reports/scope.json
SPORTS = "The Yankees beat the Red Sox 5-3 on Sunday as the pitcher threw a shutout in the ninth inning."
HOSTILE = [
    '<script>alert("x")</script> Stocks <img src=x onerror=alert(1)> rallied on Wall Street',
    "**bold** claims $x^2$ and :red[alarm] about the <b>market</b> & [a link](http://example.com)",
]
UNKNOWN = "qwzxv blorptastic zzyzzxq fnordle"

pytestmark = pytest.mark.skipif(not SHIPPED, reason="no shipped checkpoints under checkpoints/")


def shown_checkpoints(at: AppTest) -> list[str]:
    """The checkpoint names in the sidebar, read from each option's label ("name · accuracy").

    Labels are Markdown with every punctuation mark backslash-escaped (app.safe.literal): unescape.
    """
    return [re.sub(r"\\(.)", r"\1", label.split(" · ")[0]) for label in at.radio(key="checkpoint").options]


def highlighted(at: AppTest) -> list[str]:
    """The highlighted-text blocks shown (st.html bodies of class lime-text)."""
    return [h.value for h in at.html if 'class="lime-text"' in h.value]


def weighted_words(block: str) -> list[str]:
    """The words LIME gave a weight (each occurrence), as shown."""
    return [html.unescape(w) for w in re.findall(r'<span class="lime-word" [^>]*>([^<]*)</span>', block)]


def visible_text(block: str) -> str:
    """What a browser shows of our HTML: the tags dropped, the entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", block))


def test_highlight_escapes_every_piece_and_fades_words_outside_the_window() -> None:
    pieces = (Piece("<b>", 0.5, True), Piece(" ", None, True), Piece('x&"y', -0.25, False), Piece("!", None, False))
    block = highlight.highlighted_text(pieces, "Sci<i>", "model<1>", 1)
    assert visible_text(block) == '<b> x&"y!'
    assert "<b>" not in block and "<i>" not in block and "<1>" not in block
    outside = re.search(r'<span class="lime-word"[^>]*>x&amp;&quot;y</span>', block).group(0)
    assert "opacity" in outside and "outside the 1-token window" in outside


def test_starts_clean_and_lists_every_checkpoint() -> None:
    at = start()
    assert shown_checkpoints(at) == SHIPPED
    assert "Type or paste a news text" in messages(at)  # the first page is the Probe


@pytest.mark.parametrize("checkpoint", SHIPPED)
def test_probe_shows_the_checkpoints_prediction(checkpoint: str) -> None:
    at = pick(enter(start(), SPORTS), checkpoint)
    classifier = load_classifier(checkpoint)
    expected = classifier.classes[int(np.argmax(classifier.predict_proba([SPORTS])[0]))]
    assert at.metric[0].value == expected
    assert at.get("plotly_chart")


def test_example_from_the_test_split_shows_its_true_label() -> None:
    at = start()
    at.selectbox(key="example_class").select("Business").run()
    at.button(key="example_button").click().run()
    assert not at.exception, at.exception
    text = at.text_area(key="text").value
    split = read_csv(TEST_PATH)
    assert CLASSES[split.labels[split.texts.index(text)]] == "Business"
    assert any("true label: Business" in m.value for m in at.markdown)
    assert at.metric[0].value in CLASSES


def test_explanation_lists_the_words_and_repeats_itself() -> None:
    at = open_view(enter(start(), SPORTS), "Explain")
    [block] = highlighted(at)
    assert visible_text(block) == SPORTS
    assert len(set(weighted_words(block))) == 10 and "Yankees" in weighted_words(block)
    assert [m.label for m in at.metric] == ["P(Sports)", "Local fit R²"]
    at.run()
    assert highlighted(at) == [block]  # seeded: the same request, the same explanation

    at.segmented_control(key="explain_class").set_value("World").run()
    assert not at.exception, at.exception
    assert at.metric[0].label == "P(World)"


def test_explanation_follows_the_sidebar_settings() -> None:
    at = open_view(enter(start(), SPORTS), "Explain")
    at.slider(key="lime_samples").set_value(300).run()
    at.slider(key="lime_features").set_value(3).run()
    assert not at.exception, at.exception
    [block] = highlighted(at)
    assert len(set(weighted_words(block))) == 3
    assert any("300 samples" in c.value for c in at.caption)


def test_compare_puts_every_checkpoint_side_by_side() -> None:
    at = open_view(enter(start(), SPORTS), "Compare")
    table = at.dataframe[0].value
    assert table["checkpoint"].tolist() == SHIPPED
    assert set(table["predicted"]) <= set(CLASSES)
    assert "agree" in messages(at)
    at.toggle(key="compare_lime").set_value(True).run()
    assert not at.exception, at.exception
    assert len(highlighted(at)) == len(SHIPPED)


@pytest.mark.parametrize("checkpoint", SHIPPED)
def test_evaluation_renders_the_stored_metrics(checkpoint: str) -> None:
    at = open_view(pick(start(), checkpoint), "Evaluate")
    metrics = load_checkpoint(checkpoint).metrics
    assert at.metric[0].value == f"{metrics.test.accuracy:.2%}"
    assert at.dataframe[0].value["class"].tolist() == [c.name for c in metrics.test.per_class]
    charts = (2 if metrics.history else 1) + 3  # + training curves, if any; + reliability, coverage, confidence
    charts += checkpoint in SCOPED  # + its scope score distributions, when the scope report has it
    assert len(at.get("plotly_chart")) == charts
    at.segmented_control(key="confusion_scale").set_value("row-normalized").run()
    assert not at.exception, at.exception


def test_evaluation_puts_two_matrices_side_by_side() -> None:
    if len(SHIPPED) < 2:
        pytest.skip("needs two checkpoints")
    at = open_view(start(), "Evaluate")
    at.selectbox(key="evaluate_other").select(SHIPPED[1]).run()
    assert not at.exception, at.exception
    scoped = len({SHIPPED[0], SHIPPED[1]} & SCOPED)  # each one's scope distributions, when the report has it
    assert len(at.metric) == 6 and len(at.get("plotly_chart")) == 4 + 3 + scoped  # + the calibration charts


def test_summary_table_comes_from_the_checkpoint_files() -> None:
    at = open_view(start(), "Summary")
    table = at.dataframe[0].value
    rows = {r.checkpoint: r for r in summary_rows(CHECKPOINT_DIR)}
    assert table["checkpoint"].tolist() == SHIPPED
    for _, row in table.iterrows():
        assert row["test accuracy"] == rows[row["checkpoint"]].test_accuracy
        tutorial = rows[row["checkpoint"]].tutorial_accuracy
        assert (pd.isna(row["tutorial"]) and tutorial is None) or row["tutorial"] == tutorial
    assert at.main.get("download_button")


@pytest.mark.parametrize("view", ["Probe", "Explain", "Compare"])
@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_gets_a_prompt(view: str, text: str) -> None:
    at = enter(open_view(start(), view), text)
    assert "Type or paste a news text" in messages(at)
    assert not at.metric and not highlighted(at) and not at.error


def test_huge_text_works_within_bounds() -> None:
    words = read_csv(TEST_PATH).texts[:2000]
    text = " ".join(words)[:100_000]
    at = enter(start(), text)
    assert at.metric[0].value in CLASSES
    assert "reads only the first" in messages(at)
    at = open_view(at, "Explain")
    [block] = highlighted(at)
    assert visible_text(block) == text  # every word still shown, most of it marked outside the window
    assert any("perturbs only the first" in c.value for c in at.caption)


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_in_the_text_is_shown_literally(text: str) -> None:
    at = enter(start(), text)
    assert at.metric[0].value in CLASSES
    at = open_view(at, "Explain")
    [block] = highlighted(at)
    assert visible_text(block) == text
    assert "<script" not in block and "<img" not in block and "<b>" not in block
    shown = [m.value for m in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error)]
    assert not any(fragment in value for value in shown for fragment in ("alarm", "onerror", "bold"))
    at = open_view(at, "Compare")
    at.toggle(key="compare_lime").set_value(True).run()
    assert all(visible_text(b) == text for b in highlighted(at))


def test_text_of_unknown_words_warns() -> None:
    at = enter(start(), UNKNOWN)
    assert "unknown" in " ".join(w.value for w in at.warning)
    at = open_view(at, "Explain")
    assert "unknown" in " ".join(w.value for w in at.warning)
    assert highlighted(at)


def test_text_without_words_is_explained_as_nothing() -> None:
    at = open_view(enter(start(), '"" ;;; ::'), "Explain")
    assert "no words" in messages(at) and "Nothing to explain" in messages(at)


def test_a_broken_checkpoint_shows_an_error_and_the_others_keep_working(root_with_a_broken_checkpoint: Path) -> None:
    at = start()
    assert shown_checkpoints(at) == ["broken", "good", "missing"]
    labels = at.radio(key="checkpoint").options
    assert "cannot be loaded" in labels[0] and "cannot be loaded" in labels[2] and "cannot" not in labels[1]

    at = enter(pick(at, "broken"), SPORTS)
    assert "broken" in at.error[0].value and not at.metric
    for view in ("Explain", "Evaluate"):
        at = open_view(at, view)
        assert "broken" in at.error[0].value
    at = open_view(at, "Summary")
    assert at.dataframe[0].value["checkpoint"].tolist() == ["good"]
    assert "broken" in at.error[0].value and "missing" in at.error[1].value

    at = open_view(at, "Compare")
    assert at.dataframe[0].value["checkpoint"].tolist() == ["good"] and "broken" in at.error[0].value
    at = open_view(pick(at, "good"), "Probe")
    assert at.metric[0].value in CLASSES and not at.error


def test_an_empty_checkpoints_root_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RNNCLF_CHECKPOINTS", str(tmp_path))
    at = start()
    assert "No checkpoints found" in at.error[0].value and not at.text_area
