"""The committed checkpoints: each loads, and re-evaluating it reproduces its stored metrics exactly."""

import json

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from rnnclf import CLASSES, list_checkpoints, load_checkpoint, summary_rows
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.text import ARROW_BATCH, Vocab, tokenize
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.evaluation.metrics import evaluate
from rnnclf.models.approaches import Approach
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.models.tfidf import TfidfLogisticClassifier

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
    checkpoint = load_checkpoint(name)
    metrics, probabilities = evaluate(checkpoint.classifier, test_split)
    stored = checkpoint.metrics.test
    assert metrics.accuracy == stored.accuracy
    assert metrics.confusion == stored.confusion
    predictions = checkpoint.test_predictions
    assert predictions is not None, f"{name} has no stored test predictions"
    assert np.array_equal(predictions.argmax(1), probabilities.argmax(1))
    # Stored on another machine: its matrix kernels may round the last bits differently.
    assert np.allclose(predictions, probabilities, atol=1e-5)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_seam_predicts_bitwise_like_the_bare_model(name, test_split):
    """Through the registry, bitwise the probabilities of the model rebuilt from the files by hand.

    Enough texts for the large-batch path (Arrow's tokens, the folded input projection where it fits).
    """
    checkpoint = load_checkpoint(name)
    texts = test_split.texts[: ARROW_BATCH + 100]
    assert np.array_equal(checkpoint.classifier.predict_proba(texts), bare_probabilities(name, texts))


def bare_probabilities(name: str, texts: list[str]) -> np.ndarray:
    """The model of checkpoint `name` rebuilt straight from its files, with no rnnclf loading code."""
    folder = CHECKPOINT_DIR / name
    config = json.loads((folder / "config.json").read_text())
    tensors = load_file(folder / "model.safetensors")
    if config.get("kind") == "tfidf_lr":
        with safe_open(folder / "model.safetensors", "np") as handle:
            terms = json.loads(handle.metadata()["terms"])
        model = TfidfLogisticClassifier(
            name,
            terms,
            *(tensors[k].float().numpy() for k in ("idf", "coef", "intercept")),
            config["features"]["ngram_max"],
            config["features"]["sublinear_tf"],
            CLASSES,
        )
        return model.predict_proba(texts)
    spec = config.get("model", config)  # format 2 nests the approach and the vocabulary under "model"
    approach = Approach.from_dict({**spec["approach"], "tutorial_accuracy": None})
    vocab = Vocab(json.loads((CHECKPOINT_DIR / spec["vocab"]["file"]).read_text(encoding="utf-8")))
    module = RecurrentClassifier(approach, len(vocab), len(CLASSES)).eval()
    module.load_state_dict({key: value.float() for key, value in tensors.items()})
    ids, lengths = vocab.encode([tokenize(text) for text in texts], approach.max_tokens)
    with torch.inference_mode():
        logits = [
            module(torch.from_numpy(ids[i : i + 512]), torch.from_numpy(lengths[i : i + 512]))
            for i in range(0, len(ids), 512)
        ]
    return torch.softmax(torch.cat(logits), dim=1).numpy()


def test_summary_lists_every_checkpoint_without_errors():
    rows = summary_rows()
    assert [r.checkpoint for r in rows] == SHIPPED
    assert not [r for r in rows if r.error]
    for row in rows:
        assert 0 < row.test_accuracy <= 1 and row.training_rows > 0 and row.parameters > 0
