"""Scoring a file of any size: read it in chunks, score each with every checkpoint, write as it goes.

Memory holds one chunk (and the checkpoints), whatever the file's size. The output is written to a
hidden file beside the target and renamed onto it at the end, so an interrupted run leaves no half
file. Reading CSV with Python's `csv` module (not pandas) is what gives each malformed row its line
number, to stop on it or to skip and count it.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import pandas as pd
from tqdm import tqdm

from rnnclf.core.files import json_objects
from rnnclf.models.classifier import Classifier
from rnnclf.scope.record import Scope
from rnnclf.scoring import csvsafe
from rnnclf.scoring.batch import BatchError, guess_text_column, score

CHUNK_ROWS = 10_000
FORMATS = (".csv", ".jsonl", ".parquet")
OnBad = Literal["stop", "skip"]
ON_BAD: tuple[OnBad, ...] = ("stop", "skip")
SHOWN_BAD_LINES = 20  # line numbers listed in a report; the count is always complete


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass(frozen=True)
class StreamReport:
    rows: int
    column: str
    skipped: tuple[BadRow, ...]

    def describe(self) -> str:
        """One line for the terminal: rows scored, and which lines were skipped."""
        text = f"scored {self.rows:,} rows (column {self.column!r})"
        if self.skipped:
            lines = ", ".join(str(b.line) for b in self.skipped[:SHOWN_BAD_LINES])
            more = ", ..." if len(self.skipped) > SHOWN_BAD_LINES else ""
            text += f"; skipped {len(self.skipped):,} malformed rows (lines {lines}{more})"
        return text


class Rows:
    """A file's rows as frames of at most `chunk_rows` rows of strings, and the malformed rows met."""

    def __init__(self, path: Path, chunk_rows: int = CHUNK_ROWS, on_bad: OnBad = "stop"):
        if path.suffix.lower() not in FORMATS:
            raise BatchError(f"{path.name}: unknown format; give a {', '.join(FORMATS)} file")
        if not path.is_file():
            raise BatchError(f"cannot read {path}: no such file")
        self.path, self.chunk_rows, self.on_bad = path, chunk_rows, on_bad
        self.skipped: list[BadRow] = []
        self.total_rows: int | None = None  # known up front for Parquet only
        self.bytes_read = 0

    def __iter__(self) -> Iterator[pd.DataFrame]:
        reader = {".csv": self._csv, ".jsonl": self._jsonl, ".parquet": self._parquet}[self.path.suffix.lower()]
        seen = False
        for frame in reader():
            seen = True
            yield frame
        if not seen:
            raise BatchError(f"{self.path} has no rows")

    def _bad(self, line: int, reason: str) -> None:
        if self.on_bad == "stop":
            raise BatchError(f"{self.path} line {line}: {reason} (--bad-rows skip skips such rows and counts them)")
        self.skipped.append(BadRow(line, reason))

    def _lines(self, handle: IO[bytes]) -> Iterator[str]:
        """Decoded lines, counting bytes for the progress bar; a stray byte names its line."""
        for number, raw in enumerate(handle, 1):
            self.bytes_read += len(raw)
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise BatchError(f"{self.path} line {number} is not UTF-8 text; save the file as UTF-8") from None

    def _csv(self) -> Iterator[pd.DataFrame]:
        with open(self.path, "rb") as handle:
            reader = csv.reader(self._lines(handle), strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise BatchError(f"{self.path} is empty") from None
            rows: list[list[str]] = []
            line = reader.line_num + 1  # where the next record starts
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    self._bad(line, f"not valid CSV ({error})")
                    line = reader.line_num + 1
                    continue
                if row and len(row) != len(header):
                    self._bad(line, f"{len(row)} fields, the header has {len(header)}")
                elif row:  # a blank line is no row, as in pandas
                    rows.append(row)
                line = reader.line_num + 1
                if len(rows) == self.chunk_rows:
                    yield pd.DataFrame(rows, columns=header, dtype=str)
                    rows = []
            if rows:
                yield pd.DataFrame(rows, columns=header, dtype=str)

    def _jsonl(self) -> Iterator[pd.DataFrame]:
        with open(self.path, "rb") as handle:
            records: list[dict] = []
            for number, record in json_objects(self._lines(handle)):
                if isinstance(record, str):
                    self._bad(number, record)
                    continue
                records.append(record)
                if len(records) == self.chunk_rows:
                    yield _strings(pd.DataFrame.from_records(records))
                    records = []
            if records:
                yield _strings(pd.DataFrame.from_records(records))

    def _parquet(self) -> Iterator[pd.DataFrame]:
        import pyarrow.parquet as pq  # only for Parquet input

        source = pq.ParquetFile(self.path)
        self.total_rows = source.metadata.num_rows
        for batch in source.iter_batches(batch_size=self.chunk_rows):
            self.bytes_read += batch.nbytes
            yield _strings(batch.to_pandas())


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, a missing one as "" (a row without text gets no prediction)."""
    return frame.apply(lambda column: column.map(lambda v: "" if v is None or v != v else str(v)))


Scorer = Callable[[Iterable[pd.DataFrame]], Iterator[pd.DataFrame]]


def local_scorer(
    classifiers: Sequence[Classifier], column: str, scopes: Sequence[Scope | None] | None = None
) -> Scorer:
    """Chunks scored in this process, one after another."""
    return lambda chunks: (score(chunk, column, classifiers, scopes=scopes) for chunk in chunks)


@contextmanager
def replaced_atomically(target: Path, binary: bool = False) -> Iterator[IO]:
    """A handle on a hidden file beside `target`, renamed onto it only if the block completes."""
    text = {} if binary else {"encoding": "utf-8", "newline": ""}
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed or removed below, whatever happens)
        "wb" if binary else "w", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False, **text
    )
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


class _CsvChunks:
    """Scored chunks as one CSV, cells a spreadsheet would run as formulas neutralised."""

    def __init__(self, handle: IO[str]):
        self.handle, self.header = handle, True

    def write(self, frame: pd.DataFrame) -> None:
        csvsafe.to_csv(frame, self.handle, header=self.header)
        self.header = False

    def close(self) -> None:
        pass


class _JsonlChunks:
    """Scored chunks as JSON Lines, one object per row; a missing probability is null."""

    def __init__(self, handle: IO[str]):
        self.handle = handle

    def write(self, frame: pd.DataFrame) -> None:
        frame.to_json(self.handle, orient="records", lines=True, force_ascii=False, double_precision=15)

    def close(self) -> None:
        pass


class _ParquetChunks:
    """Scored chunks as one Parquet file, a row group per chunk, every chunk in the first one's schema."""

    def __init__(self, handle: IO[bytes]):
        self.handle, self.writer = handle, None

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa  # only for Parquet output
        import pyarrow.parquet as pq

        schema = self.writer.schema if self.writer else None
        table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.handle, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer:
            self.writer.close()


@contextmanager
def chunk_writer(output: Path | None) -> Iterator[_CsvChunks | _JsonlChunks | _ParquetChunks]:
    """Where scored chunks go, in the format `output`'s suffix names (.csv, .jsonl, .parquet; standard
    output: CSV). A file appears only once every chunk is written."""
    if output is None:
        yield _CsvChunks(sys.stdout)
        return
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise BatchError(f"cannot write {output.name!r}: the output must end in {', '.join(FORMATS)}")
    with replaced_atomically(output, binary=suffix == ".parquet") as handle:
        writer = {".csv": _CsvChunks, ".jsonl": _JsonlChunks, ".parquet": _ParquetChunks}[suffix](handle)
        yield writer
        writer.close()


def score_file(
    source: Path,
    output: Path | None,
    classifiers: Sequence[Classifier],
    column: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_bad: OnBad = "stop",
    progress: bool = True,
    scorer: Callable[[str], Scorer] | None = None,
    scopes: Sequence[Scope | None] | None = None,
) -> StreamReport:
    """Score `source` chunk by chunk into `output` (its suffix picks CSV, JSON Lines or Parquet; standard
    output, CSV, if None).

    `scorer(column)` scores the chunks, in order (default: in this process, with `scopes`' columns when
    given: `batch.score`); the engines plug in here.
    Every chunk keeps the first chunk's columns (JSON Lines records may name others: those are left out).
    """
    rows = Rows(source, chunk_rows, on_bad)
    chunks = iter(rows)
    first = next(chunks)
    column = column or guess_text_column(first)
    if column not in first.columns:
        raise BatchError(f"no column {column!r}; the columns are: {', '.join(map(str, first.columns))}")
    same_columns = (chunk.reindex(columns=first.columns, fill_value="") for chunk in _chain(first, chunks))
    scored_chunks = (scorer or (lambda c: local_scorer(classifiers, c, scopes)))(column)(same_columns)
    size = source.stat().st_size
    bar = tqdm(total=rows.total_rows, unit=" rows", unit_scale=True, disable=not progress, file=sys.stderr)
    done = 0
    with bar, chunk_writer(output) as writer:
        for scored in scored_chunks:
            writer.write(scored)
            done += len(scored)
            bar.update(len(scored))
            if rows.total_rows is None:
                bar.set_postfix_str(f"{min(1.0, rows.bytes_read / max(1, size)):.0%} of the file read")
    return StreamReport(done, column, tuple(rows.skipped))


def _chain(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest
