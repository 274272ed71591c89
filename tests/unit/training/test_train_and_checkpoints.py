import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rnnclf import CLASSES, CheckpointError, load_classifier
from rnnclf.data.dataset import read_csv
from rnnclf.evaluation.metrics import evaluate
from rnnclf.models.approaches import get_approach
from rnnclf.training.recurrent import default_epochs

TEXT = "Stocks rallied on Wall Street as oil prices fell and investors bought technology shares."


def test_tiny_training_learns(tiny_checkpoint: Path):
    metrics = json.loads((tiny_checkpoint / "metrics.json").read_text())
    history = metrics["history"]
    assert len(history) == 8
    assert history[-1]["train_loss"] < history[0]["train_loss"] * 0.9
    assert max(h["val_accuracy"] for h in history) > 0.40  # chance is 0.25
    config = json.loads((tiny_checkpoint / "config.json").read_text())
    assert config["training"]["epochs"] == 8 and config["training"]["seed"] == 0
    assert config["training"]["best_epoch"] == int(np.argmax([h["val_accuracy"] for h in history])) + 1


def test_default_epochs_keep_the_tutorials_optimizer_steps():
    a1, a5 = get_approach("approach1"), get_approach("approach5")
    assert default_epochs(a1, 120_000) == 15
    assert default_epochs(a5, 120_000) == 25
    assert default_epochs(a1, 47_281) == 38  # 47 batches: ceil(118 * 15 / 47)


def test_round_trip_gives_identical_probabilities(tiny_checkpoint: Path, tiny_csv: Path):
    first = load_classifier(tiny_checkpoint)
    second = load_classifier(tiny_checkpoint)
    texts = read_csv(tiny_csv).texts[:50]
    assert np.array_equal(first.predict_proba(texts), second.predict_proba(texts))
    metrics, _ = evaluate(second, read_csv(tiny_csv))
    stored = json.loads((tiny_checkpoint / "metrics.json").read_text())["test"]
    assert metrics.accuracy == stored["accuracy"] and [list(r) for r in metrics.confusion] == stored["confusion"]


def test_same_text_twice_same_probabilities(tiny_checkpoint: Path):
    classifier = load_classifier(tiny_checkpoint)
    once = classifier.predict_proba([TEXT])
    assert np.array_equal(once, classifier.predict_proba([TEXT]))
    # In another batch, matrix kernels may sum in another order: equal to float32 rounding, not bitwise.
    assert np.allclose(once[0], classifier.predict_proba(["other text", TEXT, "more"])[1], atol=1e-6)
    assert once.shape == (1, 4) and abs(float(once.sum()) - 1) < 1e-5


def copy_of(checkpoint: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(checkpoint, target / checkpoint.name)
    for vocab in checkpoint.parent.glob("vocab-*.json"):
        shutil.copy(vocab, target)
    return target / checkpoint.name


def test_tampered_weights_are_refused(tiny_checkpoint: Path, tmp_path: Path):
    folder = copy_of(tiny_checkpoint, tmp_path)
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="model.safetensors does not match its sha256"):
        load_classifier(folder)


def test_tampered_vocabulary_is_refused(tiny_checkpoint: Path, tmp_path: Path):
    folder = copy_of(tiny_checkpoint, tmp_path)
    vocab = next(folder.parent.glob("vocab-*.json"))
    vocab.write_text(vocab.read_text().replace('"the"', '"tHe"', 1))
    with pytest.raises(CheckpointError, match="vocabulary .* does not match"):
        load_classifier(folder)


def test_missing_checkpoint_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CheckpointError, match="'nothing': no such folder"):
        load_classifier(tmp_path / "nothing")


def test_training_is_deterministic(tiny_csv: Path):
    import dataclasses

    import torch

    from rnnclf.core.text import build_vocab, tokenize
    from rnnclf.training.recurrent import Encoded, train_model

    data = read_csv(tiny_csv)
    tokens = [tokenize(t) for t in data.texts[:600]]
    vocab = build_vocab(tokens)
    encoded = Encoded.from_tokens(tokens, data.labels[:600], vocab, 25)
    approach = dataclasses.replace(get_approach("approach1"), batch_size=128)
    runs = [
        train_model(
            approach, encoded, encoded, len(vocab), epochs=2, seed=5, progress=False, log=False, n_classes=len(CLASSES)
        )
        for _ in range(2)
    ]
    first, second = (r.model.state_dict() for r in runs)
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert runs[0].history[-1].train_loss == runs[1].history[-1].train_loss
