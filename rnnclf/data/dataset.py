"""AG News rows from CSV: the original 3-column form or the 2-column pooled form, plain or gzipped."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnclf.core.paths import DATA_DIR

CLASSES: tuple[str, ...] = ("World", "Sports", "Business", "Sci/Tech")
AG_NEWS_DIR = DATA_DIR / "ag_news"
TRAIN_PATH = AG_NEWS_DIR / "train_pool.csv.gz"
TEST_PATH = AG_NEWS_DIR / "test.csv.gz"


class DataError(ValueError):
    """A data file that cannot be read as AG News; the message names the file and line."""


@dataclass(frozen=True)
class Split:
    """Texts and their labels (0-3, in `CLASSES` order)."""

    texts: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> Split:
        return Split([self.texts[i] for i in index], self.labels[index])


def read_csv(path: str | Path) -> Split:
    """Read `"class","title","description"` (text = title + " " + description) or `"label","text"`.

    Labels are the original 1-4. A malformed row is an error naming the file and line, never a skip.
    """
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
                if row[0].strip() not in ("1", "2", "3", "4"):
                    raise DataError(f"{where}: the class must be 1, 2, 3 or 4, found {row[0][:40]!r}")
                labels.append(int(row[0]) - 1)
                texts.append(row[1] + " " + row[2] if len(row) == 3 else row[1])
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except (OSError, EOFError, csv.Error) as error:
        raise DataError(f"{path}: cannot be read as CSV ({error})") from None
    if not texts:
        raise DataError(f"{path}: holds no rows")
    return Split(texts, np.asarray(labels, dtype=np.int64))


def train_val_split(data: Split, val_fraction: float = 0.05, seed: int = 0) -> tuple[Split, Split]:
    """A fixed, seeded hold-out for per-epoch monitoring; the test split stays untouched."""
    order = np.random.default_rng(seed).permutation(len(data))
    n_val = max(1, round(len(data) * val_fraction))
    return data.subset(np.sort(order[n_val:])), data.subset(np.sort(order[:n_val]))


def load_train_val(
    path: str | Path = TRAIN_PATH, val_fraction: float = 0.05, seed: int = 0, max_rows: int | None = None
) -> tuple[Split, Split]:
    """The training file's (first `max_rows`) rows, split as every model of the project is trained."""
    data = read_csv(path)
    if max_rows:
        data = data.subset(np.arange(min(max_rows, len(data))))
    return train_val_split(data, val_fraction, seed)
