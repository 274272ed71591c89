"""A person's own labelled texts as a dataset: read a CSV, TSV, JSON Lines or Parquet file, check it, hold out a
test split, and store normalised splits with their record under datasets/NAME/ (`rnnclf data add`).

The file is read twice, a row at a time, and never held whole: the first pass checks every row and keeps only
each row's class and a hash of its text (10 bytes a row; under a hundred while the split is drawn and
leakage counted), the second writes each row to its split. So a file
larger than memory goes through (README, "Your own data", gives the measured limits). Nothing is written
until the first pass has found the file good, and the dataset's folder appears whole or not at all.

Python's `csv` module reads CSV and TSV (not pandas): it gives each bad row its line number.
`tests/unit/cli/test_data_command.py` checks every refusal and that nothing is written on one.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import re
import shutil
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np

from rnnclf.core.files import json_objects, sha256_file
from rnnclf.core.paths import relative
from rnnclf.data.dataset import MAX_CLASSES, DataError, Dataset, Holdout, SourceFile, Split, SplitFile, split_file
from rnnclf.data.registry import RECORD, dataset_roots, is_built_in, user_root, write_dataset

FORMATS = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".jsonl", ".jsonl.gz", ".parquet")
NAME = re.compile(r"[a-z][a-z0-9_]{0,47}")  # no "-": checkpoints are named NAME-APPROACH
MIN_CLASS_ROWS = 3  # to hold out: one test row and two left to train (and validate) on
DEFAULT_TEST_FRACTION = 0.1
SPLIT_FILES = {"train": "train.csv.gz", "test": "test.csv.gz"}
OnBad = Literal["stop", "skip"]
ON_BAD: tuple[OnBad, ...] = ("stop", "skip")  # what `--bad-rows` offers
SHOWN_LINES = 10  # line numbers listed in a message; counts are always complete


def file_format(path: Path) -> str:
    """The format its suffix names (".csv.gz" counts as ".csv.gz"), or a DataError listing those known."""
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise DataError(f"{path}: unknown format; give a file ending in {', '.join(FORMATS)}")


class Table:
    """A file's header and its rows, one at a time with their line numbers (record numbers for Parquet)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.format = file_format(self.path)
        if not self.path.is_file():
            raise DataError(f"{self.path}: no such file")
        if self.path.stat().st_size == 0:
            raise DataError(f"{self.path}: the file is empty")
        self.columns = self._header()

    def _open(self) -> IO[bytes]:
        return gzip.open(self.path, "rb") if self.format.endswith(".gz") else open(self.path, "rb")

    def _lines(self, handle: IO[bytes]) -> Iterator[str]:
        """Decoded lines; a byte that is not UTF-8 names its line."""
        try:
            for number, raw in enumerate(handle, 1):
                try:
                    yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    raise DataError(f"{self.path}, line {number}: not UTF-8 text; save the file as UTF-8") from None
        except (OSError, EOFError) as error:  # a broken .gz
            raise DataError(f"{self.path}: cannot be read ({error})") from None

    def _header(self) -> list[str]:
        for _, values in self._records(header=True):
            return [str(value) for value in values]
        raise DataError(f"{self.path}: holds no rows")

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(line, values in header order) for each row after the header."""
        return self._records(header=False)

    def _records(self, header: bool) -> Iterator[tuple[int, list[Any]]]:
        if self.format == ".parquet":
            yield from self._parquet(header)
        elif self.format.startswith(".jsonl"):
            yield from self._jsonl(header)
        else:
            yield from self._delimited(header)

    def _delimited(self, header: bool) -> Iterator[tuple[int, list[Any]]]:
        delimiter = "\t" if self.format.startswith(".tsv") else ","
        with self._open() as handle:
            reader = csv.reader(self._lines(handle), delimiter=delimiter, strict=True)
            try:
                first = next(reader, None)
                if first is None:
                    return
                if header:
                    yield 1, first
                    return
                width = len(first)
                for row in reader:
                    if not row:
                        continue  # a blank line is no row
                    if len(row) != width:
                        raise DataError(
                            f"{self.path}, line {reader.line_num}: {len(row)} fields, the header has {width}"
                        )
                    yield reader.line_num, row
            except csv.Error as error:
                raise DataError(f"{self.path}, line {reader.line_num}: not valid CSV ({error})") from None

    def _jsonl(self, header: bool) -> Iterator[tuple[int, list[Any]]]:
        columns: list[str] | None = None
        with self._open() as handle:
            for number, record in json_objects(self._lines(handle)):
                if isinstance(record, str):
                    raise DataError(f"{self.path}, line {number}: {record}")
                if columns is None:
                    columns = list(record)
                    if header:
                        yield number, columns
                        return
                yield number, [record.get(column) for column in columns]

    def _parquet(self, header: bool) -> Iterator[tuple[int, list[Any]]]:
        import pyarrow.parquet as pq  # only for Parquet input

        try:
            source = pq.ParquetFile(self.path)
        except Exception as error:  # noqa: BLE001 (pyarrow raises several kinds for a file that is not Parquet)
            raise DataError(f"{self.path}: cannot be read as Parquet ({error})") from None
        if header:
            if source.metadata.num_rows:
                yield 0, source.schema_arrow.names
            return
        number = 0
        for batch in source.iter_batches(batch_size=10_000):
            for values in zip(*(column.to_pylist() for column in batch.columns)):
                number += 1
                yield number, list(values)


def find_column(table: Table, wanted: str) -> int:
    """The index of column `wanted`: its exact name, else the one name equal to it ignoring case."""
    if wanted in table.columns:
        return table.columns.index(wanted)
    folded = [i for i, column in enumerate(table.columns) if column.strip().lower() == wanted.strip().lower()]
    if len(folded) == 1:
        return folded[0]
    raise DataError(f"{table.path}: no column {wanted!r}; the columns are: {', '.join(table.columns)}")


def cell(value: Any) -> str:
    """A cell as text: integers kept as their digits, a missing one as ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Scan:
    """What the first pass keeps of one file: each good row's label and text hash, and the rows skipped."""

    table: Table
    text_columns: tuple[int, ...]
    label_column: int
    on_bad: OnBad
    names: dict[str, int] = field(default_factory=dict)  # each distinct label, its code in order of first sight
    codes: array = field(default_factory=lambda: array("H"))  # each row's label code (2 bytes)
    hashes: bytearray = field(default_factory=bytearray)  # each row's `text_hash` (8 bytes)
    skipped: list[int] = field(default_factory=list)

    def records(self, first_pass: bool = False) -> Iterator[tuple[int, str, str]]:
        """(line, text, label) of each row; an empty text or label stops, or is skipped (and counted on the
        first pass)."""
        for line, values in self.table.rows():
            text = " ".join(cell(values[i]) for i in self.text_columns)
            label = cell(values[self.label_column]).strip()
            if not text.strip() or not label:
                what = "text" if not text.strip() else "label"
                if self.on_bad == "stop":
                    raise DataError(
                        f"{self.table.path}, line {line}: empty or missing {what} "
                        "(--bad-rows skip skips such rows and counts them)"
                    )
                if first_pass:
                    self.skipped.append(line)
                continue
            yield line, text, label

    def run(self) -> Scan:
        for _, text, label in self.records(first_pass=True):
            if label not in self.names and len(self.names) == MAX_CLASSES:
                raise DataError(f"{self.table.path}: more than {MAX_CLASSES} distinct labels; at most {MAX_CLASSES}")
            self.codes.append(self.names.setdefault(label, len(self.names)))
            self.hashes += text_hash(text)
        if not self.codes:
            raise DataError(f"{self.table.path}: no row has both a text and a label")
        return self

    def source(self) -> SourceFile:
        return SourceFile(
            relative(self.table.path),
            sha256_file(self.table.path),
            len(self.codes),
            len(self.skipped),
            tuple(self.table.columns[i] for i in self.text_columns),
            self.table.columns[self.label_column],
        )


