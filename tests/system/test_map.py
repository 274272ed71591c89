"""UMAP maps (numba compiles for tens of seconds, so only here): the same checkpoint gives the same map,
and a committed map of a shipped checkpoint is what `rnnclf map` computes today (PCA: a UMAP of 7,600 rows
also compiles pynndescent, most of a minute more)."""

from __future__ import annotations

import numpy as np
import pytest

from rnnclf import load_checkpoint
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.inspection.projection import compute, manifest_sha, read
from tests.toy_datasets import Toys


def test_the_umap_map_is_deterministic_per_checkpoint(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    for name in toys.names("six"):  # dense and sparse representations
        checkpoint = load_checkpoint(name, toys.checkpoints)
        first, second = compute(checkpoint, "umap"), compute(checkpoint, "umap")
        assert first.coordinates.shape == (checkpoint.dataset.test.rows, 2)
        np.testing.assert_array_equal(first.coordinates, second.coordinates)


def test_a_committed_map_is_what_rnnclf_map_computes() -> None:
    checkpoint = load_checkpoint("tfidf_lr")
    for method in ("pca",):
        stored = read(manifest_sha(checkpoint), method)
        assert stored is not None, f"no committed {method} map of tfidf_lr: run python -m rnnclf map"
        np.testing.assert_array_equal(compute(checkpoint, method).coordinates, stored.coordinates)
