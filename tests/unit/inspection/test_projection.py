"""Maps: deterministic per checkpoint, stored keyed by its manifest, a new text placed among its neighbours.
UMAP itself (numba's compile costs tens of seconds) is exercised in tests/system/test_map.py."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from rnnclf.checkpoints.registry import load_checkpoint
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.inspection.projection import Projection, compute, features, manifest_sha, place, project, read, write
from tests.toy_datasets import Toys


@pytest.fixture
def six(toys: Toys, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    return [load_checkpoint(name, toys.checkpoints) for name in toys.names("six")]


def test_the_pca_map_is_deterministic_per_checkpoint_and_round_trips(six, tmp_path) -> None:
    for checkpoint in six:  # dense (recurrent) and sparse (TF-IDF) representations
        first, second = compute(checkpoint, "pca"), compute(checkpoint, "pca")
        assert first.coordinates.shape == (checkpoint.dataset.test.rows, 2)
        np.testing.assert_array_equal(first.coordinates, second.coordinates)
        assert np.ptp(first.coordinates, axis=0).min() > 0  # not collapsed onto a line or a point
        write(first, tmp_path)
        stored = read(manifest_sha(checkpoint), "pca", tmp_path)
        assert stored == Projection("pca", first.manifest, stored.coordinates)
        np.testing.assert_array_equal(stored.coordinates, first.coordinates)
        assert read("0" * 64, "pca", tmp_path) is None  # another checkpoint's weights: no map


def test_a_test_text_lands_on_its_own_point_and_a_new_one_among_its_neighbours(six) -> None:
    checkpoint = six[1]
    texts = checkpoint.dataset.read_test().texts
    reference = features(checkpoint, texts)
    coordinates = project(reference, "pca")
    np.testing.assert_allclose(place(reference, coordinates, features(checkpoint, [texts[7]]))[0], coordinates[7])
    # A point between two clusters of the reference lands between them.
    dense = np.array([[1.0, 0.0], [0.99, 0.1], [0.0, 1.0], [0.1, 0.99]])
    spots = np.array([[0.0, 0.0], [0.0, 0.0], [10.0, 10.0], [10.0, 10.0]], dtype=np.float32)
    [[x, y]] = place(dense, spots, np.array([[1.0, 1.0]]), neighbours=4)
    assert 4 < x < 6 and 4 < y < 6
    [[x, _]] = place(sparse.csr_array(dense), spots, sparse.csr_array(np.array([[1.0, 0.05]])), neighbours=2)
    assert x < 1
