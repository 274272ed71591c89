"""The committed checkpoints: each loads, and re-evaluating it reproduces its stored metrics exactly."""

import numpy as np
import pytest
from rnnclf.checkpoints import CHECKPOINT_DIR, load_predictions

from rnnclf import list_checkpoints, load_classifier, summary_rows
from rnnclf.data import TEST_PATH, read_csv
from rnnclf.evaluate import evaluate

SHIPPED = list_checkpoints()
TUTORIAL = [f"approach{i}" for i in range(1, 6)]


def test_all_five_tutorial_approaches_are_shipped():
    assert set(TUTORIAL) <= set(SHIPPED)


def test_checkpoints_fit_the_size_budget():
    total = sum(p.stat().st_size for p in CHECKPOINT_DIR.rglob("*") if p.is_file())
    assert total < 60 * 2**20


@pytest.fixture(scope="module")
def test_split():
    return read_csv(TEST_PATH)


@pytest.mark.parametrize("name", SHIPPED)
def test_reevaluation_reproduces_metrics(name, test_split):
    classifier = load_classifier(name)
    metrics, probabilities = evaluate(classifier, test_split)
    stored = classifier.metrics["test"]
    assert metrics["accuracy"] == stored["accuracy"]
    assert metrics["confusion"] == stored["confusion"]
    predictions = load_predictions(classifier.folder)
    assert predictions is not None, f"{name} has no stored test predictions"
    assert np.array_equal(predictions.argmax(1), probabilities.argmax(1))
    assert np.allclose(predictions, probabilities, atol=1e-5)


def test_summary_lists_every_checkpoint_without_errors():
    rows = summary_rows()
    assert [r["checkpoint"] for r in rows] == SHIPPED
    assert not [r for r in rows if "error" in r]
    for row in rows:
        assert 0 < row["test_accuracy"] <= 100 and row["training_rows"] > 0 and row["parameters"] > 0
