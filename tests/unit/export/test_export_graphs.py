"""The export-friendly recurrent graph against the trained module it stands for, in torch (no ONNX): every
readout that needs packed sequences, one and two directions, stacked layers, each cell, the n-gram bag, and
rows of every length from empty to the full window."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from rnnclf.export.graphs import RecurrentGraph
from rnnclf.models.approaches import Recurrent, get_approach
from rnnclf.models.networks import RecurrentClassifier

WINDOW, VOCAB, CLASSES = 12, 40, 5
SHAPES = {
    "rnn last token": dict(readout="last_token", layers=(Recurrent(hidden=6, nonlinearity="relu"),)),
    "bigru max": dict(readout="max", layers=(Recurrent(hidden=6, cell="gru", bidirectional=True),)),
    "bigru mean, two layers": dict(
        readout="mean", layers=(Recurrent(hidden=5, num_layers=2, cell="gru", bidirectional=True),)
    ),
    "lstm last token, stacked modules": dict(
        readout="last_token",
        layers=(Recurrent(hidden=5, cell="lstm"), Recurrent(hidden=4, cell="lstm", bidirectional=True)),
    ),
    "bigru max with a bag": dict(
        readout="max",
        layers=(Recurrent(hidden=6, cell="gru", bidirectional=True),),
        bag_buckets=64,
        bag_dim=3,
        bag_ngrams=2,
    ),
    "last step": dict(readout="last_step", layers=(Recurrent(hidden=6),)),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_graph_gives_the_modules_probabilities(shape: str) -> None:
    approach = dataclasses.replace(get_approach("approach1"), max_tokens=WINDOW, embed_dim=7, **SHAPES[shape])
    torch.manual_seed(0)
    model = RecurrentClassifier(approach, VOCAB, CLASSES).eval()
    if approach.bag_buckets:  # the bag starts at zero: give it weights that count
        torch.nn.init.normal_(model.bag.embedding.weight)
    generator = torch.Generator().manual_seed(1)
    lengths = torch.tensor([0, 1, 2, 5, WINDOW - 1, WINDOW, 7, 3])
    ids = torch.randint(1, VOCAB, (len(lengths), WINDOW), generator=generator)
    ids[torch.arange(WINDOW)[None, :] >= lengths[:, None]] = 0  # right-padded, as the vocabulary encodes
    with torch.inference_mode():
        expected = torch.softmax(model(ids, lengths), dim=1)
        found = RecurrentGraph(model)(ids, lengths)
    assert torch.allclose(found, expected, atol=1e-6, rtol=0), (found - expected).abs().max()
    assert found.shape == (len(lengths), CLASSES)
