"""Nearest training texts: training texts with their true labels, most similar first, on toy checkpoints."""

from __future__ import annotations

import json

import numpy as np
import pytest
from toy_datasets import Toys

from rnnclf.checkpoints.registry import load_checkpoint
from rnnclf.cli import main
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.evaluation.temperature import training_splits
from rnnclf.scope.neighbors import NeighborIndex


@pytest.fixture(autouse=True)
def toy_datasets(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))


@pytest.mark.parametrize("name", ["six_rnn", "six_tfidf"])
def test_a_training_text_finds_itself_first_with_its_label(toys: Toys, name: str) -> None:
    checkpoint = load_checkpoint(toys.checkpoints / name)
    train, _ = training_splits(checkpoint.config)
    index = NeighborIndex.build(checkpoint)
    row = 7
    found = index.nearest(train.texts[row], k=4)
    assert len(found.neighbors) == 4
    assert found.neighbors[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert train.texts[found.neighbors[0].row] == train.texts[row]
    similarities = [n.similarity for n in found.neighbors]
    assert similarities == sorted(similarities, reverse=True)
    for neighbor in found.neighbors:
        assert neighbor.text == train.texts[neighbor.row]
        assert neighbor.label == checkpoint.classes[int(train.labels[neighbor.row])]
    assert found.agree == sum(n.label == found.predicted for n in found.neighbors)
    assert found.summary() == f"closest training texts: {found.agree} of 4 are {found.predicted}"


def test_similarities_are_cosines_in_the_representation(toys: Toys) -> None:
    checkpoint = load_checkpoint(toys.checkpoints / "six_rnn")
    index = NeighborIndex.build(checkpoint)
    text = "rain and snow with wind on the coast"
    found = index.nearest(text, k=3)
    query = checkpoint.classifier.representation([text]).features[0]
    train = checkpoint.classifier.representation([n.text for n in found.neighbors]).features
    cosines = train @ query / (np.linalg.norm(train, axis=1) * np.linalg.norm(query))
    assert [n.similarity for n in found.neighbors] == pytest.approx(cosines, abs=1e-5)


def test_neighbors_command_json(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    folder = str(toys.checkpoints / "six_tfidf")
    assert (
        main(["neighbors", "--checkpoint", folder, "--text", "bake the garlic in the oven", "--k", "3", "--json"]) == 0
    )
    found = json.loads(capsys.readouterr().out)
    assert len(found["neighbors"]) == 3 and found["agree"] == sum(
        n["label"] == found["predicted"] for n in found["neighbors"]
    )
    assert set(found["neighbors"][0]) == {"row", "text", "label", "similarity"}
    assert main(["neighbors", "--checkpoint", folder, "--text", "  "]) == 2
    assert main(["neighbors", "--checkpoint", folder, "--text", "oven", "--k", "0"]) == 2
