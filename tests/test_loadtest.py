"""The browser load test runs end to end (tiny: 2 users); its figures are for reports/, not asserts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser


def test_load_test_command_runs_end_to_end(tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing")
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium package")
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
