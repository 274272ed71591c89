"""The commands that train and publish checkpoints: train, baseline, ablation. Each imports its training stack
(tqdm, torch's optimizers, scikit-learn) only when it runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnclf.checkpoints.registry import read_records
from rnnclf.checkpoints.storage import Folder
from rnnclf.cli import options
from rnnclf.cli.command import UsageError
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.data.dataset import DataError
from rnnclf.data.registry import get_dataset
from rnnclf.models.approaches import APPROACHES
from rnnclf.reporting.style import percent
from rnnclf.training.distributed import is_main
from rnnclf.training.jobs import (
    ALL,
    BASELINE,
    BEST_RECIPE,
    CHOICES,
    JobError,
    checkpoint_name,
    jobs_for,
    run_job,
    run_jobs,
)


def _published(name: str, folder: Path) -> str:
    """The line a training command ends with: the test accuracy the fresh checkpoint stored, and where it is."""
    return f"{name}: test accuracy {percent(read_records(Folder(folder))[1].test.accuracy)}, saved to {folder}"


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _known(dataset: str) -> None:
    """A dataset that is not there is the user's mistake: exit 2 before anything is trained."""
    try:
        get_dataset(dataset)
    except DataError as error:
        raise UsageError(f"{error}; `python -m rnnclf data list` lists the datasets") from None


def train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--approach",
        nargs="+",
        required=True,
        choices=CHOICES,
        metavar="APPROACH",
        help=f"one or more of: {', '.join(APPROACHES)}, {BASELINE}; or {ALL} (the tutorial's five, {BEST_RECIPE} "
        f"and {BASELINE})",
    )
    options.training_data(parser)
    parser.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="train N at once, in separate processes, one thread each"
    )
    parser.add_argument("--epochs", type=int, help="default: the tutorial's number of optimizer steps")
    options.seed(parser, "the weights, the batch order and the validation split")
    options.max_rows(parser)
    parser.add_argument("--sparse", action="store_true", help="sparse embedding gradients (SparseAdam)")
    options.threads(parser)
    parser.add_argument(
        "--out", help=f"parent folder of the checkpoints (default {CHECKPOINT_DIR}); each is named NAME-APPROACH"
    )
    options.quiet(parser)


def train(args: argparse.Namespace) -> int:
    """Each checkpoint is printed as it is published; with --jobs, once all are (in the order asked)."""
    _known(args.dataset)
    if args.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {args.jobs}")
    jobs = jobs_for(
        args.approach,
        args.dataset,
        _path(args.out),
        train_path=_path(args.train),
        test_path=_path(args.test),
        epochs=args.epochs,
        seed=args.seed,
        max_rows=args.max_rows,
        sparse=args.sparse,
        threads=args.threads,
        progress=not args.quiet,
    )
    if args.jobs > 1:
        try:
            folders = run_jobs(jobs, args.jobs)
        except JobError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for job, folder in zip(jobs, folders):
            print(_published(job.out.name, folder))
        return 0
    for job in jobs:
        folder = run_job(job)
        if is_main():  # under torchrun, one line from rank 0
            print(_published(job.out.name, folder))
    return 0


def baseline_arguments(parser: argparse.ArgumentParser) -> None:
    options.training_data(parser)
    options.seed(parser, "the validation split")
    options.max_rows(parser)
    parser.add_argument(
        "--out",
        help=f"the checkpoint folder (default {CHECKPOINT_DIR / BASELINE}, or NAME-{BASELINE} for dataset NAME)",
    )


def baseline(args: argparse.Namespace) -> int:
    from rnnclf.training.tfidf import run

    _known(args.dataset)
    folder = run(
        out=Path(args.out) if args.out else CHECKPOINT_DIR / checkpoint_name(args.dataset, BASELINE),
        train_path=_path(args.train),
        test_path=_path(args.test),
        seed=args.seed,
        max_rows=args.max_rows,
        dataset=args.dataset,
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
