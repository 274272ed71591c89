"""Shared fixtures: a tiny checkpoint trained in seconds, so tests never need the shipped ones to change."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from rnnclf.approaches import get_approach
from rnnclf.data import TRAIN_PATH, read_csv
from rnnclf.runtime import configure_threads

configure_threads(1)

TINY_ROWS = 2000


@pytest.fixture(scope="session")
def tiny_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first rows of the committed train data, in the original 3-column form."""
    data = read_csv(TRAIN_PATH)
    path = tmp_path_factory.mktemp("data") / "tiny.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        for text, label in zip(data.texts[:TINY_ROWS], data.labels[:TINY_ROWS]):
            title, _, description = text.partition(" ")
            writer.writerow([int(label) + 1, title, description])
    return path


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory, tiny_csv: Path) -> Path:
    """approach1 trained for 8 epochs on 2,000 rows with small batches: learns, in seconds."""
    from rnnclf.train import run

    approach = dataclasses.replace(get_approach("approach1"), batch_size=64, lr=3e-3)
    root = tmp_path_factory.mktemp("checkpoints")
    return run(approach, out=root / "tiny", train_path=tiny_csv, test_path=tiny_csv, epochs=8, progress=False, log=False)
