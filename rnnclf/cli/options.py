"""The options several commands share, each declared once: one builder per meaning of an option's name.

`--checkpoint` means one checkpoint to load (`checkpoint`), several to load (`checkpoints`), or the ones to run
on, every one when left out (`selection`); `--markdown` prints Markdown (`markdown`) or writes it to a file
(`markdown_file`). `tests/unit/cli/test_table.py` checks each command's parse results.
"""

from __future__ import annotations

import argparse

from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.data.registry import AG_NEWS


def checkpoint(parser: argparse.ArgumentParser) -> None:
    """The one checkpoint a command loads."""
    parser.add_argument("--checkpoint", required=True, help="name under checkpoints/ or a folder path")


def checkpoints(parser: argparse.ArgumentParser, required: bool) -> None:
    """The checkpoints a command loads, in the order given."""
    parser.add_argument(
        "--checkpoint", nargs="+", required=required, default=[], help="names under checkpoints/ or folder paths"
    )


def selection(parser: argparse.ArgumentParser, under: str) -> None:
    """The checkpoints a report covers, named under the folder `under` says; every checkpoint when left out."""
    parser.add_argument("--checkpoint", nargs="+", help=f"names under {under} (default: every checkpoint)")


def root(parser: argparse.ArgumentParser) -> None:
    """The folder of checkpoints a command lists and loads by name."""
    parser.add_argument("--root", default=str(CHECKPOINT_DIR))


def text(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", help="the news text")


def json(parser: argparse.ArgumentParser, what: str) -> None:
    """Print `what` as JSON instead of text."""
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def markdown(parser: argparse.ArgumentParser, report: str) -> None:
    """Print Markdown instead of aligned text: the form `report`, a file in reports/, is written in."""
    parser.add_argument("--markdown", action="store_true", help=f"print Markdown ({report} is written so)")


def markdown_file(parser: argparse.ArgumentParser, report: str) -> None:
    """Also write the printed table, as Markdown, to a file (`report` is written so)."""
    parser.add_argument("--markdown", metavar="PATH", help=f"also write the table there ({report})")


def dataset(parser: argparse.ArgumentParser, what: str) -> None:
    """The dataset (`rnnclf data list`) a command works on; `what` says what of it."""
    parser.add_argument(
        "--dataset", default=AG_NEWS, metavar="NAME", help=f"{what} (default {AG_NEWS}; see `data list`)"
    )


def dataset_filter(parser: argparse.ArgumentParser) -> None:
    """Only the checkpoints trained on one dataset (`select`); left out, every checkpoint as before."""
    parser.add_argument(
        "--dataset", metavar="NAME", help="only the checkpoints trained on this dataset (see `data list`)"
    )


def training_data(parser: argparse.ArgumentParser) -> None:
    """The dataset a training command fits on and reports its final metrics on, or other files labelled alike."""
    dataset(parser, "the dataset to train on and test")
    parser.add_argument("--train", help="training CSV labelled as the dataset's (default: its training split)")
    parser.add_argument("--test", help="test CSV for the final metrics (default: the dataset's test split)")


def max_rows(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-rows", type=int, help="use only the first N training rows (smoke runs)")


def seed(parser: argparse.ArgumentParser, what: str) -> None:
    """The seed of a command's random draws; `what` says which they are."""
    parser.add_argument("--seed", type=int, default=0, help=f"seeds {what}")


def threads(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default 1, or RNNCLF_THREADS)")


def quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
