"""The Map coloured by scope score: each test text's score by the checkpoint's stored method, the count above
its threshold said in words; a checkpoint without a stored scope says so and keeps a colouring it has."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from toy_datasets import Toys

from app.state import ROOT_ENV
from apptest_utils import open_view, pick, rerun, start
from rnnclf import load_checkpoint
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.scope.methods import seen
from rnnclf.scope.record import load_scope


def colours(trace: dict) -> np.ndarray:
    """A trace's marker colours, as plotly writes an array: a list, or typed bytes."""
    found = trace["marker"]["color"]
    if isinstance(found, dict):
        return np.frombuffer(base64.b64decode(found["bdata"]), dtype=found["dtype"])
    return np.asarray(found)


def test_the_map_colours_by_the_stored_scope_score() -> None:
    at = open_view(pick(start(), "approach1"), "Map")
    at.selectbox(key="map_colouring").set_value("scope score")
    at = rerun(at)
    checkpoint = load_checkpoint("approach1")
    scope = load_scope(checkpoint.folder)
    expected = scope.scores(seen(checkpoint.classifier, list(checkpoint.dataset.read_test().texts)))
    (trace,) = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert np.allclose(colours(trace)[np.argsort(trace["customdata"])], expected)
    outside = int((expected > scope.record.threshold).sum())
    assert any(f"{outside:,} of the 7,600 test texts score above its threshold" in c.value for c in at.caption)


def test_a_checkpoint_without_a_scope_says_so(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ROOT_ENV, str(toys.checkpoints))
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    at = open_view(pick(start(), "six_tfidf"), "Map")
    at.selectbox(key="map_colouring").set_value("scope score")
    at = rerun(at)
    assert any(c.value.endswith("stores no scope: `python -m rnnclf scope` fits one.") for c in at.caption)
    (trace,) = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert trace["name"] == "confidence"
