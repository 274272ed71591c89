"""`Classifier.read` is the prediction's own pass: its probabilities are predict_proba's bit for bit, its
features the representation's, its token ids the model's own (0: unknown), for every shipped family."""

from __future__ import annotations

import numpy as np
import pytest

from rnnclf import list_checkpoints
from rnnclf.checkpoints.registry import load_classifier
from rnnclf.core.text import tokenize_many

TEXTS = [
    "Stocks fell sharply on Monday as oil prices rose",
    "zzqxv qqzzv the",
    "My grandmother's lasagna recipe uses three kinds of cheese and a lot of basil",
    "",
]


@pytest.mark.parametrize("name", list_checkpoints())
@pytest.mark.parametrize("features", [False, True])
def test_reading_gives_predict_probas_probabilities_bitwise(name: str, features: bool) -> None:
    classifier = load_classifier(name)
    reading = classifier.read(TEXTS, features=features)
    assert np.array_equal(reading.probabilities, classifier.predict_proba(TEXTS))
    assert (reading.features is not None) is features
    shifted = np.exp(reading.logits - reading.logits.max(axis=1, keepdims=True))
    assert np.allclose(shifted / shifted.sum(axis=1, keepdims=True), reading.probabilities, atol=1e-6)


@pytest.mark.parametrize("name", list_checkpoints())
def test_token_ids_are_zero_exactly_where_the_model_does_not_know_the_token(name: str) -> None:
    classifier = load_classifier(name)
    reading = classifier.read(TEXTS)
    for row, tokens in enumerate(tokenize_many(TEXTS, classifier.max_tokens)):
        assert reading.lengths[row] == len(tokens)
        ids = reading.ids[row, : len(tokens)]
        assert [bool(i) for i in ids] == [classifier.is_known(t) for t in tokens]
        assert not reading.ids[row, len(tokens) :].any()  # padding
    ids, lengths = classifier.token_ids(TEXTS)
    assert np.array_equal(ids, reading.ids) and np.array_equal(lengths, reading.lengths)
