"""What the data says: `label-issues` (reports/label_issues.md and .json) and `map` (each checkpoint's 2-D
map of its test split, stored for the app)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rnnclf.checkpoints.registry import list_checkpoints, load_checkpoint
from rnnclf.cli import options
from rnnclf.cli.command import UsageError
from rnnclf.core.paths import REPORT_DIR
from rnnclf.data.registry import AG_NEWS, list_datasets


def _dataset_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset", default=AG_NEWS, help=f"the dataset whose labels are inspected (default {AG_NEWS})"
    )


def label_issues_arguments(parser: argparse.ArgumentParser) -> None:
    _dataset_option(parser)
    options.root(parser)
    parser.add_argument("--folds", type=int, default=5, help="folds of the training split's cross-validation")
    parser.add_argument("--test-only", action="store_true", help="inspect the test split only (seconds, not minutes)")
    parser.add_argument("--out", default=str(REPORT_DIR), help="folder of label_issues.md and .json")


def label_issues(args: argparse.Namespace) -> int:
    from rnnclf.inspection.label_issues import inspect
    from rnnclf.inspection.report import write

    if args.dataset not in list_datasets():
        raise UsageError(f"no dataset named {args.dataset!r}; there are: {', '.join(list_datasets())}")
    if args.folds < 2:
        raise UsageError("--folds must be at least 2")
    root = Path(args.root)
    checkpoints = [
        c for c in map(lambda n: load_checkpoint(n, root), list_checkpoints(root)) if c.dataset.name == args.dataset
    ]
    if not checkpoints:
        raise UsageError(f"no checkpoint under {root} is of dataset {args.dataset!r}")
    started = time.perf_counter()
    report = inspect(checkpoints, train=not args.test_only, folds=args.folds)
    md, js = write(report, Path(args.out))
    counts = ", ".join(
        f"{part.split} {len(part.issues):,} of {part.rows:,}"
        for part in (report.test, report.train)
        if part is not None
    )
    print(f"flagged: {counts}")
    for accuracy in report.accuracy:
        print(
            f"{accuracy.checkpoint}: {accuracy.accuracy:.2%} -> {accuracy.accuracy_without_flagged:.2%} "
            "without the flagged test rows (an estimate)"
        )
    print(f"{time.perf_counter() - started:.1f} s; wrote {md} and {js}", file=sys.stderr)
    return 0


def map_arguments(parser: argparse.ArgumentParser) -> None:
    from rnnclf.inspection.projection import MAP_DIR, METHODS

    options.selection(parser, "--root")
    options.root(parser)
    parser.add_argument("--method", nargs="+", choices=METHODS, default=list(METHODS), help="projections computed")
    parser.add_argument("--out", default=str(MAP_DIR), help="folder of the stored maps")


def map_(args: argparse.Namespace) -> int:
    from rnnclf.inspection.projection import compute, write

    root = Path(args.root)
    for name in args.checkpoint or list_checkpoints(root):
        checkpoint = load_checkpoint(name, root)
        for method in args.method:
            started = time.perf_counter()
            path = write(compute(checkpoint, method), Path(args.out))
            print(f"{name} {method}: {time.perf_counter() - started:.1f} s; wrote {path}")
    return 0
