"""The Behaviour view reads the report of the chosen checkpoint's dataset: reports/behavior.json for AG News,
reports/NAME/behavior.json (where `behave --dataset NAME` writes) for another one, and says how to write it
when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest
from toy_datasets import Toys

import rnnclf.data.registry as registry
from app.state import ROOT_ENV
from apptest_utils import messages, open_view, pick, rerun, start
from rnnclf.cli import main
from rnnclf.data.registry import DATASETS_ENV


@pytest.fixture
def reports(toys: Toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ROOT_ENV, str(toys.checkpoints))
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    monkeypatch.setattr(registry, "REPORT_DIR", tmp_path)
    assert main(["behave", "--root", str(toys.checkpoints), "--dataset", "three"]) == 0
    assert (tmp_path / "three" / "behavior.json").is_file()
    return tmp_path


def test_each_dataset_shows_its_own_report(reports: Path) -> None:
    at = open_view(pick(start(), "three_rnn"), "Behaviour")
    assert any("three/behavior.json" in c.value.replace("\\", "") for c in at.caption)
    assert "three_rnn is not in the report" not in messages(at).replace("\\", "")
    at = rerun(pick(at, "six_rnn"))
    assert "python -m rnnclf behave --dataset six" in messages(at)
