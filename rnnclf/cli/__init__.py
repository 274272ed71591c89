"""`python -m rnnclf train | baseline | ablation | evaluate | predict | summary`: thin argument parsing."""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

import numpy as np

from rnnclf.checkpoints.registry import (
    SummaryRow,
    list_checkpoints,
    load_checkpoint,
    load_classifier,
    read_records,
    summary_rows,
)
from rnnclf.checkpoints.storage import PREDICTIONS, CheckpointError, Folder, predictions_bytes, republish
from rnnclf.core.paths import CHECKPOINT_DIR, PROJECT_ROOT
from rnnclf.core.runtime import configure_threads
from rnnclf.data.dataset import TEST_PATH, TRAIN_PATH, DataError, read_csv
from rnnclf.evaluation.metrics import evaluate, format_report
from rnnclf.evaluation.significance import RESAMPLES, SEED, Interval, intervals, significance_report
from rnnclf.models.approaches import APPROACHES, get_approach
from rnnclf.scoring.batch import BatchError
from rnnclf.scoring.stream import CHUNK_ROWS, ON_BAD, score_file
from rnnclf.training.distributed import is_main


class UsageError(Exception):
    """Bad input from the command line: exit status 2, a message, no traceback."""


def cmd_train(args: argparse.Namespace) -> int:
    from rnnclf.training.recurrent import run  # imports tqdm and the training stack only when training

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
            print(f"{approach_id}: test accuracy {_test_accuracy(folder):.2%}, saved to {folder}")
    return 0


def _test_accuracy(folder: Path) -> float:
    """The test accuracy a freshly published checkpoint stored."""
    return read_records(Folder(folder))[1].test.accuracy


def cmd_baseline(args: argparse.Namespace) -> int:
    from rnnclf.training.tfidf import run  # imports scikit-learn only when training the baseline

    folder = run(
        out=Path(args.out) if args.out else None,
        train_path=Path(args.train),
        test_path=Path(args.test),
        seed=args.seed,
        max_rows=args.max_rows,
    )
    print(f"{folder.name}: test accuracy {_test_accuracy(folder):.2%}, saved to {folder}")
    return 0


def cmd_ablation(args: argparse.Namespace) -> int:
    from rnnclf.core.paths import REPORT_DIR
    from rnnclf.training.ablation import publish_best, run_ablation

    report = run_ablation(threads=args.threads, progress=not args.quiet)
    print(f"wrote {REPORT_DIR / 'ablation.md'} and {REPORT_DIR / 'ablation.json'}")
    for name in publish_best(report, args.publish):
        print(f"published checkpoints/{name}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    checkpoint = load_checkpoint(args.checkpoint)
    metrics, probabilities = evaluate(checkpoint.classifier, read_csv(args.data))
    if args.store:
        if Path(args.data).resolve() != TEST_PATH.resolve():
            raise UsageError("--store keeps predictions for the committed test split only; drop --data")
        if metrics.accuracy != checkpoint.test_accuracy:
            stored = "none" if checkpoint.test_accuracy is None else f"{checkpoint.test_accuracy:.4%}"
            raise UsageError(
                f"re-evaluation gives {metrics.accuracy:.4%}, metrics.json says "
                f"{stored}: not storing predictions that disagree"
            )
        republish(checkpoint.folder, {PREDICTIONS: predictions_bytes(probabilities)})
    print(json.dumps(asdict(metrics), indent=2) if args.json else format_report(checkpoint.name, metrics))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    if args.input:
        return predict_file(args)
    if args.text is None or not args.text.strip():
        raise UsageError("--text is empty: give some news text to classify (or --input FILE.csv)")
    results = []
    for name in args.checkpoint:
        classifier = load_classifier(name)
        probabilities = classifier.predict_proba([args.text])[0]
        label = classifier.classes[int(probabilities.argmax())]
        results.append(
            {
                "checkpoint": classifier.name,
                "label": label,
                "probabilities": dict(zip(classifier.classes, map(float, probabilities))),
            }
        )
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results))
        return 0
    for result in results:
        print(f"{result['label']}  ({result['checkpoint']})")
        for name, p in result["probabilities"].items():
            print(f"  {name:<10} {p:7.2%}")
    return 0


