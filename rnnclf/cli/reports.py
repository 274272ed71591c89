"""The commands that report on the checkpoints as they are: summary, calibrate, compare, report (the offline
HTML file) and behave. Their tables are rnnclf.reporting.tables'; the HTML report and the behavioural suite
load only when asked for."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from rnnclf.checkpoints.registry import SummaryRow, list_checkpoints, load_checkpoint, read_records, summary_rows
from rnnclf.checkpoints.storage import CheckpointError, Folder
from rnnclf.cli import options
from rnnclf.cli.command import UsageError
from rnnclf.data.dataset import DataError
from rnnclf.data.registry import get_dataset, reports_of
from rnnclf.evaluation.significance import Interval, stored_intervals
from rnnclf.evaluation.significance import compare as compare_checkpoints
from rnnclf.reporting.tables import (
    CALIBRATION_ALIGN,
    CALIBRATION_HEADER,
    calibration_document,
    calibration_row,
    failure_rates_table,
    intervals_table,
    summary_table,
)


def select(names: list[str], root: Path, dataset: str | None) -> list[str]:
    """`names` (in order) less those not trained on `dataset`; all of them when it is None. A dataset that is
    not there, or that none of them was trained on, is the user's mistake."""
    if dataset is None:
        return names
    try:
        get_dataset(dataset)
    except DataError as error:
        raise UsageError(f"{error}; `python -m rnnclf data list` lists the datasets") from None
    kept = [name for name in names if _trained_on(name, root) == dataset]
    if not kept:
        raise UsageError(f"no checkpoint under {root} was trained on dataset {dataset!r}")
    return kept


def _trained_on(name: str, root: Path) -> str | None:
    """The dataset a checkpoint's config names (None when it cannot be read: loading it says why)."""
    try:
        return read_records(Folder(root / name))[0].dataset
    except CheckpointError:
        return None


def summary_arguments(parser: argparse.ArgumentParser) -> None:
    options.root(parser)
    options.dataset_filter(parser)
    options.json(parser, "the rows and their intervals")
    options.markdown(parser, "reports/summary.md")


def _checkpoint_intervals(root: Path, rows: list[SummaryRow]) -> dict[str, tuple[Interval, Interval]]:
    """Bootstrap intervals of each checkpoint whose stored predictions cover its dataset's test split."""
    result = {}
    for row in rows:
        if row.error is None:
            found = stored_intervals(load_checkpoint(row.checkpoint, root))
            if found is not None:
                result[row.checkpoint] = found
    return result


def summary(args: argparse.Namespace) -> int:
    kept = set(select(list_checkpoints(Path(args.root)), Path(args.root), args.dataset))
    rows = [row for row in summary_rows(Path(args.root)) if row.checkpoint in kept]
    found = _checkpoint_intervals(Path(args.root), rows)
    if args.json:
        bounds = {
            name: {"accuracy_low": a.low, "accuracy_high": a.high, "macro_f1": f.estimate}
            | {"macro_f1_low": f.low, "macro_f1_high": f.high}
            for name, (a, f) in found.items()
        }
        print(json.dumps([asdict(r) | bounds.get(r.checkpoint, {}) for r in rows], indent=2))
        return 0
    print(summary_table(rows, args.markdown))
    if found:
        print("\n" + intervals_table(found, args.markdown))
    return 0


def calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    options.checkpoints(parser, required=False)
    parser.add_argument("--all", action="store_true", help="every checkpoint under --root (of --dataset)")
    options.root(parser)
    options.dataset_filter(parser)
    options.markdown_file(parser, "reports/calibration.md")


def calibrate(args: argparse.Namespace) -> int:
    from rnnclf.evaluation.temperature import fit, store

    names = list_checkpoints(Path(args.root)) if args.all else args.checkpoint
    if not names:
        raise UsageError("give --checkpoint NAME [NAME ...] or --all")
    names = select(names, Path(args.root), args.dataset)
    lines = [CALIBRATION_HEADER, CALIBRATION_ALIGN]
    for name in names:
        checkpoint = load_checkpoint(name, Path(args.root))
        calibration = fit(checkpoint)
        store(checkpoint, calibration)
        lines.append(calibration_row(checkpoint.name, calibration))
        print(lines[-1], flush=True)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(calibration_document(lines, calibration.bins))
    return 0


def compare_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkpoints", nargs="*", help="two names for one test; none for every pair")
    options.root(parser)
    options.dataset_filter(parser)
    options.markdown(parser, "reports/significance.md")


def compare(args: argparse.Namespace) -> int:
    names = select(args.checkpoints or list_checkpoints(Path(args.root)), Path(args.root), args.dataset)
    if len(names) < 2:
        raise UsageError("name two checkpoints (or none, for every pair)")
    checkpoints = [load_checkpoint(name, Path(args.root)) for name in names]
    print(compare_checkpoints(checkpoints, args.markdown))
    return 0


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="the HTML file to write")
    parser.add_argument("--probe", action="append", default=[], metavar="TEXT", help="a text to pin (repeatable)")
    options.root(parser)
    options.dataset_filter(parser)


def report(args: argparse.Namespace) -> int:
    from rnnclf.reporting.html import build, probe

    names = select(list_checkpoints(Path(args.root)), Path(args.root), args.dataset)
    checkpoints = [load_checkpoint(name, Path(args.root)) for name in names]
    if not checkpoints:
        raise UsageError(f"no checkpoints under {args.root}")
    empty = [text for text in args.probe if not text.strip()]
    if empty:
        raise UsageError("--probe is empty: give some news text to pin")
    pins = [probe(text, checkpoints, view="Probe (command line)") for text in args.probe]
    html = build(checkpoints, checkpoints[0].dataset.read_test(), pins)
    Path(args.out).write_text(html, encoding="utf-8")
    print(f"wrote {args.out} ({len(html) / 2**20:.1f} MB, {len(checkpoints)} checkpoints, {len(pins)} pinned texts)")
    return 0


def behave_arguments(parser: argparse.ArgumentParser) -> None:
    options.selection(parser, "--root")
    options.root(parser)
    options.dataset_filter(parser)
    parser.add_argument(
        "--suite", metavar="FILE", help="your own suite for the dataset (the JSON shape of rnnclf/behavior/suites/)"
    )
    parser.add_argument(
        "--out", help="folder of behavior.md and behavior.json (default reports/, or reports/NAME/ for --dataset NAME)"
    )
    options.json(parser, "the failure rates")


def behave(args: argparse.Namespace) -> int:
    from rnnclf.behavior.report import behave as run
    from rnnclf.behavior.suite import SuiteError

    root = Path(args.root)
    names = select(args.checkpoint or list_checkpoints(root), root, args.dataset)
    out = Path(args.out) if args.out else reports_of(args.dataset)
    dataset = get_dataset(args.dataset) if args.dataset else None
    started = time.perf_counter()
    try:
        report = run(names, root, out, dataset, Path(args.suite) if args.suite else None)
    except SuiteError as error:
        raise UsageError(str(error)) from None
    seconds = time.perf_counter() - started
    rates = {t.spec.name: {name: round(t.failure_rate(name), 4) for name in report.checkpoints} for t in report.tests}
    print(json.dumps(rates, indent=2) if args.json else failure_rates_table(rates, report.checkpoints))
    print(
        f"{len(report.tests)} tests, {report.cases:,} cases, {len(report.checkpoints)} checkpoints in "
        f"{seconds:.1f} s; wrote {out / 'behavior.md'} and {out / 'behavior.json'}",
        file=sys.stderr,
    )
    return 0
