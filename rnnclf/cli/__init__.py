"""The news classifiers' command line: `python -m rnnclf COMMAND`, where COMMAND is one of data, train, baseline,
ablation, evaluate, predict, explain, faithfulness, summary, calibrate, compare, report, behave, card, export,
label-issues, map, scope, neighbors;
`python -m rnnclf COMMAND --help` lists its options.

Each command is one row of `COMMANDS`: its name, its line in `--help`, the function that runs it and the one
that adds its options. The functions live in the module of their group (training, scoring, explaining,
reports); the options several commands share are declared once, in `options`. The parser and `--help` are
built from the table; `tests/unit/cli/test_table.py` checks that `--help` and the line above list every
command.
"""

from __future__ import annotations

import argparse
import sys

from rnnclf.checkpoints.storage import CheckpointError
from rnnclf.cli import cards, data, explaining, inspection, reports, scope, scoring, training
from rnnclf.cli.command import Command, UsageError
from rnnclf.core.runtime import configure_threads
from rnnclf.data.dataset import DataError
from rnnclf.explain.methods import OFFERED
from rnnclf.scoring.batch import BatchError

COMMANDS: tuple[Command, ...] = (
    Command("data", "add your own labelled texts as a dataset; list or show datasets", data.data, data.data_arguments),
    Command(
        "train",
        "train approaches and publish their checkpoints",
        training.train,
        training.train_arguments,
        sets_threads=True,
    ),
    Command(
        "baseline",
        "train TF-IDF + logistic regression on the same rows; publish it",
        training.baseline,
        training.baseline_arguments,
    ),
    Command(
        "ablation",
        "train every improved approach; write reports/ablation.md and .json",
        training.ablation,
        training.ablation_arguments,
    ),
    Command("evaluate", "metrics of a checkpoint on a labelled CSV", scoring.evaluate, scoring.evaluate_arguments),
    Command("predict", "classify a text, or every row of a CSV", scoring.predict, scoring.predict_arguments),
    Command(
        "explain",
        f"word scores of one text by {OFFERED}",
        explaining.explain,
        explaining.explain_arguments,
    ),
    Command(
        "faithfulness",
        "score every method's faithfulness; write reports/faithfulness.md",
        explaining.faithfulness,
        explaining.faithfulness_arguments,
    ),
    Command("summary", "one row per checkpoint", reports.summary, reports.summary_arguments),
    Command(
        "calibrate",
        "fit temperature scaling on the validation split; store it in metrics.json",
        reports.calibrate,
        reports.calibrate_arguments,
    ),
    Command(
        "compare",
        "McNemar's exact test between checkpoints on the test split",
        reports.compare,
        reports.compare_arguments,
    ),
    Command(
        "report",
        "one self-contained HTML report: summary, intervals, calibration, significance",
        reports.report,
        reports.report_arguments,
    ),
    Command(
        "behave",
        "behavioural tests (MFT, INV, DIR); write reports/behavior.md and .json",
        reports.behave,
        reports.behave_arguments,
    ),
    Command("card", "write each checkpoint's model card, checkpoints/NAME/README.md", cards.card, cards.card_arguments),
    Command(
        "export",
        "write a checkpoint as an ONNX graph with a standalone predict.py",
        cards.export,
        cards.export_arguments,
    ),
    Command(
        "label-issues",
        "labels that are probably wrong (cleanlab); write reports/label_issues.md and .json",
        inspection.label_issues,
        inspection.label_issues_arguments,
    ),
    Command(
        "map",
        "each checkpoint's test split in 2-D (PCA, UMAP); store the coordinates in reports/maps/",
        inspection.map_,
        inspection.map_arguments,
    ),
    Command(
        "scope",
        "fit and store each checkpoint's out-of-scope threshold; write reports/scope.md and .json",
        scope.scope,
        scope.scope_arguments,
    ),
    Command(
        "neighbors",
        "the training texts nearest a text in a checkpoint's representation",
        scope.neighbors,
        scope.neighbors_arguments,
    ),
)
BY_NAME = {command.name: command for command in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    """One subcommand per row of the table, in its order."""
    parser = argparse.ArgumentParser(prog="python -m rnnclf", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.arguments(sub.add_parser(command.name, help=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 2 for bad input, 1 for a bad checkpoint or data file, 130 when
    interrupted (`tests/unit/cli/test_cli.py`)."""
    args = build_parser().parse_args(argv)
    command = BY_NAME[args.command]
    if not command.sets_threads:
        configure_threads()
    try:
        return command.run(args)
    except (UsageError, BatchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (CheckpointError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted: nothing was published or written; any previous checkpoint or output is untouched",
            file=sys.stderr,
        )
        return 130
