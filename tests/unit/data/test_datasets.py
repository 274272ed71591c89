"""The dataset record: AG News's pins its files, a changed file is refused, a checkpoint names its dataset."""

from __future__ import annotations

import ast
import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from toy_datasets import Toys

import rnnclf
from rnnclf import CheckpointError, list_checkpoints, load_checkpoint
from rnnclf.checkpoints.storage import write_manifest
from rnnclf.core.paths import CHECKPOINT_DIR, PROJECT_ROOT
from rnnclf.data.dataset import AG_NEWS_DIR, DataError, Dataset, read_csv, split_file
from rnnclf.data.registry import AG_NEWS, DATASETS_ENV, RECORD, get_dataset, list_datasets, write_dataset


def test_ag_news_record_pins_the_committed_files() -> None:
    dataset = get_dataset(AG_NEWS)
    assert dataset.classes == tuple((AG_NEWS_DIR / "classes.txt").read_text().split())
    for split in (dataset.train, dataset.test):
        assert split_file(split.location, split.rows) == split
    assert len(dataset.read_test()) == dataset.test.rows
    assert AG_NEWS in list_datasets()


def toy(root: Path, name: str, classes: tuple[str, ...]) -> Dataset:
    """A dataset of a few rows per class, written as a person's own would be."""
    folder = root / name
    folder.mkdir(parents=True)
    path = folder / "rows.csv"
    path.write_text("".join(f'"{i % len(classes) + 1}","text number {i}"\n' for i in range(4 * len(classes))))
    rows = len(read_csv(path, len(classes)))
    dataset = Dataset(name, classes, split_file(path, rows), split_file(path, rows), "written by a test")
    write_dataset(dataset, root)
    return dataset


def test_a_dataset_folder_beside_the_built_in_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    dataset = toy(tmp_path, "three", ("a", "b", "c"))
    assert get_dataset("three") == dataset and {"three", AG_NEWS} <= set(list_datasets())
    assert sorted(set(dataset.read_test().labels)) == [0, 1, 2]


def test_a_changed_split_file_or_a_bad_record_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    dataset = toy(tmp_path, "three", ("a", "b", "c"))
    with open(dataset.test.location, "a") as handle:
        handle.write('"1","one more"\n')
    with pytest.raises(DataError, match="not the file its record pins"):
        dataset.read_test()
    (tmp_path / "three" / RECORD).write_text(json.dumps({**dataset.to_dict(), "classes": ["a"]}))
    with pytest.raises(DataError, match="2 to 100 distinct class names"):
        get_dataset("three")
    with pytest.raises(DataError, match="no dataset named 'nowhere'"):
        get_dataset("nowhere")


def test_a_checkpoint_whose_dataset_is_unknown_says_so(tmp_path: Path) -> None:
    name = list_checkpoints(CHECKPOINT_DIR)[0]
    for vocab in CHECKPOINT_DIR.glob("vocab-*.json"):
        shutil.copy(vocab, tmp_path)
    shutil.copytree(CHECKPOINT_DIR / name, tmp_path / name)
    assert load_checkpoint(name, tmp_path).classes == get_dataset(AG_NEWS).classes
    config = json.loads((tmp_path / name / "config.json").read_text())
    (tmp_path / name / "config.json").write_text(json.dumps({**config, "dataset": "nowhere"}))
    write_manifest(tmp_path / name)
    with pytest.raises(CheckpointError, match=f"checkpoint {name!r}: no dataset named 'nowhere'"):
        load_checkpoint(name, tmp_path)


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_dataset(AG_NEWS).name = "x"  # type: ignore[misc]


def test_a_toy_checkpoint_names_its_dataset_and_trained_on_its_files(toys: Toys, monkeypatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    for dataset in ("three", "six"):
        record = get_dataset(dataset)
        for name in toys.names(dataset):
            checkpoint = load_checkpoint(name, toys.checkpoints)
            assert checkpoint.config.dataset == dataset and checkpoint.classes == checkpoint.classifier.classes
            assert checkpoint.config.training.data_sha256 == record.train.sha256
            assert (
                checkpoint.metrics.test.rows == record.test.rows and checkpoint.metrics.test.classes == record.classes
            )
    assert get_dataset("six").display_title == "Six topics" and get_dataset(AG_NEWS).display_title == "AG News"
    assert dataclasses.replace(get_dataset("six"), title=None).display_title == "six"


def test_nothing_in_the_package_or_the_app_reads_the_transitional_class_list() -> None:
    """`rnnclf.CLASSES` stays for people who import it; the project takes class names from checkpoints."""
    users = []
    for path in sorted([*(PROJECT_ROOT / "rnnclf").rglob("*.py"), *(PROJECT_ROOT / "app").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = isinstance(node, ast.ImportFrom) and any(alias.name == "CLASSES" for alias in node.names)
            if imported or (isinstance(node, ast.Attribute) and node.attr == "CLASSES"):
                users.append(str(path.relative_to(PROJECT_ROOT)))
    assert not users
    assert rnnclf.CLASSES == get_dataset(AG_NEWS).classes
