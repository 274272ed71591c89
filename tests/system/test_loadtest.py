"""The browser load test runs end to end (tiny: 2 users); its figures are for reports/, not asserts."""

import subprocess
import sys
from pathlib import Path

import pytest

from rnnclf.core.paths import PROJECT_ROOT as ROOT

pytestmark = pytest.mark.browser


def test_load_test_command_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "load.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench.load", "--users", "2", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = out.read_text()
    assert "| 1 user alone: users that got prediction and explanation | 1 / 1 |" in report
    assert "| 2 users at once: users that got prediction and explanation | 2 / 2 |" in report
    assert "server resident memory, max (MB)" in report
