"""The README's pointers: every report and results file it names is in the repository."""

import re

from rnnclf.core.paths import PROJECT_ROOT as ROOT


def test_every_report_the_readme_names_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b(?:reports|bench)/[\w.-]+\.(?:md|json)\b", readme))
    assert {"reports/raw_text.md", "bench/RESULTS.md"} <= named
    assert sorted(name for name in named if not (ROOT / name).is_file()) == []
