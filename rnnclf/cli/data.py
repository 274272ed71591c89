"""The `data` command: add a person's own labelled texts as a dataset, list the datasets, show one.

A file that cannot become a dataset is bad input: one message, exit status 2, nothing written
(`tests/unit/cli/test_data_command.py`).
"""

from __future__ import annotations

import argparse
import sys

from rnnclf.cli.command import UsageError
from rnnclf.data.dataset import DataError, Dataset
from rnnclf.data.ingest import DEFAULT_TEST_FRACTION, FORMATS, ON_BAD, SHOWN_LINES, add_dataset, profile
from rnnclf.data.registry import get_dataset, list_datasets
from rnnclf.reporting.style import percent


def data_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="check a file of labelled texts and store it as a dataset")
    add.add_argument("name", metavar="NAME", help="the dataset's name (lower-case letters, digits, _)")
    add.add_argument("--train", required=True, metavar="FILE", help=f"labelled texts ({', '.join(FORMATS)})")
    add.add_argument("--test", metavar="FILE", help="a test file with the same columns (default: held out of --train)")
    add.add_argument(
        "--text-column", nargs="+", metavar="C", help="text column(s), joined with a space (default: text)"
    )
    add.add_argument("--label-column", metavar="C", help="label column (default: label)")
    add.add_argument(
        "--test-fraction",
        type=float,
        default=DEFAULT_TEST_FRACTION,
        metavar="F",
        help="share of each class held out as the test split without --test (default 0.1)",
    )
    add.add_argument("--seed", type=int, default=0, metavar="S", help="seeds the held-out draw")
    add.add_argument(
        "--bad-rows", choices=ON_BAD, default="stop", help="a row without text or label: stop (default) or skip"
    )
    add.add_argument("--replace", action="store_true", help="overwrite a dataset of that name (atomically)")
    sub.add_parser("list", help="every dataset: name, classes, rows per split, where from")
    show = sub.add_parser("show", help="one dataset: as list, plus per-class counts, duplicates, text lengths")
    show.add_argument("name", metavar="NAME")


def data(args: argparse.Namespace) -> int:
    return {"add": _add, "list": _list, "show": _show}[args.action](args)


def _add(args: argparse.Namespace) -> int:
    try:
        added = add_dataset(
            args.name,
            args.train,
            args.test,
            args.text_column,
            args.label_column,
            args.test_fraction,
            args.seed,
            args.bad_rows,
            args.replace,
        )
    except DataError as error:
        raise UsageError(str(error)) from None
    dataset = added.dataset
    print(
        f"added {dataset.name}: {len(dataset.classes)} classes, {dataset.train.rows:,} training rows, "
        f"{dataset.test.rows:,} test rows{' (held out)' if dataset.holdout else ''}, in {added.folder}"
    )
    print(f"classes: {', '.join(dataset.classes)}")
    for path, lines in added.skipped:
        shown = ", ".join(map(str, lines[:SHOWN_LINES])) + (", ..." if len(lines) > SHOWN_LINES else "")
        print(f"skipped {len(lines):,} rows of {path} without a text or a label (lines {shown})")
    if added.leaked:
        print(
            f"warning: {added.leaked:,} test rows have a text that is also in the training rows (leakage: "
            "their test accuracy flatters the model)",
            file=sys.stderr,
        )
    print(f"next: python -m rnnclf train --dataset {dataset.name} --approach all")
    return 0


def _where(dataset: Dataset) -> str:
    return dataset.sources[0].path if dataset.sources else dataset.source


def _classes(dataset: Dataset, shown: int = 6) -> str:
    names = ", ".join(dataset.classes[:shown]) + (", ..." if len(dataset.classes) > shown else "")
    return f"{len(dataset.classes)} ({names})"


def _list(args: argparse.Namespace) -> int:
    rows = [("name", "classes", "train", "test", "from")]
    for name in list_datasets():
        try:
            dataset = get_dataset(name)
        except DataError as error:
            rows.append((name, f"unreadable: {error}", "", "", ""))
            continue
        rows.append((name, _classes(dataset), f"{dataset.train.rows:,}", f"{dataset.test.rows:,}", _where(dataset)))
    _print_table(rows)
    return 0


def _show(args: argparse.Namespace) -> int:
    try:
        dataset = get_dataset(args.name)
    except DataError as error:
        raise UsageError(f"{error}; `python -m rnnclf data list` lists the datasets") from None
    found = profile(dataset)
    print(f"{dataset.name} ({dataset.display_title}): {_classes(dataset)}")
    print(f"from: {_where(dataset)}")
    if dataset.holdout:
        print(f"test split: {percent(dataset.holdout.fraction, 0)} of each class held out, seed {dataset.holdout.seed}")
    for source in dataset.sources:
        skipped = f", {source.skipped:,} skipped" if source.skipped else ""
        print(
            f"read {source.path} (sha256 {source.sha256[:12]}): {source.rows:,} rows{skipped}; "
            f"text {' + '.join(source.text_columns)}, label {source.label_column}"
        )
    rows = [("class", "train", "test")]
    for i, name in enumerate(dataset.classes):
        rows.append((name, f"{found.train.per_class[i]:,}", f"{found.test.per_class[i]:,}"))
    rows.append(("all", f"{found.train.rows:,}", f"{found.test.rows:,}"))
    _print_table(rows)
    for split, counts in (("train", found.train), ("test", found.test)):
        low, median, mean, high = counts.words
        print(
            f"{split}: {counts.duplicates:,} duplicate texts; words per text {low} to {high}, "
            f"median {median}, mean {mean:.1f}"
        )
    print(f"test texts also in train (leakage): {found.leaked:,}")
    return 0


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip())
