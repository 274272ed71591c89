"""reports/label_issues.md and .json: one writer for both, from the `LabelIssuesReport` record."""

from __future__ import annotations

import json
from pathlib import Path

from rnnclf.core.files import write_json
from rnnclf.core.markdown import literal
from rnnclf.data.registry import AG_NEWS
from rnnclf.inspection.label_issues import LabelIssuesReport, SplitIssues
from rnnclf.inspection.verdicts import VERDICTS

NAME = "label_issues"
TEXT_CHARS = 160  # of each text in the Markdown table; the JSON holds it whole


def stem(dataset: str) -> str:
    """The report's file name without suffix: AG News's is `label_issues`, another dataset's names it."""
    return NAME if dataset == AG_NEWS else f"{NAME}_{dataset}"


def _cell(text: str) -> str:
    flat = " ".join(text.split())
    return literal(flat if len(flat) <= TEXT_CHARS else flat[: TEXT_CHARS - 1] + "…")


def _split_section(part: SplitIssues, checkpoints: int) -> list[str]:
    share = len(part.issues) / part.rows if part.rows else 0.0
    lines = [
        f"## {part.split.capitalize()} split: {len(part.issues):,} of {part.rows:,} rows flagged ({share:.1%})",
        "",
        f"Probabilities: {literal(part.source)}. Most doubtful first (label quality = the probability of the given label).",
        "",
    ]
    agree = part.split == "test"
    reviewed = [issue.verdict for issue in part.issues if issue.verdict]
    if reviewed:
        tally = ", ".join(f"{reviewed.count(v)} {v}" for v in VERDICTS if v in reviewed)
        lines += [f"Reviewed: {len(reviewed)} of these rows ({tally}), verdicts from label_verdicts.json.", ""]
    header = "| # | row | given | suggested | quality |" + (" agreeing |" if agree else "") + " verdict | text |"
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    for rank, issue in enumerate(part.issues, start=1):
        agreeing = f" {len(issue.agreeing)}/{checkpoints} |" if agree else ""
        lines.append(
            f"| {rank} | {issue.row} | {literal(issue.given)} | {literal(issue.suggested)} | {issue.quality:.3f} |"
            f"{agreeing} {issue.verdict or ''} | {_cell(issue.text)} |"
        )
    return lines + [""]


def markdown(report: LabelIssuesReport) -> str:
    lines = [
        f"# Label issues: {literal(report.dataset)}",
        "",
        "Written by `python -m rnnclf label-issues`. Rows whose given label is probably wrong, found by cleanlab's "
        "confident learning (`cleanlab.filter.find_label_issues`) on out-of-sample probabilities only; "
        "`agreeing` counts the checkpoints whose own prediction is the suggested label; `verdict` is a reviewer's, "
        "from the dataset's label_verdicts.json.",
        "",
        f"Test-split probabilities: the mean of the stored ones of {', '.join(map(literal, report.checkpoints))}.",
        "",
        "## Accuracy with the flagged test rows left out (an estimate)",
        "",
        "The rows left out were flagged from these same checkpoints' probabilities, which favours them: an "
        "optimistic estimate, not a measurement.",
        "",
        "| checkpoint | test accuracy | without flagged rows | rows kept |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {literal(a.checkpoint)} | {a.accuracy:.2%} | {a.accuracy_without_flagged:.2%} | {a.rows_kept:,} |"
        for a in report.accuracy
    ]
    lines.append("")
    lines += _split_section(report.test, len(report.checkpoints))
    if report.train is not None:
        lines += _split_section(report.train, len(report.checkpoints))
    return "\n".join(lines)


def write(report: LabelIssuesReport, out: Path) -> tuple[Path, Path]:
    """Both files into `out`; returns their paths (Markdown, JSON)."""
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / f"{stem(report.dataset)}.md", out / f"{stem(report.dataset)}.json"
    write_json(js, report.to_dict())
    tmp = md.with_name(f".{md.name}.tmp")
    tmp.write_text(markdown(report), encoding="utf-8")
    tmp.replace(md)
    return md, js


def read(path: Path) -> LabelIssuesReport | None:
    """The report at `path`, or None when there is none (a damaged one is a ValueError)."""
    if not path.is_file():
        return None
    return LabelIssuesReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
