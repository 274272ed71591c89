"""What every measurement runs on: the committed data, the shipped checkpoints, one test text."""

from __future__ import annotations

from functools import cache

import torch

from rnnclf import CLASSES, CheckpointError, list_checkpoints, load_classifier
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.data.dataset import TEST_PATH, TRAIN_PATH, Split, read_csv
from rnnclf.models.approaches import get_approach
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.models.recurrent import RecurrentTextClassifier

APPROACHES = ("approach1", "approach2", "approach3", "approach4", "approach5")
WORDS = (40, 60)  # the explained text's length in words: a typical news item


@cache
def train_data() -> Split:
    return read_csv(TRAIN_PATH)


@cache
def test_data() -> Split:
    return read_csv(TEST_PATH)


def explained_text() -> str:
    """The first test text of 40-60 words: the same text every run."""
    return next(t for t in test_data().texts if WORDS[0] <= len(t.split()) <= WORDS[1])


@cache
def classifier(approach_id: str) -> tuple[RecurrentTextClassifier, bool]:
    """The shipped checkpoint and True; while it is not trained yet, a seeded untrained model of the
    same shape and vocabulary and False (speed depends on the shape, not on the weights)."""
    if approach_id in list_checkpoints():
        try:
            return load_classifier(approach_id), True
        except CheckpointError:
            pass
    vocab = load_classifier(next(n for n in APPROACHES if n in list_checkpoints(CHECKPOINT_DIR))).vocab
    torch.manual_seed(0)
    model = RecurrentClassifier(get_approach(approach_id), len(vocab), len(CLASSES))
    return RecurrentTextClassifier(approach_id, model, vocab, CLASSES), False
