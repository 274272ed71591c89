"""Datasets by name: each one a folder holding its split files and a `dataset.json` record (`Dataset`).

The built-in datasets live under data/ (AG News in data/ag_news/); the ones people add (`rnnclf data add`)
under datasets/. RNNCLF_DATASETS names another folder of datasets, searched first and written to instead of
datasets/, so tests can bring their own without touching either.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from rnnclf.core.files import write_json
from rnnclf.core.paths import DATA_DIR, PROJECT_ROOT, REPORT_DIR
from rnnclf.data.dataset import DataError, Dataset

RECORD = "dataset.json"
AG_NEWS = "ag_news"  # the built-in dataset; checkpoints written before datasets were recorded name it
DATASETS_ENV = "RNNCLF_DATASETS"
USER_DATASETS = PROJECT_ROOT / "datasets"  # kept out of git: a person's own data stays on their machine


def user_root() -> Path:
    """Where `rnnclf data add` writes: RNNCLF_DATASETS when set, else datasets/."""
    extra = os.environ.get(DATASETS_ENV)
    return Path(extra) if extra else USER_DATASETS


def dataset_roots() -> tuple[Path, ...]:
    """The folders searched, in order: RNNCLF_DATASETS (if set), datasets/, data/ (the built-ins)."""
    extra = os.environ.get(DATASETS_ENV)
    return (*((Path(extra),) if extra else ()), USER_DATASETS, DATA_DIR)


def is_built_in(name: str) -> bool:
    return (DATA_DIR / name / RECORD).is_file()


def list_datasets() -> list[str]:
    """Every dataset name there is, each once (one in RNNCLF_DATASETS hides a built-in of that name)."""
    names = {path.parent.name for root in dataset_roots() for path in root.glob(f"*/{RECORD}")}
    return sorted(names)


def get_dataset(name: str) -> Dataset:
    """The record of dataset `name`; a DataError names what is missing or wrong."""
    for root in dataset_roots():
        path = root / name / RECORD
        if path.is_file():
            return _read(path, path.stat().st_mtime_ns)
    raise DataError(f"no dataset named {name!r} (no {name}/{RECORD} under {', '.join(map(str, dataset_roots()))})")


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int) -> Dataset:
    """One parse per version of the file (the modification time is part of the key)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: cannot be read as a dataset record ({error})") from None
    dataset = Dataset.from_dict(data)
    if dataset.name != path.parent.name:
        raise DataError(f"{path}: names dataset {dataset.name!r}, but its folder is {path.parent.name!r}")
    return dataset


def write_dataset(dataset: Dataset, root: Path = DATA_DIR, folder: Path | None = None) -> Path:
    """Write the record into `root`/NAME/, or into `folder` (one being built, renamed to NAME after),
    atomically; its split files must already be there."""
    folder = folder or root / dataset.name
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / RECORD, dataset.to_dict())
    return folder / RECORD


def reports_of(dataset: str | None) -> Path:
    """Where a dataset's reports live: reports/ for AG News (the committed reports), a folder of its own
    under reports/ for another dataset, so the committed ones are never overwritten by it."""
    return REPORT_DIR if dataset in (None, AG_NEWS) else REPORT_DIR / dataset