def text_hash(text: str) -> bytes:
    """8 bytes that tell texts apart (duplicates, leakage) without keeping them."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def class_order(labels: Sequence[str]) -> tuple[str, ...]:
    """The distinct labels, sorted: by value when every one is a whole number (2 before 10), else as text."""
    distinct = set(labels)
    if all(re.fullmatch(r"-?\d+", label) for label in distinct):
        return tuple(sorted(distinct, key=int))
    return tuple(sorted(distinct))


def holdout(labels: np.ndarray, n_classes: int, fraction: float, seed: int) -> np.ndarray:
    """A stratified draw: the indices of round(fraction x rows) rows of each class (at least one), sorted.

    Seeded, and the same for the same labels, fraction and seed (`test_holdout_is_stratified_and_seeded`).
    """
    rng = np.random.default_rng(seed)
    chosen = []
    for label in range(n_classes):
        rows = np.flatnonzero(labels == label)
        chosen.append(rows[rng.permutation(len(rows))[: max(1, round(len(rows) * fraction))]])
    return np.sort(np.concatenate(chosen))


@dataclass(frozen=True)
class Added:
    """What `add_dataset` wrote, and what a person should hear about it."""

    dataset: Dataset
    folder: Path
    leaked: int  # test rows whose text is also a training row's
    skipped: tuple[tuple[str, tuple[int, ...]], ...]  # (file, lines) of each file's skipped rows


def check_name(name: str, replace: bool) -> None:
    if not NAME.fullmatch(name):
        raise DataError(
            f"{name!r} is not a dataset name: use lower-case letters, digits and _, starting with a letter "
            "(no '-': checkpoints are named NAME-APPROACH)"
        )
    if is_built_in(name):
        raise DataError(f"{name!r} is a built-in dataset; choose another name")
    if any((root / name / RECORD).is_file() for root in dataset_roots()) and not replace:
        raise DataError(f"a dataset named {name!r} exists already; --replace overwrites it")


def _scan(path: Path, text_columns: Sequence[str] | None, label_column: str | None, on_bad: OnBad) -> Scan:
    table = Table(path)
    texts = tuple(find_column(table, c) for c in (text_columns or ("text",)))
    label = find_column(table, label_column or "label")
    return Scan(table, texts, label, on_bad).run()


def _check_classes(classes: tuple[str, ...], counts: dict[str, int], path: Path, held_out: bool) -> None:
    if len(classes) < 2:
        raise DataError(f"{path}: every row has the label {classes[0]!r}; a classifier needs 2 classes or more")
    small = [c for c in classes if counts[c] < MIN_CLASS_ROWS]
    if held_out and small:
        listed = ", ".join(f"{c!r} ({counts[c]})" for c in small[:SHOWN_LINES])
        raise DataError(
            f"{path}: too few rows to hold out a test split for {listed}; each class needs {MIN_CLASS_ROWS} "
            "or more (or give --test FILE)"
        )


def add_dataset(
    name: str,
    train: Path,
    test: Path | None = None,
    text_columns: Sequence[str] | None = None,
    label_column: str | None = None,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    seed: int = 0,
    on_bad: OnBad = "stop",
    replace: bool = False,
) -> Added:
    """Check the file(s), then store the dataset under `user_root()`/NAME; any DataError leaves all as it was."""
    check_name(name, replace)
    if not 0 < test_fraction < 1:
        raise DataError(f"--test-fraction must be between 0 and 1, not {test_fraction}")
    scans = [_scan(Path(train), text_columns, label_column, on_bad)]
    if test is not None:
        scans.append(_scan(Path(test), text_columns, label_column, on_bad))
    classes = class_order(list(scans[0].names))
    per_code = np.bincount(np.frombuffer(scans[0].codes, dtype=np.uint16), minlength=len(scans[0].names))
    counts = {name: int(per_code[code]) for name, code in scans[0].names.items()}
    _check_classes(classes, counts, scans[0].table.path, held_out=test is None)
    index = {label: i for i, label in enumerate(classes)}
    if test is not None:
        unknown = sorted(scans[1].names.keys() - index.keys())
        if unknown:
            raise DataError(
                f"{scans[1].table.path}: labels the training file does not have: {', '.join(map(repr, unknown[:10]))}"
            )
    to_index = np.array([index[name] for name in scans[0].names], dtype=np.int64)
    train_labels = to_index[np.frombuffer(scans[0].codes, dtype=np.uint16)]
    hashes = [np.frombuffer(scan.hashes, dtype=np.uint64) for scan in scans]
    in_test = None
    if test is None:
        in_test = np.zeros(len(train_labels), dtype=bool)
        in_test[holdout(train_labels, len(classes), test_fraction, seed)] = True
        train_hashes, test_hashes = hashes[0][~in_test], hashes[0][in_test]
    else:
        train_hashes, test_hashes = hashes
    leaked = int(np.isin(test_hashes, train_hashes).sum())
    root = user_root()
    created_root = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=root, prefix=f".{name}.", suffix=".partial"))
    final = root / name
    try:
        work.chmod(0o755)  # mkdtemp's folder is private; a dataset is as readable as the files beside it
        rows = _write_splits(scans, in_test, index, work)
        dataset = Dataset(
            name,
            classes,
            _pinned(work, final, "train", rows["train"]),
            _pinned(work, final, "test", rows["test"]),
            f"added by `rnnclf data add` from {', '.join(scan.table.path.name for scan in scans)}",
            holdout=Holdout(seed, test_fraction) if test is None else None,
            sources=tuple(scan.source() for scan in scans),
        )
        write_dataset(dataset, folder=work)
        _swap_in(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if created_root:
            shutil.rmtree(root, ignore_errors=True)
        raise
    skipped = tuple((str(scan.table.path), tuple(scan.skipped)) for scan in scans if scan.skipped)
    return Added(dataset, final, leaked, skipped)


def _write_splits(scans: list[Scan], in_test: np.ndarray | None, index: dict[str, int], work: Path) -> dict[str, int]:
    """The second pass: each good row to its split, as `label,text` with 1-based labels (what `read_csv`
    reads). gzip's mtime is 0, so the same rows give the same bytes and the same sha256."""
    handles = {split: _gzip_text(work / file) for split, file in SPLIT_FILES.items()}
    writers = {split: csv.writer(handle, quoting=csv.QUOTE_ALL) for split, handle in handles.items()}
    rows = dict.fromkeys(SPLIT_FILES, 0)
    try:
        for number, scan in enumerate(scans):
            for row, (_, text, label) in enumerate(scan.records()):
                split = "test" if (number == 1 or (in_test is not None and in_test[row])) else "train"
                writers[split].writerow((index[label] + 1, text))
                rows[split] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return rows