def predict_file(args: argparse.Namespace) -> int:
    """Score every row of a file with one or more checkpoints, streamed in chunks; write the table (CSV, JSON
    Lines or Parquet, by the output's suffix)."""
    classifiers = [load_classifier(name) for name in args.checkpoint]  # checked here, whatever the engine
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
        )
    names = ", ".join(c.name for c in classifiers)
    print(f"{report.describe()} with {names}" + (f" -> {output}" if output else ""), file=sys.stderr)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from rnnclf.explain.methods import METHODS, attribute

    if args.text is None or not args.text.strip():
        raise UsageError("--text is empty: give some news text to explain")
    classifier = load_classifier(args.checkpoint)
    label = None
    if args.label is not None:
        if args.label not in classifier.classes:
            raise UsageError(f"--label {args.label!r} is not one of {', '.join(classifier.classes)}")
        label = classifier.classes.index(args.label)
    methods = METHODS if args.method == "all" else (args.method,)
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
            f"P = {result.probability:.2%}, {result.seconds:.2f}s{extra})"
        )
        for word, value in sorted(zip(result.features, result.scores), key=lambda item: -abs(item[1]))[: args.top]:
            print(f"  {value:+.4f}  {word}")
    return 0


def explain_json(name: str, classes: tuple[str, ...], results) -> dict:
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


def cmd_faithfulness(args: argparse.Namespace) -> int:
    from rnnclf.checkpoints.registry import list_checkpoints
    from rnnclf.explain import faithfulness

    names = args.checkpoint or list_checkpoints(CHECKPOINT_DIR)
    if args.samples < 1:
        raise UsageError("--samples must be at least 1")
    report = faithfulness.run(names, samples=args.samples, seed=args.seed)
    md, js = faithfulness.write(report, Path(args.out) if args.out else faithfulness.REPORT_DIR)
    print(f"wrote {md} and {js} in {report.seconds / 60:.1f} min")
    return 0


SUMMARY_COLUMNS = (  # SummaryRow field, header, format
    ("checkpoint", "checkpoint", "{}"),
    ("test_accuracy", "test acc %", "{:.2%}"),
    ("tutorial_accuracy", "tutorial %", "{:.2%}"),
    ("training_rows", "train rows", "{:,}"),
    ("epochs", "epochs", "{}"),
    ("parameters", "parameters", "{:,}"),
    ("training_seconds", "train s", "{:.0f}"),
    ("title", "title", "{}"),
)


def _cell(value: object, fmt: str) -> str:
    return "-" if value is None else fmt.format(value).removesuffix("%")


def summary_table(rows: list[SummaryRow], markdown: bool) -> str:
    """The summary rows as aligned text, or as a Markdown table for reports."""
    header = [title for _, title, _ in SUMMARY_COLUMNS]
    cells = [
        [r.checkpoint, f"ERROR: {r.error}", *[""] * (len(header) - 2)]
        if r.error
        else [_cell(getattr(r, key), fmt) for key, _, fmt in SUMMARY_COLUMNS]
        for r in rows
    ]
    if markdown:
        lines = [header, ["---"] + ["---:"] * (len(header) - 2) + ["---"], *cells]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) + "  " + row[-1]
        for row in [header, *cells]
    )


def _checkpoint_intervals(root: Path, rows: list[SummaryRow]) -> dict[str, tuple[Interval, Interval]]:
    """Bootstrap intervals of each checkpoint whose stored predictions cover the committed test split."""
    labels = read_csv(TEST_PATH).labels
    result = {}
    for row in rows:
        if row.error is None:
            checkpoint = load_checkpoint(row.checkpoint, root)
            predictions = checkpoint.test_predictions
            if predictions is not None and len(predictions) == len(labels):
                result[row.checkpoint] = intervals(labels, predictions.argmax(1), predictions.shape[1])
    return result


