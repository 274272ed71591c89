"""The app's analysis views through AppTest: the error explorer, the disagreements, batch scoring."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.readable import readable
from app.views.errors import PAGE_SIZE
from apptest_utils import ROOT, SHIPPED, messages, open_view, pick, rerun, start
from rnnclf import CLASSES, load_checkpoint, load_classifier
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.evaluation.metrics import disagreeing_rows
from rnnclf.scoring.batch import MAX_BYTES

pytestmark = pytest.mark.skipif(not SHIPPED, reason="no shipped checkpoints under checkpoints/")

LINES = ["Stocks fell sharply on Wall Street as oil prices rose", "", "The Yankees beat the Red Sox in the ninth"]


@pytest.fixture(scope="module")
def split():
    return read_csv(TEST_PATH)


def heatmap_text(at: AppTest, index: int = 0) -> list[list[str]]:
    """The cell labels of the first trace of the `index`-th chart, as drawn."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)["data"][0]["text"]


def cell_count(at: AppTest) -> int:
    """The number of examples the error explorer says the chosen cell holds (0 when it says none)."""
    if any(m.value.startswith("No test example") for m in at.info):
        return 0
    [count] = [re.match(r"\*\*([\d,]+)\*\* test examples", m.value) for m in at.markdown if "test examples" in m.value]
    return int(count.group(1).replace(",", ""))


def load_buttons(at: AppTest) -> list:
    return [b for b in at.button if str(b.key).startswith("errors_load_")]


def choose_cell(at: AppTest, true: str, predicted: str) -> AppTest:
    at.selectbox(key="errors_true").select(true)
    at.selectbox(key="errors_predicted").select(predicted)
    return rerun(at)


# --- error explorer -------------------------------------------------------------------------------


@pytest.mark.parametrize("checkpoint", SHIPPED)
def test_error_explorer_cells_hold_the_stored_confusion_matrix(checkpoint: str) -> None:
    at = open_view(pick(start(), checkpoint), "Errors")
    stored = load_checkpoint(checkpoint).metrics.test.confusion
    assert heatmap_text(at) == [[f"{n:,}" for n in row] for row in stored]
    for true, true_name in enumerate(CLASSES):
        for predicted, predicted_name in enumerate(CLASSES):
            at = choose_cell(at, true_name, predicted_name)
            assert cell_count(at) == stored[true][predicted], (true_name, predicted_name)
            assert len(load_buttons(at)) == min(PAGE_SIZE, stored[true][predicted])


def test_error_explorer_starts_on_the_commonest_mistake_most_confident_first(split) -> None:
    at = open_view(start(), "Errors")
    checkpoint = load_checkpoint(SHIPPED[0])
    confusion = np.array(checkpoint.metrics.test.confusion)
    np.fill_diagonal(confusion, -1)
    true, predicted = np.unravel_index(confusion.argmax(), confusion.shape)
    assert (at.selectbox(key="errors_true").value, at.selectbox(key="errors_predicted").value) == (
        CLASSES[true],
        CLASSES[predicted],
    )
    probabilities = checkpoint.test_probabilities(split)
    shown = [int(str(b.key).removeprefix("errors_load_")) for b in load_buttons(at)]
    assert all(split.labels[row] == true and probabilities[row].argmax() == predicted for row in shown)
    assert np.all(np.diff(probabilities[shown, predicted]) <= 0)
    assert [t.value for t in at.text] == [readable(split.texts[row]) for row in shown]  # plain text, not Markdown

    pages = at.get("pagination")[0]
    assert pages.proto.num_pages == math.ceil(confusion[true, predicted] / PAGE_SIZE)
    pages.select(2)
    at = rerun(at)
    second = [int(str(b.key).removeprefix("errors_load_")) for b in load_buttons(at)]
    assert second and not set(second) & set(shown)
    assert probabilities[second[0], predicted] <= probabilities[shown[-1], predicted]


def test_loading_an_example_puts_it_into_the_probe(split) -> None:
    at = choose_cell(open_view(start(), "Errors"), "Sports", "Sports")
    button = load_buttons(at)[0]
    row = int(str(button.key).removeprefix("errors_load_"))
    button.click()
    at = rerun(at)
    assert at.session_state["news_text"] == split.texts[row]
    assert at.query_params == {"model": SHIPPED[0], "row": str(row)}  # the Probe opened, on that test row
    assert at.metric[0].label == "Predicted class"
    assert at.text_area(key="text").value == split.texts[row]
    assert any("true label: Sports" in m.value for m in at.markdown)
    assert at.metric[0].value == "Sports"
    at = open_view(at, "Errors")  # back again: the same cell
    assert (at.selectbox(key="errors_true").value, at.selectbox(key="errors_predicted").value) == ("Sports", "Sports")


# --- disagreements --------------------------------------------------------------------------------


