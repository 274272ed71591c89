"""The scope notice beside a prediction (Probe, Compare), the Batch columns, and the closest training texts
(Probe): on the shipped baseline, which stores a scope, and on toy checkpoints, which store none."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from toy_datasets import Toys

from app.state import ROOT_ENV
from apptest_utils import enter, open_view, pick, rerun, start
from rnnclf import load_checkpoint
from rnnclf.core.paths import REPORT_DIR
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.evaluation.temperature import training_splits
from rnnclf.scope.fit import read_report
from rnnclf.scope.record import load_scope

OFF_TOPIC = "My grandmother's lasagna recipe uses three kinds of cheese and a lot of basil"


def verdict(name: str, text: str):
    checkpoint = load_checkpoint(name)
    return load_scope(checkpoint.folder).verdicts(checkpoint.classifier, [text])[0]


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def scope_warnings(at) -> list[str]:
    return [plain(w.value) for w in at.warning if "scope" in w.value]


def test_probe_warns_for_an_offtopic_text_and_not_for_a_test_text() -> None:
    news = load_checkpoint("tfidf_lr").dataset.read_test().texts[0]
    assert verdict("tfidf_lr", OFF_TOPIC).outside and not verdict("tfidf_lr", news).outside  # the premise
    at = pick(start(), "tfidf_lr")
    enter(at, OFF_TOPIC)
    [warning] = scope_warnings(at)
    found = verdict("tfidf_lr", OFF_TOPIC)
    assert "Outside tfidf_lr's scope" in warning and f"threshold {found.threshold:.3g}" in warning
    assert f"score {found.score:.3g}" in warning
    enter(at, news)
    assert scope_warnings(at) == []
    assert any("Inside tfidf_lr's scope" in plain(c.value) for c in at.caption)


def test_compare_names_the_checkpoints_a_text_is_outside_of() -> None:
    at = open_view(start(), "Compare")
    enter(at, OFF_TOPIC)
    outside = [name for name in ("tfidf_lr", "bigru_bag_avg", "approach1") if verdict(name, OFF_TOPIC).outside]
    warned = scope_warnings(at)
    for name in outside:
        assert any(f"Outside {name}'s scope" in w for w in warned)
    table = at.dataframe[0].value
    assert table.set_index("checkpoint")["outside scope"]["tfidf_lr"] == verdict("tfidf_lr", OFF_TOPIC).outside


@pytest.fixture
def toy_app(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> Toys:
    monkeypatch.setenv(ROOT_ENV, str(toys.checkpoints))
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    return toys


def test_a_checkpoint_without_a_scope_says_so_and_shows_its_closest_training_texts(toy_app: Toys) -> None:
    at = pick(start(), "six_rnn")
    enter(at, "rain and snow with wind on the coast")
    assert any("six_rnn stores no scope" in plain(c.value) for c in at.caption)
    at.toggle(key="probe_neighbors").set_value(True)
    rerun(at)
    checkpoint = load_checkpoint(toy_app.checkpoints / "six_rnn")
    train, _ = training_splits(checkpoint.config)
    labels = {text: checkpoint.classes[int(label)] for text, label in zip(train.texts, train.labels)}
    [summary] = [plain(m.value) for m in at.markdown if "closest training texts" in m.value]
    shown = [t.value for t in at.text]
    assert len(shown) == 5 and all(text in labels for text in shown)  # training texts, as stored (no tidying needed)
    facts = [plain(m.value) for m in at.markdown if "similarity" in m.value]
    assert [f.split("**")[1] for f in facts] == [labels[text] for text in shown]  # each with its true label
    predicted = summary.rsplit(" are ", 1)[1]
    assert summary.startswith(f"closest training texts: {sum(labels[t] == predicted for t in shown)} of 5")
    at.button(key="probe_neighbor_2").click()
    rerun(at)
    assert at.text_area(key="text").value == shown[2]


def test_batch_shows_the_two_scope_columns() -> None:
    at = open_view(start(), "Batch")
    at.segmented_control(key="batch_source").set_value("Paste lines")
    rerun(at)
    at.multiselect(key="batch_checkpoints").set_value(["tfidf_lr"])
    at.text_area(key="batch_lines").input(f"{OFF_TOPIC}\nOil prices rise as the dollar falls")
    rerun(at)
    at.button(key="batch_score").click()
    table = rerun(at).dataframe[0].value
    for text, row in zip(table["text"], table.itertuples(index=False)):
        found = verdict("tfidf_lr", text)
        assert row[-2] == pytest.approx(found.score)
        assert row[-1] == ("true" if found.outside else "false")
    assert list(table.columns[-2:]) == ["tfidf_lr scope score", "tfidf_lr outside scope"]


def test_evaluate_shows_the_chosen_methods_distributions_from_the_report() -> None:
    report = read_report(REPORT_DIR / "scope.json")
    at = start()
    name = at.radio(key="checkpoint").value
    at = open_view(at, "Evaluate")
    [entry] = [c for c in report.checkpoints if c.checkpoint == name]
    chosen = next(m for m in entry.methods if m.chosen)
    [figure] = [
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if "score" in c.proto.spec and "threshold" in c.proto.spec
    ]
    for trace, counts in zip(figure["data"], (entry.distribution.in_domain, entry.distribution.offtopic), strict=True):
        assert np.allclose(trace["y"], np.array(counts) / sum(counts))
    assert any(f"AUROC {chosen.auroc:.3f}" in plain(c.value) for c in at.caption)