def intervals_table(found: dict[str, tuple[Interval, Interval]], markdown: bool) -> str:
    """Accuracy and macro-F1 with their 95 % bootstrap intervals, one line per checkpoint."""
    title = f"95 % bootstrap intervals on the test split ({RESAMPLES:,} resamples, seed {SEED})"
    header = ["checkpoint", "test acc %", "95 % interval", "macro-F1", "95 % interval"]
    cells = [
        [name, f"{a.estimate:.2%}"[:-1], f"{a.low:.2%}"[:-1] + " – " + f"{a.high:.2%}"[:-1], f"{f.estimate:.4f}"]
        + [f"{f.low:.4f} – {f.high:.4f}"]
        for name, (a, f) in found.items()
    ]
    if markdown:
        lines = [header, ["---", "---:", "---:", "---:", "---:"], *cells]
        return f"{title}:\n\n" + "\n".join("| " + " | ".join(line) + " |" for line in lines)
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    table = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in [header, *cells]
    ]
    return "\n".join([f"{title}:", *table])


def cmd_summary(args: argparse.Namespace) -> int:
    rows = summary_rows(Path(args.root))
    found = _checkpoint_intervals(Path(args.root), rows)
    if args.json:
        bounds = {
            name: {"accuracy_low": a.low, "accuracy_high": a.high, "macro_f1": f.estimate}
            | {"macro_f1_low": f.low, "macro_f1_high": f.high}
            for name, (a, f) in found.items()
        }
        print(json.dumps([asdict(r) | bounds.get(r.checkpoint, {}) for r in rows], indent=2))
        return 0
    print(summary_table(rows, args.markdown))
    if found:
        print("\n" + intervals_table(found, args.markdown))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from rnnclf.evaluation.temperature import fit, store

    names = list_checkpoints(Path(args.root)) if args.all else args.checkpoint
    if not names:
        raise UsageError("give --checkpoint NAME [NAME ...] or --all")
    header = "| checkpoint | temperature | validation NLL before | after | test ECE before | after |"
    lines = [header, "|---|---:|---:|---:|---:|---:|"]
    for name in names:
        checkpoint = load_checkpoint(name, Path(args.root))
        calibration = fit(checkpoint)
        store(checkpoint, calibration)
        c = calibration
        lines.append(
            f"| {checkpoint.name} | {c.temperature:.3f} | {c.val_nll_before:.4f} | {c.val_nll_after:.4f} "
            f"| {c.test_ece_before:.2%} | {c.test_ece_after:.2%} |"
        )
        print(lines[-1], flush=True)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(
                f"Temperature scaling, fitted on each checkpoint's validation split; ECE over {c.bins} equal-width "
                "bins on the test split (`python -m rnnclf calibrate --all --markdown reports/calibration.md`).\n\n"
                + "\n".join(lines)
                + "\n"
            )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    names = args.checkpoints or list_checkpoints(Path(args.root))
    if len(names) < 2:
        raise UsageError("name two checkpoints (or none, for every pair)")
    labels = read_csv(TEST_PATH).labels
    predicted = {}
    for name in names:
        checkpoint = load_checkpoint(name, Path(args.root))
        predicted[checkpoint.name] = checkpoint.test_probabilities(read_csv(TEST_PATH)).argmax(1)
    print(significance_report(list(predicted), labels, np.stack(list(predicted.values())), args.markdown))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from rnnclf.reporting.html import build, probe

    checkpoints = [load_checkpoint(name, Path(args.root)) for name in list_checkpoints(Path(args.root))]
    if not checkpoints:
        raise UsageError(f"no checkpoints under {args.root}")
    empty = [text for text in args.probe if not text.strip()]
    if empty:
        raise UsageError("--probe is empty: give some news text to pin")
    pins = [probe(text, checkpoints, view="Probe (command line)") for text in args.probe]
    html = build(checkpoints, read_csv(TEST_PATH), pins)
    Path(args.out).write_text(html, encoding="utf-8")
    print(f"wrote {args.out} ({len(html) / 2**20:.1f} MB, {len(checkpoints)} checkpoints, {len(pins)} pinned texts)")
    return 0


