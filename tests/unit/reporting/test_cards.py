"""Model cards: the committed cards' front matter validates, every figure in them equals the one in its
source file (read here independently of `rnnclf.reporting.cards`), and a card of a toy dataset takes its
classes, comparisons and missing reports from its own checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from toy_datasets import Toys

from rnnclf.checkpoints.registry import list_checkpoints, load_checkpoint
from rnnclf.core.markdown import literal
from rnnclf.core.paths import CHECKPOINT_DIR, REPORT_DIR
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.evaluation.significance import mcnemar, stored_intervals
from rnnclf.reporting.cards import CARD, CardError, figures, library_version, markdown, split
from rnnclf.reporting.style import count, percent, score

SHIPPED = list_checkpoints(CHECKPOINT_DIR)


def split_card(text: str) -> tuple[dict, str]:
    """The YAML front matter (parsed) and the Markdown body."""
    head, body = split(text)
    return yaml.safe_load(head), body


@pytest.fixture(scope="module")
def shipped() -> dict:
    return {name: load_checkpoint(name) for name in SHIPPED}


@pytest.mark.parametrize("name", SHIPPED)
def test_front_matter_validates_and_matches_the_stored_predictions(name: str, shipped: dict) -> None:
    checkpoint = shipped[name]
    meta, _ = split_card((checkpoint.folder / CARD).read_text(encoding="utf-8"))
    assert meta["library_name"] == "rnnclf"
    assert meta["library_version"] == library_version()
    assert meta["pipeline_tag"] == "text-classification"
    assert meta["datasets"] == [checkpoint.dataset.name]
    (entry,) = meta["model-index"]
    assert entry["name"] == name
    (result,) = entry["results"]
    assert result["task"]["type"] == "text-classification"
    assert result["dataset"] == {
        "name": checkpoint.dataset.display_title,
        "type": checkpoint.dataset.name,
        "split": "test",
    }
    for metric in result["metrics"]:
        assert set(metric) == {"name", "type", "value"}
    values = {m["type"]: m["value"] for m in result["metrics"]}
    accuracy, f1 = stored_intervals(checkpoint)
    assert values == {
        "accuracy": accuracy.estimate,
        "accuracy_ci_low": accuracy.low,
        "accuracy_ci_high": accuracy.high,
        "f1": f1.estimate,
        "f1_ci_low": f1.low,
        "f1_ci_high": f1.high,
    }
    labels = checkpoint.dataset.read_test().labels
    assert values["accuracy"] == pytest.approx(np.mean(checkpoint.test_predictions.argmax(1) == labels))
    assert values["accuracy"] == pytest.approx(checkpoint.metrics.test.accuracy)


@pytest.mark.parametrize("name", SHIPPED)
def test_body_figures_equal_their_source_files(name: str, shipped: dict) -> None:
    checkpoint = shipped[name]
    _, body = split_card((checkpoint.folder / CARD).read_text(encoding="utf-8"))
    metrics = json.loads((checkpoint.folder / "metrics.json").read_text(encoding="utf-8"))
    for row in metrics["test"]["per_class"]:
        cells = [literal(row.get("name", row.get("class"))), *(score(row[k]) for k in ("precision", "recall", "f1"))]
        assert f"| {' | '.join(cells)} | {count(row['support'])} |" in body
    calibration = metrics["calibration"]
    assert f"{percent(calibration['test_ece_before'])} raw, {percent(calibration['test_ece_after'])} after" in body
    behavior = json.loads((REPORT_DIR / "behavior.json").read_text(encoding="utf-8"))
    for test in behavior["tests"]:
        rate = len(test["failed"][name]) / len(test["cases"])
        assert f"| {count(len(test['cases']))} | {percent(rate, 1)} |" in body
    faith = json.loads((REPORT_DIR / "faithfulness.json").read_text(encoding="utf-8"))
    for row in (r for r in faith["rows"] if r["checkpoint"] == name):
        assert f"| {count(row['texts'])} | {score(row['comprehensiveness']['estimate'], 3)} (" in body
    labels = checkpoint.dataset.read_test().labels
    for other in (shipped[n] for n in SHIPPED if n != name):
        test = mcnemar(
            name, other.name, labels, checkpoint.test_predictions.argmax(1), other.test_predictions.argmax(1)
        )
        assert f"| {literal(other.name)} | " in body
        assert f"| {count(test.differ)} | {count(test.first_right)} | {count(test.second_right)} |" in body
    if checkpoint.config.max_tokens is not None:
        assert f"only the first {checkpoint.config.max_tokens} tokens" in body
    scope = json.loads((REPORT_DIR / "scope.json").read_text(encoding="utf-8"))
    (own,) = (c for c in scope["checkpoints"] if c["checkpoint"] == name)
    for method in own["methods"]:
        title = literal(method["title"]) + (" (chosen)" if method["chosen"] else "")
        figures_ = [score(method["auroc"], 3), percent(method["fpr95"], 1), percent(method["flagged_in_domain"], 1)]
        assert f"| {title} | {' | '.join(figures_)} |" in body


def test_a_toy_card_reads_its_own_dataset(toys: Toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six classes with Markdown punctuation, one other checkpoint of its dataset, none of the other
    dataset's in its comparisons, and no reports (notes instead of tables)."""
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    loaded = [load_checkpoint(n, toys.checkpoints) for n in list_checkpoints(toys.checkpoints)]
    (rnn,) = [c for c in loaded if c.name == "six_rnn"]
    found = figures(rnn, loaded, tmp_path)
    assert found.classes == rnn.dataset.classes and len(found.classes) == 6
    assert [c.test.second for c in found.comparisons] == ["six_tfidf"]
    assert not found.behavior.rows and "behave" in found.behavior.note
    assert not found.faithfulness.rows and "faithfulness" in found.faithfulness.note
    meta, body = split_card(markdown(found))
    assert meta["model-index"][0]["results"][0]["dataset"]["type"] == rnn.dataset.name
    assert "Music \\<live\\>" in body and "Music <live>" not in body
    assert "three_" not in body
    split = rnn.dataset.read_test()
    assert found.test_rows == len(split) and f"{count(len(split))} test texts" in body
    assert markdown(figures(rnn, loaded, tmp_path)) == markdown(found)  # deterministic


@pytest.mark.parametrize("text", ["# no front matter\n", "---\nlibrary_name: rnnclf\n# never closed\n"])
def test_a_card_without_front_matter_is_refused(text: str) -> None:
    with pytest.raises(CardError, match="front matter"):
        split(text)
