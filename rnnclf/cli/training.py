"""The commands that train and publish checkpoints: train, baseline, ablation. Each imports its training stack
(tqdm, torch's optimizers, scikit-learn) only when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnclf.checkpoints.registry import read_records
from rnnclf.checkpoints.storage import Folder
from rnnclf.cli import options
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.models.approaches import APPROACHES, get_approach
from rnnclf.reporting.style import percent
from rnnclf.training.distributed import is_main


def _published(name: str, folder: Path) -> str:
    """The line a training command ends with: the test accuracy the fresh checkpoint stored, and where it is."""
    return f"{name}: test accuracy {percent(read_records(Folder(folder))[1].test.accuracy)}, saved to {folder}"


def train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--approach",
        nargs="+",
        required=True,
        choices=sorted(APPROACHES),
        metavar="APPROACH",
        help=f"one or more of: {', '.join(APPROACHES)}",
    )
    options.training_data(parser)
    parser.add_argument("--epochs", type=int, help="default: the tutorial's number of optimizer steps")
    options.seed(parser, "the weights, the batch order and the validation split")
    options.max_rows(parser)
    parser.add_argument("--sparse", action="store_true", help="sparse embedding gradients (SparseAdam)")
    options.threads(parser)
    parser.add_argument("--out", help=f"parent folder of the checkpoint (default {CHECKPOINT_DIR})")
    options.quiet(parser)


def train(args: argparse.Namespace) -> int:
    from rnnclf.training.recurrent import run

    for approach_id in args.approach:
        folder = run(
            get_approach(approach_id),
            out=Path(args.out) / approach_id if args.out else None,
            train_path=Path(args.train),
            test_path=Path(args.test),
            epochs=args.epochs,
            seed=args.seed,
            max_rows=args.max_rows,
            sparse=args.sparse,
            threads=args.threads,
            progress=not args.quiet,
        )
        if is_main():  # under torchrun, one line from rank 0
            print(_published(approach_id, folder))
    return 0


def baseline_arguments(parser: argparse.ArgumentParser) -> None:
    options.training_data(parser)
    options.seed(parser, "the validation split")
    options.max_rows(parser)
    parser.add_argument("--out", help=f"the checkpoint folder (default {CHECKPOINT_DIR / 'tfidf_lr'})")


def baseline(args: argparse.Namespace) -> int:
    from rnnclf.training.tfidf import run

    folder = run(
        out=Path(args.out) if args.out else None,
        train_path=Path(args.train),
        test_path=Path(args.test),
        seed=args.seed,
        max_rows=args.max_rows,
    )
    print(_published(folder.name, folder))
    return 0


def ablation_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--publish",
        type=int,
        default=0,
        metavar="N",
        help="copy the N variants with the best validation accuracy into checkpoints/",
    )
    options.threads(parser)
    options.quiet(parser)


def ablation(args: argparse.Namespace) -> int:
    from rnnclf.core.paths import REPORT_DIR
    from rnnclf.training.ablation import publish_best, run_ablation

    report = run_ablation(threads=args.threads, progress=not args.quiet)
    print(f"wrote {REPORT_DIR / 'ablation.md'} and {REPORT_DIR / 'ablation.json'}")
    for name in publish_best(report, args.publish):
        print(f"published checkpoints/{name}")
    return 0