def test_disagreements_between_two_checkpoints(split) -> None:
    if len(SHIPPED) < 2:
        pytest.skip("needs two checkpoints")
    pair = SHIPPED[:2]
    at = open_view(start(), "Disagreements")
    assert at.multiselect(key="disagree_checkpoints").value == SHIPPED
    at.multiselect(key="disagree_checkpoints").set_value(pair)
    at = rerun(at)
    predicted = np.stack([load_checkpoint(name).test_probabilities(split).argmax(1) for name in pair])
    rows = disagreeing_rows(predicted)
    table = at.dataframe[0].value
    assert len(table) == len(rows) > 0
    assert at.metric[0].value == f"{len(rows):,}"
    assert table["text"].tolist() == [readable(split.texts[i]) for i in rows]  # shown tidied
    assert (table[f"{pair[0]} label"] != table[f"{pair[1]} label"]).all()
    assert set(table["true"]) <= set(CLASSES) and table["right"].between(0, 1).all()
    agreement = heatmap_text(at)
    assert agreement[0][0] == agreement[1][1] == "100.0%"
    assert agreement[0][1] == agreement[1][0] == f"{1 - len(rows) / len(split):.1%}"

    at.selectbox(key="disagree_class").select("World")
    at = rerun(at)
    world = at.dataframe[0].value
    assert 0 < len(world) < len(rows) and set(world["true"]) == {"World"}


def test_disagreements_need_two_checkpoints() -> None:
    at = open_view(start(), "Disagreements")
    at.multiselect(key="disagree_checkpoints").set_value(SHIPPED[:1])
    at = rerun(at)
    assert "at least two" in messages(at) and not at.dataframe


# --- batch scoring --------------------------------------------------------------------------------


def batch(source: str) -> AppTest:
    at = open_view(start(), "Batch")
    at.segmented_control(key="batch_source").set_value(source)
    return rerun(at)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="batch_file").upload(name, data, "text/csv")
    return rerun(at)


def score(at: AppTest) -> AppTest:
    at.button(key="batch_score").click()
    return rerun(at)


def test_pasted_lines_are_scored() -> None:
    at = batch("Paste lines")
    at.text_area(key="batch_lines").input("\n".join(LINES))
    at = score(rerun(at))
    table = at.dataframe[0].value
    texts = [line for line in LINES if line]
    classifier = load_classifier(SHIPPED[0])
    expected = classifier.predict_proba(texts)
    assert table["text"].tolist() == texts
    assert table[f"{SHIPPED[0]} label"].tolist() == [CLASSES[i] for i in expected.argmax(1)]
    assert np.allclose(table[[f"{SHIPPED[0]} P({c})" for c in CLASSES]].to_numpy(), expected, atol=1e-6)
    assert at.main.get("download_button") and "Scored 2 rows" in messages(at)


def test_an_uploaded_csv_is_scored_by_each_chosen_checkpoint() -> None:
    data = b"id,headline\n1,Stocks fell on Wall Street\n2,\n3,The Yankees won the pennant\n"
    at = upload(batch("Upload a CSV"), "news.csv", data)
    assert at.selectbox(key="batch_column").options == ["id", "headline"]
    assert at.selectbox(key="batch_column").value == "headline"  # guessed: the longest values
    at.multiselect(key="batch_checkpoints").set_value(SHIPPED)
    at = score(rerun(at))
    table = at.dataframe[0].value
    assert table["id"].tolist() == ["1", "2", "3"]
    for name in SHIPPED:
        labels = table[f"{name} label"].tolist()
        assert labels[1] == "" and {labels[0], labels[2]} <= set(CLASSES)
    assert "No prediction for 1 row without text" in messages(at)

    at.selectbox(key="batch_column").select("id")  # another column: the old table is gone until scored
    at = rerun(at)
    assert not at.dataframe


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("título,texto\nnoticia,año\n".encode("latin-1"), "is not UTF-8"),
        (b"", "is empty"),
        (b"text\n", "has a header but no rows"),
        (b"text\n" + b"x" * (21 * 2**20), "the limit is 20 MB"),
        (b"text\n" + b"x" * (50 * 2**20), "is 50.0 MB"),
    ],
    ids=["latin-1", "empty", "header only", "21 MB", "50 MB"],
)
def test_a_bad_upload_gets_a_clear_message(data: bytes, message: str) -> None:
    at = upload(batch("Upload a CSV"), "bad.csv", data)
    assert message in at.error[0].value.replace("\\", "")  # literal() escapes the punctuation
    assert not at.dataframe and not at.main.get("download_button")


def test_names_in_messages_stay_literal() -> None:
    at = upload(batch("Upload a CSV"), "**<b>x</b>**.csv", b"")
    assert "\\*\\*\\<b\\>x" in at.error[0].value


def test_the_upload_limits_agree_and_are_stated() -> None:
    config = tomllib.loads(Path(ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_BYTES
    at = batch("Upload a CSV")
    assert at.file_uploader(key="batch_file").proto.max_upload_size_mb * 2**20 == MAX_BYTES
    assert any("20 MB" in c.value and "100,000 rows" in c.value for c in at.caption)


# --- broken checkpoints ---------------------------------------------------------------------------


def test_the_analysis_views_show_a_broken_checkpoint_and_go_on(root_with_a_broken_checkpoint: Path) -> None:
    at = open_view(pick(start(), "broken"), "Errors")
    assert "broken" in at.error[0].value and not at.get("plotly_chart")
    at = open_view(pick(at, "good"), "Errors")
    assert not at.error and cell_count(at) > 0

    at = open_view(at, "Disagreements")
    errors = " ".join(e.value for e in at.error)
    assert "broken" in errors and "missing" in errors
    assert at.multiselect(key="disagree_checkpoints").options == ["good"]

    at = open_view(at, "Batch")
    assert at.multiselect(key="batch_checkpoints").value == ["good"]
