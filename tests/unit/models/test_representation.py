"""Every shipped checkpoint declares a representation: the features its last layer reads and the logits it
makes of them, whose softmax is the checkpoint's own prediction."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import sparse

from rnnclf.checkpoints.registry import list_checkpoints, load_classifier
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.models.classifier import Capability

TEXTS = [
    "Oil prices rose sharply after the storm shut refineries on the Gulf coast",
    "The striker scored twice as the champions won the final",
    "",
    "lasagna " * 80,
]


@pytest.mark.parametrize("name", list_checkpoints(CHECKPOINT_DIR))
def test_the_representation_is_what_the_prediction_is_made_of(name: str) -> None:
    classifier = load_classifier(name)
    assert Capability.REPRESENTATION in classifier.capabilities
    found = classifier.representation(TEXTS)
    assert found.features.shape[0] == found.logits.shape[0] == len(TEXTS)
    assert found.logits.shape[1] == len(classifier.classes)
    softmax = torch.softmax(torch.as_tensor(np.asarray(found.logits, dtype=np.float64)), dim=1).numpy()
    assert np.allclose(softmax, classifier.predict_proba(TEXTS), atol=1e-5)
    again = classifier.representation(TEXTS)
    features = found.features.toarray() if sparse.issparse(found.features) else found.features
    repeated = again.features.toarray() if sparse.issparse(again.features) else again.features
    assert np.array_equal(features, repeated)  # zero initial state, no sampling: the same numbers each time
    if hasattr(classifier, "model"):  # the recurrent family: the linear layer reads exactly these features
        with torch.no_grad():
            logits = classifier.model.linear(torch.from_numpy(features)).numpy()
        assert np.array_equal(logits, found.logits)
    else:  # TF-IDF: unit-length rows; an empty text is the zero row
        norms = np.sqrt(np.asarray(features**2).sum(axis=1))
        assert np.allclose(norms[:2], 1.0) and norms[2] == 0.0
