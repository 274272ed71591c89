"""The browser switches: with RNNCLF_CHROMIUM pointing nowhere the browser tests skip with one clear reason (a
fresh machine's suite passes); with RNNCLF_REQUIRE_BROWSER=1 as well they fail instead (CI must not go green
without its browser)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rnnclf.core.paths import PROJECT_ROOT

BROWSER_TESTS = Path(__file__).parent / "test_browser.py"


def browser_tests(**env: str) -> subprocess.CompletedProcess:
    """The browser tests of one file, in a pytest of their own, under `env`."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-m", "browser", "-p", "no:cacheprovider", str(BROWSER_TESTS)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "RNNCLF_REQUIRE_BROWSER": "", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.timeout(600)
def test_no_browser_skips_and_a_required_browser_fails(tmp_path: Path) -> None:
    nowhere = str(tmp_path / "no-chromium")
    skipped = browser_tests(RNNCLF_CHROMIUM=nowhere)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "skipped" in skipped.stdout and "passed" not in skipped.stdout and "failed" not in skipped.stdout
    assert f"no Chromium at {nowhere}" in skipped.stdout
    required = browser_tests(RNNCLF_CHROMIUM=nowhere, RNNCLF_REQUIRE_BROWSER="1")
    assert required.returncode == 1, required.stdout + required.stderr
    assert "RNNCLF_REQUIRE_BROWSER=1" in required.stdout and "skipped" not in required.stdout
