"""The protocol-level load test (no browser) runs with 3 sessions and writes its section beside the others."""

import subprocess
import sys
from pathlib import Path

from rnnclf.core.paths import PROJECT_ROOT as ROOT


def test_protocol_sessions_get_prediction_and_explanation(tmp_path: Path) -> None:
    out = tmp_path / "load.md"
    out.write_text("# Browser load test\n\nkept as it is\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bench.load", "--protocol", "--users", "3", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Browser load test\n\nkept as it is\n")
    assert "# Protocol load test" in report
    assert "| 1 user alone: users that got prediction and explanation | 1 / 1 |" in report
    assert "| 3 users at once: users that got prediction and explanation | 3 / 3 |" in report
    assert "server resident memory, max (MB)" in report
