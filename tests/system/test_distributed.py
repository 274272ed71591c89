"""torchrun with 2 ranks (DDP, gloo) trains the weights one process trains on the same global batches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from ddp_train import save, train_tiny
from safetensors.numpy import load_file

from rnnclf import list_checkpoints
from rnnclf.checkpoints.registry import read_records
from rnnclf.checkpoints.storage import Folder
from rnnclf.core.paths import PROJECT_ROOT as ROOT


def torchrun(*args: str) -> None:
    """Two ranks on this machine, as the README's single-node command starts them."""
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE")} | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_two_ranks_train_the_single_process_weights(tiny_csv: Path, tmp_path: Path):
    (tmp_path / "one").mkdir()
    (tmp_path / "ddp").mkdir()
    save(train_tiny(tiny_csv), tmp_path / "one")
    torchrun(str(ROOT / "tests" / "system" / "ddp_train.py"), str(tiny_csv), str(tmp_path / "ddp"))
    one, ddp = (load_file(tmp_path / d / "weights.safetensors") for d in ("one", "ddp"))
    assert one.keys() == ddp.keys()
    for name in one:  # float32 sums in another order: rounding (under 1e-5 here), far below one Adam step (3e-3)
        np.testing.assert_allclose(ddp[name], one[name], rtol=0, atol=1e-4, err_msg=name)
    one_run, ddp_run = (json.loads((tmp_path / d / "result.json").read_text()) for d in ("one", "ddp"))
    assert ddp_run["steps"] == one_run["steps"] == 2 * 17  # 600 rows in batches of 37, 2 epochs
    for a, b in zip(ddp_run["history"], one_run["history"], strict=True):
        assert a["val_accuracy"] == b["val_accuracy"]
        assert abs(a["train_loss"] - b["train_loss"]) < 1e-5 and abs(a["val_loss"] - b["val_loss"]) < 1e-5


def test_the_train_command_under_torchrun_publishes_once_and_records_the_ranks(tiny_csv: Path, tmp_path: Path):
    data = ["--train", str(tiny_csv), "--test", str(tiny_csv)]
    torchrun(
        "-m", "rnnclf", "train", "--approach", "approach1", *data, "--epochs", "1", "--out", str(tmp_path), "--quiet"
    )
    assert list_checkpoints(tmp_path) == ["approach1"]
    config, metrics = read_records(Folder(tmp_path / "approach1"))
    assert config.training.processes == 2 and config.training.epochs == 1
    assert metrics.test.rows == 2000
