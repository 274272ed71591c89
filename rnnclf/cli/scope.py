"""The commands on what a checkpoint was trained on: `scope` (fit, store and report the out-of-scope signal of
every checkpoint of a dataset) and `neighbors` (the training texts nearest a text)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from rnnclf.checkpoints.registry import list_checkpoints, load_checkpoint
from rnnclf.cli import options
from rnnclf.cli.command import UsageError
from rnnclf.core.files import write_json
from rnnclf.core.markdown import literal
from rnnclf.data.registry import AG_NEWS, get_dataset
from rnnclf.reporting.style import percent
from rnnclf.reporting.tables import markdown_table
from rnnclf.scope.offtopic import OFFTOPIC_PATH, PARTS, read_offtopic
from rnnclf.scope.record import store

if TYPE_CHECKING:
    from rnnclf.scope.fit import ScopeReport


def scope_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default=AG_NEWS, help="whose checkpoints (default: ag_news)")
    parser.add_argument(
        "--offtopic",
        default=str(OFFTOPIC_PATH),
        help="a CSV of off-topic texts: a 'text' column, optionally 'source' and 'part' (choose/test)",
    )
    options.root(parser)
    parser.add_argument("--markdown", metavar="PATH", help="the report (default: reports/scope.md; .json beside it)")


def scope(args: argparse.Namespace) -> int:
    from rnnclf.scope.fit import BANK_ROWS, REPORT_FORMAT, TARGET_INSIDE, ScopeReport, fit_checkpoint, report_path

    dataset = get_dataset(args.dataset)
    offtopic = read_offtopic(Path(args.offtopic))
    loaded = (load_checkpoint(name, Path(args.root)) for name in list_checkpoints(Path(args.root)))
    checkpoints = [c for c in loaded if c.dataset.name == dataset.name]
    if not checkpoints:
        raise UsageError(f"no checkpoint under {args.root} is trained on {dataset.display_title}")
    results = []
    for checkpoint in checkpoints:
        fitted = fit_checkpoint(checkpoint, offtopic)
        store(checkpoint.folder, fitted.scope)
        results.append(fitted.result)
        chosen = next(m for m in fitted.result.methods if m.chosen)
        print(
            f"{checkpoint.name}: {chosen.method}, AUROC {chosen.auroc:.3f}, FPR95 {percent(chosen.fpr95, 1)}",
            flush=True,
        )
    report = ScopeReport(
        format=REPORT_FORMAT,
        dataset=dataset.name,
        test_rows=len(checkpoints[0].dataset.read_test()),
        offtopic=offtopic.path,
        offtopic_sha256=offtopic.sha256,
        offtopic_rows={part: offtopic.parts.count(part) for part in PARTS},
        target_inside=TARGET_INSIDE,
        bank_rows=BANK_ROWS,
        checkpoints=tuple(results),
    )
    markdown = Path(args.markdown) if args.markdown else report_path(dataset.name)
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(scope_document(report, dataset.display_title), encoding="utf-8")
    write_json(markdown.with_suffix(".json"), asdict(report))
    return 0


def scope_document(report: ScopeReport, title: str) -> str:
    """reports/scope.md: the table of every checkpoint x method, then per checkpoint what it still misses."""
    rows = []
    for checkpoint in report.checkpoints:
        for m in checkpoint.methods:
            rows.append(
                [
                    literal(checkpoint.checkpoint),
                    literal(m.method) + (" **(chosen)**" if m.chosen else ""),
                    f"{m.auroc:.3f}",
                    percent(m.fpr95, 1),
                    percent(m.flagged_in_domain, 1),
                    percent(m.flagged_offtopic, 1),
                    " · ".join(f"{literal(s.source)} {percent(s.flagged, 0)}" for s in m.by_source),
                    f"{m.choose_auroc:.3f} / {percent(m.choose_missed, 1)}",
                    f"{m.ms_per_text:.2f}",
                ]
            )
    table = markdown_table(
        [
            "checkpoint",
            "method",
            "AUROC",
            "FPR95",
            f"flagged, {literal(title)} test",
            "flagged, off-topic test",
            "flagged by source",
            "choice: AUROC / missed",
            "ms per text",
        ],
        ["---", "---", "---:", "---:", "---:", "---:", "---", "---:", "---:"],
        rows,
    )
    parts = ", ".join(f"{count} {part}" for part, count in report.offtopic_rows.items())
    lines = [
        "# Knowing when not to answer: the out-of-scope signal",
        "",
        f"Written by `python -m rnnclf scope --dataset {literal(report.dataset)}`. In-domain: the {report.test_rows} "
        f"texts of the {literal(title)} test split; off-topic: `{literal(report.offtopic)}` ({parts} texts; "
        "data/offtopic/SOURCES.md). Every method is fitted on the checkpoint's training rows (kNN compares with a "
        f"seeded sample of {report.bank_rows} of them; a combination reads each part's p-value against the "
        "validation split); its threshold keeps "
        f"{percent(report.target_inside, 0)} of the validation split inside; the method each checkpoint stores is "
        "the one that misses the fewest off-topic `choose` texts at that threshold (ties: higher AUROC). "
        "The test split and the off-topic `test` part are only measured, never fitted or chosen on.",
        "",
        "AUROC: how often an off-topic text scores above an in-domain one. FPR95: the share of off-topic test "
        "texts kept inside the validation threshold (missed). Flagged: the share outside it. Cost: what the "
        "score adds to the prediction's own pass over a text (its arithmetic, and for a method that reads the last "
        "layer's features, keeping them), per text, one thread.",
        "",
        table,
        "",
        "## Off-topic texts each checkpoint still takes for in-domain",
        "",
        "The off-topic test texts its chosen method finds most like its training texts, and what it calls them.",
        "",
    ]
    for checkpoint in report.checkpoints:
        lines.append(f"**{literal(checkpoint.checkpoint)}** ({literal(checkpoint.method)}):")
        lines.append("")
        for missed in checkpoint.most_newslike:
            lines.append(
                f"- {literal(missed.text)} ({literal(missed.source)}; score {missed.score:.4g}; "
                f"{literal(missed.label)} {percent(missed.probability, 1)})"
            )
        lines.append("")
    return "\n".join(lines)


def neighbors_arguments(parser: argparse.ArgumentParser) -> None:
    options.checkpoint(parser)
    options.text(parser)
    parser.add_argument("--k", type=int, default=5, help="how many training texts (default 5)")
    options.json(parser, "the neighbours")


def neighbors(args: argparse.Namespace) -> int:
    from rnnclf.scope.neighbors import NeighborIndex

    if args.text is None or not args.text.strip():
        raise UsageError("--text is empty: give a text to find the nearest training texts of")
    if args.k < 1:
        raise UsageError(f"--k must be at least 1, not {args.k}")
    found = NeighborIndex.build(load_checkpoint(args.checkpoint)).nearest(args.text, args.k)
    if args.json:
        print(json.dumps({**asdict(found), "agree": found.agree}))
        return 0
    print(f"{found.checkpoint} predicts {found.predicted}; {found.summary()}")
    for n in found.neighbors:
        print(f"  {n.similarity:.3f}  {n.label:<12} {n.text}")
    return 0
