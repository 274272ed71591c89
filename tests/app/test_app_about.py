"""About this model: the chosen checkpoint's card body as `rnnclf card` wrote it, and one clear message for a
checkpoint without a card or with an unreadable one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from toy_datasets import Toys

from app.state import ROOT_ENV
from apptest_utils import messages, open_view, pick, start
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.reporting.cards import CARD, split


def body(name: str) -> str:
    return split((CHECKPOINT_DIR / name / CARD).read_text(encoding="utf-8"))[1].strip()  # Streamlit strips it


def test_about_shows_the_chosen_checkpoints_card() -> None:
    at = open_view(pick(start(), "bigru_bag_avg"), "About this model")
    assert body("bigru_bag_avg") in [str(m.value) for m in at.markdown]
    at = open_view(pick(at, "tfidf_lr"), "About this model")
    assert body("tfidf_lr") in [str(m.value) for m in at.markdown]


def test_about_says_when_there_is_no_card_or_a_broken_one(
    toys: Toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "checkpoints"
    shutil.copytree(toys.checkpoints, root)
    monkeypatch.setenv(ROOT_ENV, str(root))
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    at = open_view(pick(start(), "six_rnn"), "About this model")
    assert "has no model card yet" in messages(at)
    (root / "six_rnn" / CARD).write_text("# written by hand, no front matter\n", encoding="utf-8")
    at = open_view(pick(at, "six_rnn"), "About this model")
    assert "cannot be read" in messages(at) and "front matter" in messages(at)
