"""What a stakeholder sees first: missing figures as "–" in numeric columns, dataset artifacts shown
readable (never in what is scored), a compact checkpoint picker, a first-visit hint from the files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from app.readable import MISSING, readable
from app.views.probe import first_visit_hint
from apptest_utils import SHIPPED, open_view, pick, rerun, start
from rnnclf import CLASSES, load_checkpoint, summary_rows
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.evaluation.metrics import cell_examples

ARTIFACTS = re.compile(r"#\d+;|quot;|&lt;|&gt;|amp;|\\")


@pytest.fixture(scope="module")
def split():
    return read_csv(TEST_PATH)


def test_readable_decodes_the_scrape_and_keeps_tickers():
    raw = "In  quot;helping, quot; the world #39;s  #36;10 AT&amp;T &lt;TXN.N&gt; &lt;b&gt;Big&lt;/b&gt; one\\two\\\\three"
    assert readable(raw) == 'In "helping," the world\'s $10 AT&T <TXN.N> Big one two three'
    assert readable("Plain text stays as it is.") == "Plain text stays as it is."


def test_missing_summary_figures_show_a_dash_and_the_columns_stay_numeric():
    at = open_view(start(), "Summary")
    table = at.dataframe[0]
    assert table.proto.placeholder == MISSING
    frame = table.value
    for column in ("test accuracy", "tutorial", "vs tutorial", "training rows", "epochs", "parameters"):
        assert pd.api.types.is_numeric_dtype(frame[column]), column
    rows = {row.checkpoint: row for row in summary_rows()}
    missing = frame[frame["tutorial"].isna()]["checkpoint"].tolist()
    assert missing == [name for name in SHIPPED if rows[name].tutorial_accuracy is None]
    assert frame["epochs"].isna().tolist() == [rows[name].epochs is None for name in frame["checkpoint"]]
    assert frame.sort_values("tutorial")["tutorial"].dropna().is_monotonic_increasing


def test_lists_show_readable_text_while_the_probe_gets_and_scores_the_exact_text(split):
    name = SHIPPED[0]
    probabilities = load_checkpoint(name).test_probabilities(split)
    # The first confusion cell whose first page holds a text with scrape artifacts.
    cell, row = next(
        ((true, predicted), row)
        for true in range(len(CLASSES))
        for predicted in range(len(CLASSES))
        for row in cell_examples(split.labels, probabilities, true, predicted)[:8]
        if ARTIFACTS.search(split.texts[row])
    )
    at = open_view(pick(start(), name), "Errors")
    at.selectbox(key="errors_true").select(CLASSES[cell[0]])
    at.selectbox(key="errors_predicted").select(CLASSES[cell[1]])
    at = rerun(at)
    shown = [t.value for t in at.text]
    assert readable(split.texts[row]) in shown and not any(ARTIFACTS.search(text) for text in shown)
    assert "tidied" in at.text[0].proto.help

    at.button(key=f"errors_load_{row}").click()
    at = rerun(at)
    assert at.text_area(key="text").value == split.texts[row]  # the box holds the exact text
    scored = load_checkpoint(name).classifier.predict_proba([split.texts[row]])[0]
    assert at.metric[0].value == CLASSES[int(np.argmax(scored))]
    assert f"{scored.max():.1%} probability" in " ".join(c.value for c in at.caption)


def test_disagreements_list_readable_texts(split):
    at = open_view(start(), "Disagreements")
    texts = at.dataframe[-1].value["text"].tolist()
    assert texts and not any(ARTIFACTS.search(text) for text in texts)
    raw = set(split.texts)
    assert any(text not in raw for text in texts)  # some were tidied


def test_the_checkpoint_picker_is_one_short_line_each_with_the_full_title_below():
    at = start()
    rows = {row.checkpoint: row for row in summary_rows()}
    labels = [re.sub(r"\\(.)", r"\1", label) for label in at.radio(key="checkpoint").options]
    assert labels == [f"{name} · {rows[name].test_accuracy:.1%}" for name in SHIPPED]
    assert at.radio(key="checkpoint").value == SHIPPED[0]
    at = pick(at, SHIPPED[-1])
    assert at.radio(key="checkpoint").value == SHIPPED[-1]
    titles = [re.sub(r"\\(.)", r"\1", c.value) for c in at.sidebar.caption]
    assert rows[SHIPPED[-1]].title in titles


def test_the_first_visit_hint_comes_from_the_files():
    at = start()
    rows = summary_rows()
    hint = first_visit_hint(rows)
    assert hint in [c.value for c in at.caption]
    gaps = [100 * (r.test_accuracy - r.tutorial_accuracy) for r in rows if r.tutorial_accuracy]
    assert f"{rows[0].training_rows:,} AG News" in hint and f"{len(rows)} news classifiers" in hint
    assert f"{min(gaps):+.1f}".replace("-", "−") in hint and f"{max(gaps):+.1f}".replace("-", "−") in hint
