"""The committed model cards are what `rnnclf card` writes today, byte for byte: a card never goes stale.

Regenerated on a copy of the checkpoints (the command writes each card beside its checkpoint's files).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from rnnclf.checkpoints.registry import list_checkpoints
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.reporting.cards import CARD


def test_cards_regenerate_byte_for_byte(tmp_path: Path) -> None:
    root = tmp_path / "checkpoints"
    shutil.copytree(CHECKPOINT_DIR, root, ignore=shutil.ignore_patterns(CARD))
    result = subprocess.run(
        [sys.executable, "-m", "rnnclf", "card", "--root", str(root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    names = list_checkpoints(CHECKPOINT_DIR)
    assert names
    for name in names:
        assert (root / name / CARD).read_bytes() == (CHECKPOINT_DIR / name / CARD).read_bytes(), name
