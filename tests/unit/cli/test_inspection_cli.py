"""`label-issues` and `map` on a toy dataset's checkpoints: files written, bad input one message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.data.registry import DATASETS_ENV
from tests.toy_datasets import Toys


def rnnclf(toys: Toys, *args: str) -> subprocess.CompletedProcess:
    env = {**__import__("os").environ, DATASETS_ENV: str(toys.datasets)}
    return subprocess.run(
        [sys.executable, "-m", "rnnclf", *args], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env
    )


def test_label_issues_writes_its_report(toys: Toys, tmp_path: Path) -> None:
    result = rnnclf(
        toys,
        "label-issues",
        "--dataset",
        "six",
        "--root",
        str(toys.checkpoints),
        "--out",
        str(tmp_path),
        "--folds",
        "3",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "label_issues_six.json").read_text(encoding="utf-8"))
    assert report["dataset"] == "six" and sorted(report["checkpoints"]) == sorted(toys.names("six"))
    assert report["test"]["rows"] == 180 and report["train"]["rows"] == 1200
    assert f"test {len(report['test']['issues'])} of 180" in result.stdout
    assert (tmp_path / "label_issues_six.md").is_file()


def test_label_issues_refuses_an_unknown_dataset(toys: Toys, tmp_path: Path) -> None:
    result = rnnclf(toys, "label-issues", "--dataset", "nope", "--root", str(toys.checkpoints), "--out", str(tmp_path))
    assert result.returncode == 2 and "no dataset named 'nope'" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_map_stores_a_pca_map(toys: Toys, tmp_path: Path) -> None:
    result = rnnclf(
        toys,
        "map",
        "--checkpoint",
        "six_tfidf",
        "--root",
        str(toys.checkpoints),
        "--method",
        "pca",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert len(list(tmp_path.glob("*-pca.safetensors"))) == 1 and "six_tfidf pca" in result.stdout
