"""The commands that make a checkpoint travel: `card` writes its model card beside its files."""

from __future__ import annotations

import argparse
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
