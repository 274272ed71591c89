"""The committed reports are what today's commands write: regenerated on this machine, byte for byte.

A report that drifted from its command (stale figures, a changed format, a refactor that moved a digit)
fails here. Faithfulness and the ablation take too long to rerun in a test; their writers are checked on
small samples in tests/unit/explain and tests/unit/training.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rnnclf.core.paths import CHECKPOINT_DIR, REPORT_DIR
from rnnclf.core.paths import PROJECT_ROOT as ROOT


def rnnclf(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "rnnclf", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=900
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("command", "report"), [(("summary", "--markdown"), "summary.md"), (("compare", "--markdown"), "significance.md")]
)
def test_printed_reports(command: tuple[str, ...], report: str) -> None:
    assert rnnclf(*command) == (REPORT_DIR / report).read_text(encoding="utf-8")


def test_calibration_report(tmp_path: Path) -> None:
    """Refitted on a copy (calibrate stores each temperature in the checkpoint it fits)."""
    root = tmp_path / "checkpoints"
    shutil.copytree(CHECKPOINT_DIR, root)
    rnnclf("calibrate", "--all", "--root", str(root), "--markdown", str(tmp_path / "calibration.md"))
    assert (tmp_path / "calibration.md").read_bytes() == (REPORT_DIR / "calibration.md").read_bytes()


def test_behavior_report(tmp_path: Path) -> None:
    rnnclf("behave", "--out", str(tmp_path))
    assert (tmp_path / "behavior.md").read_bytes() == (REPORT_DIR / "behavior.md").read_bytes()