def _gzip_text(path: Path) -> io.TextIOWrapper:
    return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8", newline="")


def _pinned(work: Path, final: Path, split: str, rows: int) -> SplitFile:
    """The split's record with the path it will have once the folder is in place."""
    pinned = split_file(work / SPLIT_FILES[split], rows)
    return replace(pinned, path=relative(final / SPLIT_FILES[split]))


def _swap_in(work: Path, final: Path) -> None:
    """Put the finished folder in place; an old one (`--replace`) is moved aside first and removed after,
    so a reader finds the old dataset or the new one, never a mix."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.{os.getpid()}.old")
        os.replace(final, old)
    try:
        os.replace(work, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class SplitProfile:
    """One split as `rnnclf data show` describes it."""

    rows: int
    per_class: tuple[int, ...]  # in class order
    duplicates: int  # rows whose text an earlier row of the split has
    words: tuple[int, int, float, int]  # shortest, median, mean, longest text, in whitespace-separated words


@dataclass(frozen=True)
class Profile:
    train: SplitProfile
    test: SplitProfile
    leaked: int  # test rows whose text is also a training row's


def profile(dataset: Dataset) -> Profile:
    """Counts of a stored dataset's splits, read from its files (so they describe what training reads)."""
    train, test = dataset.read_train(), dataset.read_test()
    train_hashes = {text_hash(text) for text in train.texts}
    return Profile(
        _split_profile(train, len(dataset.classes)),
        _split_profile(test, len(dataset.classes)),
        sum(1 for text in test.texts if text_hash(text) in train_hashes),
    )


def _split_profile(split: Split, n_classes: int) -> SplitProfile:
    words = np.array([len(text.split()) for text in split.texts])
    return SplitProfile(
        len(split),
        tuple(int(n) for n in np.bincount(split.labels, minlength=n_classes)),
        len(split) - len(set(split.texts)),
        (int(words.min()), int(np.median(words)), float(words.mean()), int(words.max())),
    )
