"""Shared fixtures: a tiny checkpoint trained in seconds, so tests never need the shipped ones to change."""

from __future__ import annotations

import csv
import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from toy_datasets import Toys, train_toy_checkpoints, write_toy_datasets

from bench.lib.server import CHROMIUM
from readonly_utils import set_writable
from rnnclf import list_checkpoints
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.runtime import configure_threads
from rnnclf.data.dataset import TRAIN_PATH, read_csv
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.models.approaches import get_approach

configure_threads(1)

REQUIRE_BROWSER = "RNNCLF_REQUIRE_BROWSER"  # "1" (.ci/run sets it): a missing browser fails the browser tests


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/system/ is marked `system`: `pytest -m "not system"` is the fast loop."""
    system = Path(__file__).parent / "system"
    for item in items:
        if item.path.is_relative_to(system):
            item.add_marker(pytest.mark.system)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A browser test needs Chromium: without it, one clear skip (or a failure where a browser is required)."""
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: install Debian's chromium package, or set RNNCLF_CHROMIUM to one"
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"{reason} ({REQUIRE_BROWSER}=1)")
        pytest.skip(reason)


# Property tests: a few hundred examples each by default (CI); `--hypothesis-profile=thorough --timeout=0` for a long
# local run. No deadline: the machine is shared, so an example's time says nothing about the code.
settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=5_000, deadline=None)
settings.load_profile("ci")  # the plugin loads --hypothesis-profile after this, when one is given

TINY_ROWS = 2000


@pytest.fixture(scope="session")
def tiny_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first rows of the committed train data, in the original 3-column form."""
    data = read_csv(TRAIN_PATH)
    path = tmp_path_factory.mktemp("data") / "tiny.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        for text, label in zip(data.texts[:TINY_ROWS], data.labels[:TINY_ROWS]):
            title, _, description = text.partition(" ")
            writer.writerow([int(label) + 1, title, description])
    return path


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory, tiny_csv: Path) -> Path:
    """approach1 trained for 8 epochs on 2,000 rows with small batches: learns, in seconds."""
    from rnnclf.training.recurrent import run

    approach = dataclasses.replace(get_approach("approach1"), batch_size=64, lr=3e-3)
    root = tmp_path_factory.mktemp("checkpoints")
    return run(
        approach, out=root / "tiny", train_path=tiny_csv, test_path=tiny_csv, epochs=8, progress=False, log=False
    )


@pytest.fixture
def root_with_a_broken_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkpoints root for the app: a good copy of the first shipped checkpoint, a corrupted one, an empty folder."""
    source = CHECKPOINT_DIR / list_checkpoints(CHECKPOINT_DIR)[0]
    for vocab in CHECKPOINT_DIR.glob("vocab-*.json"):
        shutil.copy(vocab, tmp_path)
    shutil.copytree(source, tmp_path / "good")
    shutil.copytree(source, tmp_path / "broken")
    weights = tmp_path / "broken" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    (tmp_path / "missing").mkdir()
    monkeypatch.setenv("RNNCLF_CHECKPOINTS", str(tmp_path))
    return tmp_path


@pytest.fixture
def read_only_copy(tmp_path: Path) -> Path:
    """A copy of the shipped checkpoints with write permission removed, and an interrupted publish's
    leftover (`.x.old` without `x`) that only a writer may recover."""
    root = tmp_path / "checkpoints"
    shutil.copytree(CHECKPOINT_DIR, root)
    shutil.copytree(root / list_checkpoints(root)[0], root / ".interrupted.old")
    set_writable(root, False)
    yield root
    set_writable(root, True)


@pytest.fixture(scope="session")
def toys(tmp_path_factory: pytest.TempPathFactory) -> Toys:
    """A 3-class and a 6-class dataset (tests/toy_datasets.py), each with a tiny recurrent and TF-IDF checkpoint.

    Tests that use them point RNNCLF_DATASETS (and the app's RNNCLF_CHECKPOINTS) here themselves.
    """
    found = Toys(tmp_path_factory.mktemp("datasets"), tmp_path_factory.mktemp("toy_checkpoints"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATASETS_ENV, str(found.datasets))
        train_toy_checkpoints(found.checkpoints, write_toy_datasets(found.datasets))
    return found
