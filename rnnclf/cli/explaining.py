"""The commands that explain predictions: explain (one text's word scores by each method) and faithfulness
(how well each method's scores track the model, over test texts). Captum loads only when a method that
needs it runs (rnnclf.explain.methods)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from rnnclf.checkpoints.registry import list_checkpoints, load_classifier
from rnnclf.cli import options
from rnnclf.cli.command import UsageError
from rnnclf.cli.reports import select
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.data.registry import reports_of
from rnnclf.explain import faithfulness as faithfulness_report
from rnnclf.explain.lime import DEFAULT_SAMPLES
from rnnclf.explain.methods import ALL, CLI_CHOICES, Attribution, attribute
from rnnclf.reporting.style import percent


def explain_arguments(parser: argparse.ArgumentParser) -> None:
    options.checkpoint(parser)
    options.text(parser)
    parser.add_argument(
        "--method", default=ALL, choices=CLI_CHOICES, help=f"one method, or {ALL}: every one the model can run"
    )
    parser.add_argument("--label", help="the class to explain (default: the predicted one)")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, help="LIME's and KernelSHAP's samples")
    options.seed(parser, "LIME's and KernelSHAP's samples")
    parser.add_argument("--top", type=int, default=10, help="words printed per method (all of them with --json)")
    options.json(parser, "every method's word scores")


def explain(args: argparse.Namespace) -> int:
    if args.text is None or not args.text.strip():
        raise UsageError("--text is empty: give some news text to explain")
    classifier = load_classifier(args.checkpoint)
    label = None
    if args.label is not None:
        if args.label not in classifier.classes:
            raise UsageError(f"--label {args.label!r} is not one of {', '.join(classifier.classes)}")
        label = classifier.classes.index(args.label)
    methods = None if args.method == ALL else (args.method,)  # None: every method the model can run
    try:
        results = attribute(classifier, args.text, methods, label, samples=args.samples, seed=args.seed)
    except ValueError as error:
        raise UsageError(f"nothing to explain: {error}") from None
    if args.json:
        print(json.dumps(explain_json(classifier.name, classifier.classes, results)))
        return 0
    for result in results:
        extra = f", completeness gap {result.delta:+.4f}" if result.delta is not None else ""
        print(
            f"{result.title} for {classifier.classes[result.label]} ({classifier.name}, "
            f"P = {percent(result.probability)}, {result.seconds:.2f}s{extra})"
        )
        for word, value in sorted(zip(result.features, result.scores), key=lambda item: -abs(item[1]))[: args.top]:
            print(f"  {value:+.4f}  {word}")
    return 0


def explain_json(name: str, classes: Sequence[str], results: Sequence[Attribution]) -> dict:
    """The word scores of each method, as `explain --json` prints them."""
    return {
        "checkpoint": name,
        "class": classes[results[0].label],
        "probability": results[0].probability,
        "methods": [
            {
                "method": r.method,
                "title": r.title,
                "seconds": r.seconds,
                "completeness_gap": r.delta,
                "words": [{"word": w, "score": v} for w, v in zip(r.features, r.scores)],
            }
            for r in results
        ],
    }


def faithfulness_arguments(parser: argparse.ArgumentParser) -> None:
    options.selection(parser, "checkpoints/")
    parser.add_argument("--samples", type=int, default=faithfulness_report.SAMPLES, help="test texts per checkpoint")
    options.seed(parser, "the test texts drawn, the random orders and the methods' samples")
    options.dataset_filter(parser)
    parser.add_argument("--out", help="the report folder (default: reports/, or reports/NAME/ for --dataset NAME)")


def faithfulness(args: argparse.Namespace) -> int:
    names = select(args.checkpoint or list_checkpoints(CHECKPOINT_DIR), CHECKPOINT_DIR, args.dataset)
    if args.samples < 1:
        raise UsageError("--samples must be at least 1")
    report = faithfulness_report.run(names, samples=args.samples, seed=args.seed)
    md, js = faithfulness_report.write(report, Path(args.out) if args.out else reports_of(args.dataset))
    print(f"wrote {md} and {js} in {report.seconds / 60:.1f} min")
    return 0
