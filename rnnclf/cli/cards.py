"""The commands that make a checkpoint travel: `card` writes its model card beside its files, `export` writes
it as an ONNX graph with a standalone predict.py."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rnnclf.checkpoints.registry import list_checkpoints, load_checkpoint
from rnnclf.cli import options
from rnnclf.cli.command import UsageError
from rnnclf.core.paths import REPORT_DIR


def card_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="*", help="checkpoints under --root (default: every one)")
    options.root(parser)
    parser.add_argument("--reports", default=str(REPORT_DIR), help="the folder of behavior.json and faithfulness.json")


def card(args: argparse.Namespace) -> int:
    from rnnclf.reporting.cards import write

    root = Path(args.root)
    every = list_checkpoints(root)
    unknown = [name for name in args.name if name not in every]
    if unknown:
        raise UsageError(f"no checkpoint {', '.join(unknown)} under {root}")
    loaded = [load_checkpoint(name, root) for name in every]
    for checkpoint in loaded:
        if not args.name or checkpoint.name in args.name:
            print(write(checkpoint, loaded, Path(args.reports)))
    return 0


FORMATS = ("onnx",)


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="a checkpoint under --root, or a folder path")
    parser.add_argument("--format", choices=FORMATS, default=FORMATS[0], help="what to write")
    parser.add_argument("--out", required=True, help="the folder to write (replaced whole if it holds an export)")
    options.root(parser)


def export(args: argparse.Namespace) -> int:
    from rnnclf.export.writer import ExportError
    from rnnclf.export.writer import export as write_export

    checkpoint = load_checkpoint(args.name, Path(args.root))
    start = time.perf_counter()
    try:
        found = write_export(checkpoint, Path(args.out))
    except ExportError as error:
        raise UsageError(str(error)) from None
    print(
        f"{checkpoint.name}: wrote {args.out} in {time.perf_counter() - start:.1f} s; on the {found.rows:,} test texts "
        f"onnxruntime's probabilities are within {found.max_abs_difference:.1e} of the model's (tolerance "
        f"{found.tolerance:g}), same class on {found.same_class:,}"
    )
    return 0
