"""`python -m rnnclf train | evaluate | predict | summary`: thin argument parsing over the package."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .approaches import APPROACHES, get_approach
from .checkpoints import CHECKPOINT_DIR, CheckpointError, load_classifier, summary_rows
from .data import TEST_PATH, TRAIN_PATH, DataError, read_csv
from .evaluate import evaluate, format_report
from .runtime import configure_threads


class UsageError(Exception):
    """Bad input from the command line: exit status 2, a message, no traceback."""


def cmd_train(args: argparse.Namespace) -> int:
    from .train import run  # imports tqdm and the training stack only when training

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
        metrics = json.loads((folder / "metrics.json").read_text())
        print(f"{approach_id}: test accuracy {metrics['test']['accuracy']:.2%}, saved to {folder}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    classifier = load_classifier(args.checkpoint)
    metrics, _ = evaluate(classifier, read_csv(args.data))
    print(json.dumps(metrics, indent=2) if args.json else format_report(classifier.name, metrics))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    if args.text is None or not args.text.strip():
        raise UsageError("--text is empty: give some news text to classify")
    classifier = load_classifier(args.checkpoint)
    probabilities = classifier.predict_proba([args.text])[0]
    label = classifier.classes[int(probabilities.argmax())]
    if args.json:
        print(json.dumps({"checkpoint": classifier.name, "label": label,
                          "probabilities": dict(zip(classifier.classes, map(float, probabilities)))}))
    else:
        print(f"{label}  ({classifier.name})")
        for name, p in zip(classifier.classes, probabilities):
            print(f"  {name:<10} {p:7.2%}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    rows = summary_rows(Path(args.root))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'checkpoint':<12} {'test acc':>9} {'tutorial':>9} {'rows':>7} {'epochs':>6} {'params':>10} {'train s':>8}  title")
    for r in rows:
        if "error" in r:
            print(f"{r['checkpoint']:<12} ERROR: {r['error']}")
            continue
        tutorial = f"{r['tutorial_accuracy']:.2f}%" if r["tutorial_accuracy"] is not None else "-"
        print(
            f"{r['checkpoint']:<12} {r['test_accuracy']:>8.2f}% {tutorial:>9} {r['training_rows']:>7} "
            f"{r['epochs'] or '-':>6} {r['parameters']:>10,} {r['training_seconds'] or 0:>8.0f}  {r['title']}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rnnclf", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train approaches and publish their checkpoints")
    train.add_argument("--approach", nargs="+", required=True, choices=sorted(APPROACHES), metavar="APPROACH",
                       help=f"one or more of: {', '.join(APPROACHES)}")
    train.add_argument("--train", default=str(TRAIN_PATH), help="training CSV (3- or 2-column, .gz ok)")
    train.add_argument("--test", default=str(TEST_PATH), help="test CSV for the final metrics")
    train.add_argument("--epochs", type=int, help="default: the tutorial's number of optimizer steps")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--max-rows", type=int, help="use only the first N training rows (smoke runs)")
    train.add_argument("--sparse", action="store_true", help="sparse embedding gradients (SparseAdam)")
    train.add_argument("--threads", type=int, help="torch intra-op threads (default 1, or RNNCLF_THREADS)")
    train.add_argument("--out", help=f"parent folder of the checkpoint (default {CHECKPOINT_DIR})")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(func=cmd_train)

    ev = sub.add_parser("evaluate", help="metrics of a checkpoint on a labelled CSV")
    ev.add_argument("--checkpoint", required=True, help="name under checkpoints/ or a folder path")
    ev.add_argument("--data", default=str(TEST_PATH))
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_evaluate)

    pr = sub.add_parser("predict", help="classify a text")
    pr.add_argument("--checkpoint", required=True, help="name under checkpoints/ or a folder path")
    pr.add_argument("--text", help="the news text")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_predict)

    sm = sub.add_parser("summary", help="one row per checkpoint")
    sm.add_argument("--root", default=str(CHECKPOINT_DIR))
    sm.add_argument("--json", action="store_true")
    sm.set_defaults(func=cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "train":
        configure_threads()
    try:
        return args.func(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (CheckpointError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
