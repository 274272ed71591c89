"""The benchmark runs end to end on tiny settings, and the fast paths it measures keep results bitwise.

Timings are never asserted: only that every step runs and that speed-ups changed no number.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import rnnclf.models.recurrent
from bench.lib.server import CHROMIUM
from rnnclf import load_classifier
from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.data.dataset import read_csv
from rnnclf.models.approaches import get_approach
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.training.recurrent import make_optimizers


def test_quick_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    document = out.read_text(encoding="utf-8")
    for title in (
        "Training: seconds per epoch",
        "LIME: seconds for one explanation",
        "Prediction",
        "Threads",
        "Scaling",
        "ONNX export: onnxruntime against the project",
        "Map",
        "Nearest training texts",
        "Scope overhead of scoring a file",
    ):
        assert f"### {title}" in document
    if (ROOT / "streamlit_app.py").exists() and CHROMIUM.exists():
        assert "### App" in document and "first rendered prediction" in document
    assert document in result.stdout


def test_prediction_chunks_change_no_prediction(
    tiny_checkpoint: Path, tiny_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows scored in chunks (PREDICT_BATCH) get the probabilities they get in one pass, up to float32
    rounding: matrix kernels may sum a chunk of a few rows in another order (README, Determinism)."""
    classifier = load_classifier(tiny_checkpoint)
    texts = read_csv(tiny_csv).texts[:300]
    monkeypatch.setattr(rnnclf.models.recurrent, "PREDICT_BATCH", 10_000)
    whole = classifier.predict_proba(texts)
    monkeypatch.setattr(rnnclf.models.recurrent, "PREDICT_BATCH", 7)
    chunked = classifier.predict_proba(texts)
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-5)
    assert np.array_equal(chunked.argmax(1), whole.argmax(1))


def test_project_adam_trains_bitwise_like_torch_default() -> None:
    approach = get_approach("approach1")
    ids, lengths, labels = torch.randint(0, 500, (64, 25)), torch.full((64,), 25), torch.randint(0, 4, (64,))
    weights = []
    for make in (
        lambda m: make_optimizers(m, approach.lr, sparse=False),
        lambda m: [torch.optim.Adam(m.parameters(), lr=approach.lr)],
    ):
        torch.manual_seed(0)
        model = RecurrentClassifier(approach, 500, 4)
        optimizers = make(model)
        for _ in range(5):
            for optimizer in optimizers:
                optimizer.zero_grad()
            F.cross_entropy(model(ids, lengths), labels).backward()
            for optimizer in optimizers:
                optimizer.step()
        weights.append(model.state_dict())
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
