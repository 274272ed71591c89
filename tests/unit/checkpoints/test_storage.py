"""The checkpoint seam: files verified once as they are read, records that round-trip, readers that never write."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from readonly_utils import snapshot
from rnnclf import list_checkpoints, load_checkpoint, summary_rows
from rnnclf.checkpoints import storage
from rnnclf.checkpoints.families import RecurrentSpec, TfidfSpec
from rnnclf.checkpoints.records import CheckpointConfig, Metrics
from rnnclf.checkpoints.registry import read_records
from rnnclf.checkpoints.schema import RecordError
from rnnclf.checkpoints.storage import Folder
from rnnclf.core.paths import CHECKPOINT_DIR

SHIPPED = list_checkpoints(CHECKPOINT_DIR)


def test_listing_and_loading_a_read_only_copy_writes_nothing(read_only_copy: Path) -> None:
    # As root (CI) the permission bits do not stop writes, so the snapshot is what proves nothing changed.
    before = snapshot(read_only_copy)
    assert list_checkpoints(read_only_copy) == SHIPPED
    assert [row.error for row in summary_rows(read_only_copy)] == [None] * len(SHIPPED)
    for name in SHIPPED:
        checkpoint = load_checkpoint(name, root=read_only_copy)
        assert checkpoint.classifier.predict_proba(["Oil prices rise"]).shape == (1, 4)
    assert snapshot(read_only_copy) == before
    assert (read_only_copy / ".interrupted.old").is_dir() and not (read_only_copy / "interrupted").exists()


def test_publishing_recovers_an_interrupted_swap(tmp_path: Path) -> None:
    shutil.copytree(CHECKPOINT_DIR / SHIPPED[0], tmp_path / ".first.old")
    storage.publish(tmp_path / "second", {storage.WEIGHTS: b"weights"}, {"a": 1}, {"b": 2})
    assert (tmp_path / "first").is_dir() and not (tmp_path / ".first.old").exists()
    assert Folder(tmp_path / "second").read(storage.WEIGHTS) == b"weights"


@pytest.mark.parametrize("name", SHIPPED)
def test_each_file_is_hashed_once_per_load(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: Counter[bytes] = Counter()
    original = storage.sha256_bytes

    def counting(data: bytes) -> str:
        hashed[hashlib.md5(data, usedforsecurity=False).digest()] += 1
        return original(data)

    monkeypatch.setattr(storage, "sha256_bytes", counting)
    load_checkpoint(name)
    folder = Folder(CHECKPOINT_DIR / name)
    # every listed file (and a vocabulary, if any) but the scope, which rnnclf.scope reads when asked
    assert len(hashed) >= len(set(folder.manifest) - {storage.SCOPE})
    assert set(hashed.values()) == {1}


@pytest.mark.parametrize("name", SHIPPED)
def test_records_round_trip(name: str) -> None:
    config, metrics = read_records(Folder(CHECKPOINT_DIR / name))
    assert CheckpointConfig.from_dict(config.to_dict()) == config
    assert Metrics.from_dict(metrics.to_dict()) == metrics
    assert json.loads(json.dumps(config.to_dict())) == config.to_dict()  # plain JSON
    assert isinstance(config.model, RecurrentSpec if config.kind == "recurrent" else TfidfSpec)
    assert 0 < metrics.test.accuracy < 1
    if config.tutorial_accuracy is not None:
        assert 0 < config.tutorial_accuracy < 1


@pytest.mark.parametrize("name", SHIPPED)
def test_old_files_keep_every_figure(name: str) -> None:
    """The shipped files (format 1) read into records whose figures equal the raw JSON's."""
    raw_config = json.loads((CHECKPOINT_DIR / name / "config.json").read_text())
    raw_metrics = json.loads((CHECKPOINT_DIR / name / "metrics.json").read_text())
    config, metrics = read_records(Folder(CHECKPOINT_DIR / name))
    assert metrics.test.accuracy == raw_metrics["test"]["accuracy"]
    assert [list(row) for row in metrics.test.confusion] == raw_metrics["test"]["confusion"]
    assert [c.f1 for c in metrics.test.per_class] == [c["f1"] for c in raw_metrics["test"]["per_class"]]
    assert [h.val_accuracy for h in metrics.history] == [h["val_accuracy"] for h in raw_metrics["history"]]
    assert metrics.training_seconds == raw_metrics["training_seconds"]
    assert config.parameters == raw_config["parameters"]
    assert config.training.rows == raw_config["training"]["rows"]
    tutorial = raw_config.get("approach", {}).get("tutorial_accuracy")
    if tutorial is not None:
        assert config.tutorial_accuracy == pytest.approx(tutorial / 100, abs=1e-12)


def test_a_record_with_an_unknown_field_is_refused() -> None:
    config, _ = read_records(Folder(CHECKPOINT_DIR / SHIPPED[0]))
    with pytest.raises(RecordError, match="unexpected keyword"):
        CheckpointConfig.from_dict({**config.to_dict(), "surprise": 1})
    with pytest.raises(RecordError, match="unknown kind"):
        CheckpointConfig.from_dict({**config.to_dict(), "kind": "nope"})


def test_a_folder_never_uses_bytes_it_did_not_verify(tmp_path: Path) -> None:
    storage.publish(tmp_path / "x", {storage.WEIGHTS: b"abc"}, {}, {})
    folder = Folder(tmp_path / "x")
    (tmp_path / "x" / storage.WEIGHTS).write_bytes(b"abd")
    with pytest.raises(storage.CheckpointError, match="does not match its sha256"):
        folder.read(storage.WEIGHTS)


def test_predictions_round_trip() -> None:
    probabilities = np.random.default_rng(0).dirichlet(np.ones(4), size=10).astype(np.float32)
    data = storage.predictions_bytes(probabilities)
    assert np.array_equal(storage.load_safetensors(data)["probabilities"], probabilities)


def test_hashing_uses_the_standard_library(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(os.urandom(3 << 20))
    assert storage.sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()
