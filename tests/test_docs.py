"""The README's pointers: every report and results file it names is in the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_report_the_readme_names_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(?:reports|bench)/[\w.-]+\.(?:md|json)\b", readme))
    assert {"reports/raw_text.md", "bench/RESULTS.md"} <= named
    assert sorted(name for name in named if not (ROOT / name).is_file()) == []