def cmd_behave(args: argparse.Namespace) -> int:
    from rnnclf.behavior.report import behave

    started = time.perf_counter()
    report = behave(args.checkpoint or list_checkpoints(Path(args.root)), Path(args.root), Path(args.out))
    seconds = time.perf_counter() - started
    rates = {t.spec.name: {name: round(t.failure_rate(name), 4) for name in report.checkpoints} for t in report.tests}
    if args.json:
        print(json.dumps(rates, indent=2))
    else:
        width = max(map(len, rates))
        print(" " * width + "  " + "  ".join(name[:10].rjust(10) for name in report.checkpoints))
        for test, row in rates.items():
            print(test.ljust(width) + "  " + "  ".join(f"{rate:10.1%}" for rate in row.values()))
    out = Path(args.out)
    print(
        f"{len(report.tests)} tests, {report.cases:,} cases, {len(report.checkpoints)} checkpoints in "
        f"{seconds:.1f} s; wrote {out / 'behavior.md'} and {out / 'behavior.json'}",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rnnclf", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train approaches and publish their checkpoints")
    train.add_argument(
        "--approach",
        nargs="+",
        required=True,
        choices=sorted(APPROACHES),
        metavar="APPROACH",
        help=f"one or more of: {', '.join(APPROACHES)}",
    )
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

    bl = sub.add_parser("baseline", help="train TF-IDF + logistic regression on the same rows; publish it")
    bl.add_argument("--train", default=str(TRAIN_PATH), help="training CSV (3- or 2-column, .gz ok)")
    bl.add_argument("--test", default=str(TEST_PATH), help="test CSV for the final metrics")
    bl.add_argument("--seed", type=int, default=0, help="the validation split's seed")
    bl.add_argument("--max-rows", type=int, help="use only the first N training rows (smoke runs)")
    bl.add_argument("--out", help=f"the checkpoint folder (default {CHECKPOINT_DIR / 'tfidf_lr'})")
    bl.set_defaults(func=cmd_baseline)

    ab = sub.add_parser("ablation", help="train every improved approach; write reports/ablation.md and .json")
    ab.add_argument(
        "--publish",
        type=int,
        default=0,
        metavar="N",
        help="copy the N variants with the best validation accuracy into checkpoints/",
    )
    ab.add_argument("--threads", type=int, help="torch intra-op threads (default 1, or RNNCLF_THREADS)")
    ab.add_argument("--quiet", action="store_true", help="no progress bars")
    ab.set_defaults(func=cmd_ablation)

    ev = sub.add_parser("evaluate", help="metrics of a checkpoint on a labelled CSV")
    ev.add_argument("--checkpoint", required=True, help="name under checkpoints/ or a folder path")
    ev.add_argument("--data", default=str(TEST_PATH))
    ev.add_argument("--json", action="store_true")
    ev.add_argument(
        "--store",
        action="store_true",
        help="store the test-split probabilities beside the checkpoint (for the error explorer)",
    )
    ev.set_defaults(func=cmd_evaluate)

    pr = sub.add_parser("predict", help="classify a text, or every row of a CSV")
    pr.add_argument("--checkpoint", required=True, nargs="+", help="names under checkpoints/ or folder paths")
    pr.add_argument("--text", help="the news text")
    pr.add_argument("--input", help="a file to score, of any size: CSV (UTF-8, header row), JSON Lines or Parquet")
    pr.add_argument("--column", help="the file's text column (default: 'text', else the longest)")
    pr.add_argument(
        "--output", help="the scored table: .csv, .jsonl or .parquet, written when complete (default: CSV to stdout)"
    )
    pr.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS, help="rows read and scored at a time")
    pr.add_argument(
        "--bad-rows",
        choices=ON_BAD,
        default="stop",
        help="a malformed row (wrong field count, broken quoting or JSON): stop at it, or skip and count it",
    )
    pr.add_argument("--quiet", action="store_true", help="no progress bar")
    pr.add_argument("--engine", choices=("local", "dask"), default="local", help="score --input here, or on Dask")
    pr.add_argument("--address", help="--engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a local one)")
    pr.add_argument(
        "--workers", type=int, help="--engine dask without --address: local worker processes (default: cores)"
    )
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_predict)

    ex = sub.add_parser("explain", help="word scores of one text by LIME, Integrated Gradients, occlusion, KernelSHAP")
    ex.add_argument("--checkpoint", required=True, help="name under checkpoints/ or a folder path")
    ex.add_argument("--text", help="the news text")
    ex.add_argument("--method", default="all", choices=["lime", "ig", "occlusion", "shap", "linear", "all"])
    ex.add_argument("--label", help="the class to explain (default: the predicted one)")
    ex.add_argument("--samples", type=int, default=2000, help="LIME's and KernelSHAP's samples")
    ex.add_argument("--seed", type=int, default=0)
    ex.add_argument("--top", type=int, default=10, help="words printed per method (all of them with --json)")
    ex.add_argument("--json", action="store_true")
    ex.set_defaults(func=cmd_explain)

    fa = sub.add_parser("faithfulness", help="score every method's faithfulness; write reports/faithfulness.md")
    fa.add_argument("--checkpoint", nargs="+", help="names under checkpoints/ (default: all)")
    fa.add_argument("--samples", type=int, default=200, help="test texts per checkpoint")
    fa.add_argument("--seed", type=int, default=0)
    fa.add_argument("--out", help="the report folder (default: reports/)")
    fa.set_defaults(func=cmd_faithfulness)

    sm = sub.add_parser("summary", help="one row per checkpoint")
    sm.add_argument("--root", default=str(CHECKPOINT_DIR))
    sm.add_argument("--json", action="store_true")
    sm.add_argument("--markdown", action="store_true", help="a Markdown table (reports/summary.md is written so)")
    sm.set_defaults(func=cmd_summary)

    ca = sub.add_parser("calibrate", help="fit temperature scaling on the validation split; store it in metrics.json")
    ca.add_argument("--checkpoint", nargs="+", default=[], help="names under checkpoints/ or folder paths")
    ca.add_argument("--all", action="store_true", help="every checkpoint under --root")
    ca.add_argument("--root", default=str(CHECKPOINT_DIR))
    ca.add_argument("--markdown", metavar="PATH", help="also write the table there (reports/calibration.md)")
    ca.set_defaults(func=cmd_calibrate)

    co = sub.add_parser("compare", help="McNemar's exact test between checkpoints on the test split")
    co.add_argument("checkpoints", nargs="*", help="two names for one test; none for every pair")
    co.add_argument("--root", default=str(CHECKPOINT_DIR))
    co.add_argument("--markdown", action="store_true", help="Markdown (reports/significance.md is written so)")
    co.set_defaults(func=cmd_compare)

    rp = sub.add_parser("report", help="one self-contained HTML report: summary, intervals, calibration, significance")
    rp.add_argument("--out", required=True, help="the HTML file to write")
    rp.add_argument("--probe", action="append", default=[], metavar="TEXT", help="a text to pin (repeatable)")
    rp.add_argument("--root", default=str(CHECKPOINT_DIR))
    rp.set_defaults(func=cmd_report)

    be = sub.add_parser("behave", help="behavioural tests (MFT, INV, DIR); write reports/behavior.md and .json")
    be.add_argument("--checkpoint", nargs="+", help="names under --root (default: every checkpoint)")
    be.add_argument("--root", default=str(CHECKPOINT_DIR))
    be.add_argument("--out", default=str(PROJECT_ROOT / "reports"), help="folder of behavior.md and behavior.json")
    be.add_argument("--json", action="store_true", help="print the failure rates as JSON")
    be.set_defaults(func=cmd_behave)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "train":
        configure_threads()
    try:
        return args.func(args)
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
