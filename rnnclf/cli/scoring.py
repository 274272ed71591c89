"""The commands that score texts with checkpoints: predict (one text, or every row of a file of any size) and
evaluate (metrics on a labelled CSV)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from rnnclf.checkpoints.registry import load_checkpoint, load_classifier
from rnnclf.checkpoints.storage import PREDICTIONS, predictions_bytes, republish, resolve
from rnnclf.cli import options
from rnnclf.cli.command import UsageError
from rnnclf.data.dataset import read_csv
from rnnclf.evaluation.metrics import evaluate as metrics_of
from rnnclf.evaluation.metrics import format_report
from rnnclf.reporting.style import percent
from rnnclf.scope.record import Verdict, load_scope, predict_and_score
from rnnclf.scoring.stream import CHUNK_ROWS, ON_BAD, score_file

NO_SCOPE = "no scope stored (python -m rnnclf scope fits one): nothing says whether the text is like its training texts"


def evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    options.checkpoint(parser)
    parser.add_argument("--data", help="a labelled CSV (default: the test split of the checkpoint's dataset)")
    options.json(parser, "the metrics")
    parser.add_argument(
        "--store",
        action="store_true",
        help="store the test-split probabilities beside the checkpoint (for the error explorer)",
    )


def evaluate(args: argparse.Namespace) -> int:
    checkpoint = load_checkpoint(args.checkpoint)
    test = checkpoint.dataset.test.location
    data = Path(args.data) if args.data else test
    metrics, probabilities = metrics_of(checkpoint.classifier, read_csv(data))
    if args.store:
        if data.resolve() != test.resolve():
            raise UsageError(
                f"--store keeps predictions for {checkpoint.dataset.display_title}'s test split only; drop --data"
            )
        if metrics.accuracy != checkpoint.test_accuracy:
            stored = "none" if checkpoint.test_accuracy is None else percent(checkpoint.test_accuracy, 4)
            raise UsageError(
                f"re-evaluation gives {percent(metrics.accuracy, 4)}, metrics.json says "
                f"{stored}: not storing predictions that disagree"
            )
        republish(checkpoint.folder, {PREDICTIONS: predictions_bytes(probabilities)})
    print(json.dumps(asdict(metrics), indent=2) if args.json else format_report(checkpoint.name, metrics))
    return 0


def predict_arguments(parser: argparse.ArgumentParser) -> None:
    options.checkpoints(parser, required=True)
    options.text(parser)
    parser.add_argument("--input", help="a file to score, of any size: CSV (UTF-8, header row), JSON Lines or Parquet")
    parser.add_argument("--column", help="the file's text column (default: 'text', else the longest)")
    parser.add_argument(
        "--output", help="the scored table: .csv, .jsonl or .parquet, written when complete (default: CSV to stdout)"
    )
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS, help="rows read and scored at a time")
    parser.add_argument(
        "--bad-rows",
        choices=ON_BAD,
        default="stop",
        help="a malformed row (wrong field count, broken quoting or JSON): stop at it, or skip and count it",
    )
    options.quiet(parser)
    parser.add_argument("--engine", choices=("local", "dask"), default="local", help="score --input here, or on Dask")
    parser.add_argument(
        "--address", help="--engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a local one)"
    )
    parser.add_argument(
        "--workers", type=int, help="--engine dask without --address: local worker processes (default: cores)"
    )
    options.json(parser, "the predictions of --text")


def predict(args: argparse.Namespace) -> int:
    if args.input:
        return _predict_file(args)
    if args.text is None or not args.text.strip():
        raise UsageError("--text is empty: give some news text to classify (or --input FILE.csv)")
    results = []
    for name in args.checkpoint:
        classifier = load_classifier(name)
        scope = load_scope(resolve(name))
        found, scores = predict_and_score(classifier, [args.text], scope)
        probabilities = found[0]
        label = classifier.classes[int(probabilities.argmax())]
        verdict = scope.verdict(float(scores[0])) if scope else None
        results.append(
            {
                "checkpoint": classifier.name,
                "label": label,
                "probabilities": dict(zip(classifier.classes, map(float, probabilities))),
                "scope": asdict(verdict) if verdict else None,  # None: the checkpoint stores no scope
            }
        )
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results))
        return 0
    for result in results:
        print(f"{result['label']}  ({result['checkpoint']})")
        for name, p in result["probabilities"].items():
            print(f"  {name:<10} {percent(p).rjust(7)}")
        print(f"  {scope_line(Verdict(**result['scope'])) if result['scope'] else NO_SCOPE}")
    return 0


def scope_line(verdict: Verdict) -> str:
    """One line on whether the text is like the checkpoint's training texts."""
    where = "OUTSIDE the scope" if verdict.outside else "inside the scope"
    relation = ">" if verdict.outside else "<="
    meaning = ": unlike its training texts, so the label above means little" if verdict.outside else ""
    return f"{where} ({verdict.method} score {verdict.score:.4g} {relation} threshold {verdict.threshold:.4g}){meaning}"


def _predict_file(args: argparse.Namespace) -> int:
    """Score every row of a file with one or more checkpoints, streamed in chunks; write the table (CSV, JSON
    Lines or Parquet, by the output's suffix)."""
    classifiers = [load_classifier(name) for name in args.checkpoint]  # checked here, whatever the engine
    scopes = [load_scope(resolve(name)) for name in args.checkpoint]
    output = Path(args.output) if args.output else None
    with ExitStack() as stack:
        scorer = None
        if args.engine == "dask":
            from rnnclf.scoring.cluster import dask_scorer  # the optional engine (requirements-scale.txt)

            scorer = stack.enter_context(dask_scorer(args.checkpoint, args.address, args.workers))
        report = score_file(
            Path(args.input),
            output,
            classifiers,
            column=args.column,
            chunk_rows=args.chunk_rows,
            on_bad=args.bad_rows,
            progress=not args.quiet,
            scorer=scorer,
            scopes=scopes,
        )
    names = ", ".join(c.name for c in classifiers)
    print(f"{report.describe()} with {names}" + (f" -> {output}" if output else ""), file=sys.stderr)
    return 0
