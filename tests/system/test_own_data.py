"""A person's own dataset end to end, on real texts with six classes none of AG News's (Debian packages by
section, tests/fixtures/debian_sections/SOURCES.md): `data add` -> `train` (small) -> every view of the app,
its predictions and confusion matrix in that dataset's classes."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from app.pages import VIEWS
from app.state import ROOT_ENV
from apptest_utils import enter, open_view, pick, start
from rnnclf import list_checkpoints, load_checkpoint
from rnnclf.cli import main
from rnnclf.core.paths import PROJECT_ROOT
from rnnclf.data.registry import DATASETS_ENV, get_dataset

FIXTURE = PROJECT_ROOT / "tests/fixtures/debian_sections/packages.csv.gz"
SECTIONS = ("fonts", "games", "graphics", "mail", "science", "sound")
TEXT = "gnuchess chess game engine with a board for the X window system"


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The fixture added as dataset `debian`, and three small checkpoints of it (the best recipe included)."""
    datasets, checkpoints = tmp_path_factory.mktemp("datasets"), tmp_path_factory.mktemp("checkpoints")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATASETS_ENV, str(datasets))
        add = ["data", "add", "debian", "--train", str(FIXTURE), "--text-column", "package", "summary"]
        assert main([*add, "--label-column", "section"]) == 0
        common = ["train", "--dataset", "debian", "--out", str(checkpoints), "--quiet", "--jobs", "2"]
        assert main([*common, "--approach", "bigru_bag_avg", "tfidf_lr", "--epochs", "2"]) == 0
        assert main([*common[:-2], "--approach", "approach1", "--epochs", "3"]) == 0
    return datasets, checkpoints


@pytest.fixture(autouse=True)
def app_on_own(own: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(own[0]))
    monkeypatch.setenv(ROOT_ENV, str(own[1]))


def test_the_dataset_and_its_checkpoints(own: tuple[Path, Path]) -> None:
    dataset = get_dataset("debian")
    assert dataset.classes == SECTIONS and dataset.holdout is not None
    assert (dataset.train.rows, dataset.test.rows) == (1_890, 210)  # 10 % of each section's 350 held out
    names = ["debian-approach1", "debian-bigru_bag_avg", "debian-tfidf_lr"]
    assert list_checkpoints(own[1]) == names
    for name in names:
        checkpoint = load_checkpoint(name, own[1])
        assert checkpoint.classes == SECTIONS and len(checkpoint.metrics.test.confusion) == 6
        assert sum(map(sum, checkpoint.metrics.test.confusion)) == 210
    assert load_checkpoint("debian-tfidf_lr", own[1]).metrics.test.accuracy > 0.6  # chance is 1/6


def test_every_view_runs_on_it_in_its_classes(own: tuple[Path, Path]) -> None:
    at = enter(pick(start(), "debian-tfidf_lr"), TEXT)
    assert at.metric[0].value in SECTIONS
    assert [html.unescape(x) for x in json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["x"]] == list(
        SECTIONS
    )
    for view in VIEWS:
        at = open_view(at, view.title)
        assert not at.exception, view.title
    at = open_view(at, "Evaluate")
    matrix = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert matrix["z"]["shape"] == "6, 6" and [html.unescape(y) for y in matrix["y"]] == list(SECTIONS)
    at = open_view(at, "Summary")
    frame = at.dataframe[0].value
    assert frame["checkpoint"].tolist() == list_checkpoints(own[1]) and "tutorial" not in frame.columns
