"""Labelled texts: the `Dataset` record (its class names in label order, its splits pinned by sha256), and
splits read from CSV in AG News's forms (3-column `class,title,description` or 2-column `label,text`).

Class names are never a constant: every checkpoint names its dataset, and views, commands and reports take
the names and their count from there (`rnnclf.data.registry`).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnnclf.core.files import sha256_file
from rnnclf.core.paths import DATA_DIR, PROJECT_ROOT, relative

AG_NEWS_DIR = DATA_DIR / "ag_news"
# The built-in dataset's split files, for code that reads AG News itself (bench/, the command line's
# defaults); everything about a checkpoint reads its own dataset's splits (`Dataset.read_test`).
TRAIN_PATH = AG_NEWS_DIR / "train_pool.csv.gz"
TEST_PATH = AG_NEWS_DIR / "test.csv.gz"
MAX_CLASSES = 100
VAL_FRACTION = 0.05  # of the training rows, carved out for per-epoch monitoring
FORMAT = 1  # of dataset.json


class DataError(ValueError):
    """A data file or dataset record that cannot be read; the message names the file (and line)."""


@dataclass(frozen=True)
class Split:
    """Texts and their labels (0 to classes - 1, in the dataset's class order)."""

    texts: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> Split:
        return Split([self.texts[i] for i in index], self.labels[index])


def read_csv(path: str | Path, n_classes: int | None = None) -> Split:
    """Read `"class","title","description"` (text = title + " " + description) or `"label","text"`.

    Labels are 1 to `n_classes` in the file (AG News's 1-4), 0-based in the split; without `n_classes`, any
    up to MAX_CLASSES. A malformed row is an error naming the file and line, never a skip.
    """
    top = n_classes or MAX_CLASSES
    allowed = {str(label) for label in range(1, top + 1)}
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    texts: list[str] = []
    labels: list[int] = []
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            for row in reader:
                where = f"{path}, line {reader.line_num}"
                if len(row) not in (2, 3):
                    raise DataError(f"{where}: expected 2 or 3 fields, found {len(row)}")
                if row[0].strip() not in allowed:
                    raise DataError(f"{where}: the class must be a whole number from 1 to {top}, found {row[0][:40]!r}")
                labels.append(int(row[0]) - 1)
                texts.append(row[1] + " " + row[2] if len(row) == 3 else row[1])
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except (OSError, EOFError, csv.Error) as error:
        raise DataError(f"{path}: cannot be read as CSV ({error})") from None
    if not texts:
        raise DataError(f"{path}: holds no rows")
    return Split(texts, np.asarray(labels, dtype=np.int64))


def train_val_split(data: Split, val_fraction: float = VAL_FRACTION, seed: int = 0) -> tuple[Split, Split]:
    """A fixed, seeded hold-out for per-epoch monitoring; the test split stays untouched."""
    order = np.random.default_rng(seed).permutation(len(data))
    n_val = max(1, round(len(data) * val_fraction))
    return data.subset(np.sort(order[n_val:])), data.subset(np.sort(order[:n_val]))


def load_train_val(
    path: str | Path = TRAIN_PATH,
    val_fraction: float = VAL_FRACTION,
    seed: int = 0,
    max_rows: int | None = None,
    n_classes: int | None = None,
) -> tuple[Split, Split]:
    """The training file's (first `max_rows`) rows, split as every model of the project is trained."""
    data = read_csv(path, n_classes)
    if max_rows:
        data = data.subset(np.arange(min(max_rows, len(data))))
    return train_val_split(data, val_fraction, seed)


@dataclass(frozen=True)
class SplitFile:
    """One split's file (relative to the project when inside it), pinned by its sha256 and row count."""

    path: str
    sha256: str
    rows: int

    @property
    def location(self) -> Path:
        return PROJECT_ROOT / self.path


@dataclass(frozen=True)
class Holdout:
    """How a test split was held out of the one file a person gave: a seeded stratified draw, recorded so
    that the split never changes (`rnnclf.data.ingest.holdout`)."""

    seed: int
    fraction: float


@dataclass(frozen=True)
class SourceFile:
    """One file a dataset was read from, as it was then: where, its sha256, and which columns made the rows."""

    path: str
    sha256: str
    rows: int  # rows kept
    skipped: int  # rows skipped for an empty text or label (`--bad-rows skip`)
    text_columns: tuple[str, ...]
    label_column: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceFile:
        return cls(**{**data, "text_columns": tuple(data["text_columns"])})


@dataclass(frozen=True)
class Dataset:
    """A labelled text set: the class names in label order, and where its splits come from.

    Checkpoints name their dataset (`CheckpointConfig.dataset`); the registry reads this record from
    `dataset.json` in the dataset's folder. Reading a split checks its sha256, so a checkpoint's metrics
    are never shown against other rows than they were measured on.
    """

    name: str
    classes: tuple[str, ...]
    train: SplitFile
    test: SplitFile
    source: str  # where the texts come from, for people (a file of provenance notes, or a sentence)
    format: int = FORMAT
    title: str | None = None  # its name for people ("AG News"); `display_title` falls back to `name`
    holdout: Holdout | None = None  # set when the test split was drawn from the training file
    sources: tuple[SourceFile, ...] = ()  # the files `rnnclf data add` read (train first); empty for built-ins

    def __post_init__(self) -> None:
        if not 2 <= len(self.classes) <= MAX_CLASSES or len(set(self.classes)) != len(self.classes):
            raise DataError(f"dataset {self.name!r}: needs 2 to {MAX_CLASSES} distinct class names, has {self.classes}")

    @property
    def display_title(self) -> str:
        return self.title or self.name

    def read(self, split: SplitFile) -> Split:
        """A split's rows, after checking the file is the one the record pins."""
        path = split.location
        if not path.is_file():
            raise DataError(f"dataset {self.name!r}: {split.path} is missing")
        if sha256_file(path) != split.sha256:
            raise DataError(f"dataset {self.name!r}: {split.path} is not the file its record pins (sha256 differs)")
        return read_csv(path, len(self.classes))

    def paths(self, train: str | Path | None = None, test: str | Path | None = None) -> tuple[Path, Path]:
        """The files a training run reads: `train` and `test` when given (other files labelled alike),
        else this dataset's splits."""
        return Path(train or self.train.location), Path(test or self.test.location)

    def read_train(self) -> Split:
        return self.read(self.train)

    def read_test(self) -> Split:
        return self.read(self.test)

    def to_dict(self) -> dict[str, Any]:
        data = {**asdict(self), "classes": list(self.classes)}
        # A built-in record stays as it was written: the fields it does not use are left out.
        return {key: value for key, value in data.items() if key not in ("holdout", "sources") or value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dataset:
        try:
            return cls(
                **{
                    **data,
                    "classes": tuple(data["classes"]),
                    "train": SplitFile(**data["train"]),
                    "test": SplitFile(**data["test"]),
                    "holdout": Holdout(**data["holdout"]) if data.get("holdout") else None,
                    "sources": tuple(SourceFile.from_dict(source) for source in data.get("sources", ())),
                }
            )
        except (KeyError, TypeError) as error:
            raise DataError(f"a dataset record is missing or mistypes {error}") from None


def split_file(path: str | Path, rows: int) -> SplitFile:
    """The record of a split file as it is now."""
    return SplitFile(relative(path), sha256_file(Path(path)), rows)
