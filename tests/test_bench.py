"""The benchmark runs end to end on tiny settings. Timings are never asserted: only that every step runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    document = out.read_text(encoding="utf-8")
    for title in ("Training: seconds per epoch", "LIME: seconds for one explanation", "Prediction", "Threads", "Scaling"):
        assert f"### {title}" in document
    if (ROOT / "streamlit_app.py").exists() and Path("/usr/bin/chromium").exists():
        assert "### App" in document and "first rendered prediction" in document
    assert document in result.stdout
