"""Killing a training run at any moment leaves the previous checkpoint intact and loadable."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rnnclf import list_checkpoints, load_classifier
from rnnclf.checkpoints.storage import publish
from rnnclf.core.files import sha256_file
from rnnclf.core.paths import PROJECT_ROOT as ROOT

TEXTS = ["Oil prices rise as stocks fall", "The team won the final"]


def previous_checkpoint(tiny_checkpoint: Path, root: Path) -> dict[str, str]:
    shutil.copytree(tiny_checkpoint, root / "approach1")
    for vocab in tiny_checkpoint.parent.glob("vocab-*.json"):
        shutil.copy(vocab, root)
    return {p.name: sha256_file(p) for p in (root / "approach1").iterdir()}


def start_training(root: Path, data: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rnnclf",
            "train",
            "--approach",
            "approach1",
            "--train",
            str(data),
            "--test",
            str(data),
            "--epochs",
            "500",
            "--out",
            str(root),
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A shell that starts the tests in the background hands them SIGINT ignored, and children inherit
        # that; the training must see Ctrl-C as a terminal would deliver it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_epoch(process: subprocess.Popen, epoch: int) -> None:
    deadline = time.monotonic() + 120
    for line in process.stdout:
        if f"epoch {epoch}/500" in line or time.monotonic() > deadline:
            return
    pytest.fail("training ended before it could be interrupted")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_training_leaves_the_previous_checkpoint(tiny_checkpoint, tiny_csv, tmp_path, sig):
    before = previous_checkpoint(tiny_checkpoint, tmp_path)
    expected = load_classifier(tmp_path / "approach1").predict_proba(TEXTS)
    process = start_training(tmp_path, tiny_csv)
    try:
        wait_for_epoch(process, 3)
        os.kill(process.pid, sig)
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode != 0
    if sig == signal.SIGINT:
        assert "interrupted" in output and "Traceback" not in output
    after = {p.name: sha256_file(p) for p in (tmp_path / "approach1").iterdir()}
    assert after == before
    assert np.array_equal(load_classifier(tmp_path / "approach1").predict_proba(TEXTS), expected)
    assert list_checkpoints(tmp_path) == ["approach1"]


def test_failure_while_publishing_keeps_the_old_checkpoint(tiny_checkpoint, tmp_path):
    before = previous_checkpoint(tiny_checkpoint, tmp_path)

    class DiesHalfWay(dict):
        """Files whose writing fails after the first: a full disk."""

        def items(self):
            yield "model.safetensors", b"half a file"
            raise OSError("disk full")

    with pytest.raises(OSError):
        publish(tmp_path / "approach1", DiesHalfWay(), {}, {})
    assert {p.name: sha256_file(p) for p in (tmp_path / "approach1").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["approach1", *[v.name for v in tmp_path.glob("vocab-*")]]


def test_a_kill_between_the_two_renames_is_recovered(tiny_checkpoint, tmp_path):
    """The swap renames the old folder aside, then the new one in; killed between, the old comes back."""
    before = previous_checkpoint(tiny_checkpoint, tmp_path)
    os.replace(tmp_path / "approach1", tmp_path / ".approach1.old")
    assert list_checkpoints(tmp_path) == []  # readers never write: the next writer recovers it
    publish(tmp_path / "other", {"model.safetensors": b"x"}, {}, {})
    assert list_checkpoints(tmp_path) == ["approach1", "other"]
    assert {p.name: sha256_file(p) for p in (tmp_path / "approach1").iterdir()} == before
    load_classifier(tmp_path / "approach1")
