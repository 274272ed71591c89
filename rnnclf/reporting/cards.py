"""Model cards: what a checkpoint is for, what data made it, how good it is and where it fails, as
`checkpoints/<name>/README.md` (YAML front matter in the Hugging Face model-card format, then Markdown).

Computing apart from writing: `figures` gathers every figure from the files the commands wrote (the
checkpoint's metrics.json and stored test predictions, the other checkpoints of its dataset, the
behavioural and faithfulness reports, the dataset record) into a `CardFigures` record; `front_matter` and
`markdown` only format it. `tests/unit/reporting/test_cards.py` checks each figure against its source.

The card is a derived file beside the checkpoint, not in its manifest: it reads reports outside the
folder, so it changes when they change, and listing it would change the manifest hash the behavioural
report pins (the loader reads only the files the manifest lists, so it never sees the card).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import yaml

from rnnclf.behavior.report import BehaviorReport, manifest_sha256, read_report
from rnnclf.checkpoints.records import Calibration, ClassScores, TrainingRecord
from rnnclf.checkpoints.registry import Checkpoint, of_dataset
from rnnclf.checkpoints.storage import CheckpointError
from rnnclf.core.markdown import literal
from rnnclf.core.paths import REPORT_DIR
from rnnclf.core.text import tokenize_many
from rnnclf.data.dataset import DataError, Dataset
from rnnclf.evaluation.significance import ALPHA, LEVEL, RESAMPLES, Interval, McNemar, holm, mcnemar, stored_intervals
from rnnclf.explain import faithfulness
from rnnclf.explain.methods import lookup
from rnnclf.reporting.style import count, p_value, percent, score, share, span
from rnnclf.scope.fit import read_report as read_scope_report
from rnnclf.scope.fit import report_path as scope_report_path

CARD = "README.md"
LIBRARY = "rnnclf"
BEHAVIOR_REPORT = "behavior.json"
FENCE = "---\n"  # opens and closes the front matter


def library_version() -> str:
    try:
        return version(LIBRARY)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


@dataclass(frozen=True)
class Comparison:
    """McNemar's test of this checkpoint (`test.first`) against another of its dataset, Holm-adjusted over
    the card's comparisons."""

    test: McNemar
    other_accuracy: float
    adjusted: float


@dataclass(frozen=True)
class BehaviorRow:
    test: str
    kind: str
    capability: str
    cases: int
    failure_rate: float


@dataclass(frozen=True)
class FaithfulnessRow:
    method: str  # the method's title
    texts: int
    comprehensiveness: Interval
    random_comprehensiveness: float
    sufficiency: Interval
    random_sufficiency: float


@dataclass(frozen=True)
class ScopeRow:
    method: str  # the method's title
    chosen: bool  # the one the checkpoint stores and `predict` applies
    auroc: float  # AG News-style test split against the off-topic test texts
    missed: float  # off-topic test texts inside the threshold (FPR at 95 % in-domain TPR)
    flagged_in_domain: float  # test-split texts outside it


@dataclass(frozen=True)
class Section:
    """A part of the card that comes from a report: its rows, or why there are none."""

    rows: tuple
    note: str = ""  # why there are no rows; with rows, what they were measured on (the table's intro)


@dataclass(frozen=True)
class CardFigures:
    """Every figure a card shows, each read from a file a command wrote."""

    name: str
    title: str
    kind: str
    dataset: Dataset
    training: TrainingRecord
    parameters: int
    max_tokens: int | None
    architecture: str
    versions: tuple[tuple[str, str], ...]
    test_rows: int
    accuracy: Interval
    macro_f1: Interval
    per_class: tuple[ClassScores, ...]
    confusion: tuple[tuple[int, ...], ...]
    longer_than_window: int  # test texts with more tokens than the model reads
    calibration: Calibration | None
    comparisons: tuple[Comparison, ...]
    behavior: Section
    faithfulness: Section
    scope: Section

    @property
    def classes(self) -> tuple[str, ...]:
        return self.dataset.classes


class CardError(CheckpointError):
    """A checkpoint whose card cannot be written, or a card that cannot be read; the message says why."""


def figures(checkpoint: Checkpoint, others: Sequence[Checkpoint], report_dir: Path = REPORT_DIR) -> CardFigures:
    """The card's figures; `others` are the checkpoints it is compared with (those of other datasets are set aside)."""
    test = checkpoint.metrics.test
    found = stored_intervals(checkpoint)
    if test is None or found is None:
        raise CardError(
            f"checkpoint {checkpoint.name!r}: a card needs its test metrics and stored test predictions "
            f"(python -m rnnclf evaluate --checkpoint {checkpoint.name} --store)"
        )
    split = checkpoint.dataset.read_test()
    window = checkpoint.config.max_tokens
    longer = 0 if window is None else sum(len(t) > window for t in tokenize_many(split.texts, None))
    return CardFigures(
        name=checkpoint.name,
        title=checkpoint.title,
        kind=checkpoint.config.kind,
        dataset=checkpoint.dataset,
        training=checkpoint.config.training,
        parameters=checkpoint.config.parameters,
        max_tokens=window,
        architecture=checkpoint.config.model.architecture,
        versions=tuple(checkpoint.config.versions.items()),
        test_rows=len(split),
        accuracy=found[0],
        macro_f1=found[1],
        per_class=test.per_class,
        confusion=test.confusion,
        longer_than_window=longer,
        calibration=checkpoint.metrics.calibration,
        comparisons=comparisons(checkpoint, others, split.labels),
        behavior=behavior_section(checkpoint, report_dir / BEHAVIOR_REPORT),
        faithfulness=faithfulness_section(checkpoint, report_dir),
        scope=scope_section(checkpoint, report_dir),
    )


def comparisons(checkpoint: Checkpoint, others: Sequence[Checkpoint], labels: np.ndarray) -> tuple[Comparison, ...]:
    """McNemar against every other checkpoint of its dataset whose stored predictions cover the test split."""
    same, _ = of_dataset([o for o in others if o.name != checkpoint.name], checkpoint.dataset)
    usable = [o for o in same if o.test_predictions is not None and len(o.test_predictions) == len(labels)]
    own = checkpoint.test_predictions.argmax(1)
    tests = [mcnemar(checkpoint.name, o.name, labels, own, o.test_predictions.argmax(1)) for o in usable]
    adjusted = holm(np.array([t.p_value for t in tests])) if tests else []
    return tuple(
        Comparison(t, float(np.mean(o.test_predictions.argmax(1) == labels)), float(q))
        for t, o, q in zip(tests, usable, adjusted)
    )


def behavior_section(checkpoint: Checkpoint, path: Path) -> Section:
    """The checkpoint's failure rate on every behavioural test, if the report ran on these very files."""
    if not path.is_file():
        return Section((), f"No behavioural report ({path.name}); `python -m rnnclf behave` writes it.")
    report: BehaviorReport = read_report(path)
    if checkpoint.name not in report.checkpoints:
        return Section((), "The behavioural report does not cover this checkpoint.")
    if report.manifests.get(checkpoint.name) != manifest_sha256(checkpoint.folder):
        return Section((), "The behavioural report ran on other files of this checkpoint; run `rnnclf behave` again.")
    rows = tuple(
        BehaviorRow(t.spec.name, str(t.spec.kind), t.spec.capability, len(t.cases), t.failure_rate(checkpoint.name))
        for t in report.tests
    )
    return Section(rows)


def faithfulness_section(checkpoint: Checkpoint, report_dir: Path) -> Section:
    report = faithfulness.read(report_dir)
    if report is None:
        return Section((), "No faithfulness report; `python -m rnnclf faithfulness` writes it.")
    rows = tuple(
        FaithfulnessRow(
            lookup(r.method).title,
            r.texts,
            r.comprehensiveness,
            r.random_comprehensiveness.estimate,
            r.sufficiency,
            r.random_sufficiency.estimate,
        )
        for r in report.rows
        if r.checkpoint == checkpoint.name
    )
    return Section(rows, "" if rows else "The faithfulness report does not cover this checkpoint.")


def scope_section(checkpoint: Checkpoint, report_dir: Path) -> Section:
    """Every out-of-scope method's figures on this checkpoint, from the scope report of its dataset."""
    path = report_dir / scope_report_path(checkpoint.dataset.name).with_suffix(".json").name
    if not path.is_file():
        return Section((), f"No out-of-scope report ({path.name}); `python -m rnnclf scope` writes it.")
    try:
        report = read_scope_report(path)
    except DataError as error:
        return Section((), f"The out-of-scope report cannot be read ({error}).")
    found = next((c for c in report.checkpoints if c.checkpoint == checkpoint.name), None)
    if found is None:
        return Section((), "The out-of-scope report does not cover this checkpoint.")
    rows = tuple(ScopeRow(m.title, m.chosen, m.auroc, m.fpr95, m.flagged_in_domain) for m in found.methods)
    return Section(
        rows,
        "How well each score tells the test texts from off-topic, non-news texts "
        f"({count(report.offtopic_rows['test'])} off-topic test texts from {literal(report.offtopic)}): AUROC, and "
        f"the share of off-topic texts still inside a threshold that keeps {share(report.target_inside)} of the "
        "validation texts inside. `predict` applies the chosen one.",
    )


def limitations(f: CardFigures) -> list[str]:
    """Known limitations, each derived from a figure of the card."""
    found = [
        f"It always answers one of its {len(f.classes)} classes ({', '.join(map(literal, f.classes))}): "
        "it has no answer for a text that belongs to none of them."
    ]
    if f.max_tokens is not None:
        found.append(
            f"It reads only the first {f.max_tokens} tokens of a text; "
            f"{percent(f.longer_than_window / f.test_rows, 1)} of the test texts "
            f"({count(f.longer_than_window)} of {count(f.test_rows)}) are longer, and their ends are ignored."
        )
    weakest = min(range(len(f.per_class)), key=lambda i: f.per_class[i].f1)
    row = f.confusion[weakest]
    confused = max((j for j in range(len(row)) if j != weakest), key=lambda j: row[j])
    found.append(
        f"Its weakest class is {literal(f.classes[weakest])} (F1 {score(f.per_class[weakest].f1)}); "
        f"{count(row[confused])} of its {count(sum(row))} test texts are taken for {literal(f.classes[confused])}."
    )
    if f.calibration is not None:
        found.append(
            f"Its raw probabilities are off by {percent(f.calibration.test_ece_before)} on average (ECE); "
            f"temperature scaling (T = {f.calibration.temperature:.3f}) brings that to "
            f"{percent(f.calibration.test_ece_after)}."
        )
    if f.behavior.rows:
        worst = max(f.behavior.rows, key=lambda r: r.failure_rate)
        found.append(
            f"Of the behavioural tests it fails {literal(worst.test)} most often: "
            f"{percent(worst.failure_rate, 1)} of {count(worst.cases)} cases."
        )
    chosen = [r for r in f.scope.rows if r.chosen]
    if chosen:
        found.append(
            f"Its out-of-scope signal ({literal(chosen[0].method)}) still lets {percent(chosen[0].missed, 1)} "
            f"of the off-topic test texts through as if they were news (AUROC {score(chosen[0].auroc, 3)})."
        )
    better = [c for c in f.comparisons if c.adjusted < ALPHA and c.test.second_right > c.test.first_right]
    if better:
        names = ", ".join(literal(c.test.second) for c in better)
        found.append(f"Significantly less accurate than {names} on the same test texts (McNemar, Holm-adjusted).")
    return found


def front_matter(f: CardFigures) -> dict:
    """The Hugging Face model card metadata: `model-index` with the test accuracy and macro-F1 and the ends of
    their bootstrap intervals, the dataset, the library and its version."""

    def metric(kind: str, name: str, value: float) -> dict:
        return {"name": name, "type": kind, "value": value}

    level = share(LEVEL)
    metrics = [
        metric("accuracy", "Test accuracy", f.accuracy.estimate),
        metric("accuracy_ci_low", f"Test accuracy, {level} interval, low end", f.accuracy.low),
        metric("accuracy_ci_high", f"Test accuracy, {level} interval, high end", f.accuracy.high),
        metric("f1", "Test macro-F1", f.macro_f1.estimate),
        metric("f1_ci_low", f"Test macro-F1, {level} interval, low end", f.macro_f1.low),
        metric("f1_ci_high", f"Test macro-F1, {level} interval, high end", f.macro_f1.high),
    ]
    return {
        "library_name": LIBRARY,
        "library_version": library_version(),
        "pipeline_tag": "text-classification",
        "tags": ["text-classification", f.kind],
        "datasets": [f.dataset.name],
        "metrics": ["accuracy", "f1"],
        "model-index": [
            {
                "name": f.name,
                "results": [
                    {
                        "task": {"type": "text-classification", "name": "Text Classification"},
                        "dataset": {"name": f.dataset.display_title, "type": f.dataset.name, "split": "test"},
                        "metrics": metrics,
                    }
                ],
            }
        ],
    }


def _table(header: Sequence[str], align: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|", *("| " + " | ".join(r) + " |" for r in rows)]


def _section(
    title: str, section: Section, intro: str, header: Sequence[str], align: Sequence[str], cells: list[list[str]]
) -> list[str]:
    """A part of the card drawn from a report: its heading, then its intro and table, or why it has no rows."""
    lines = ["", f"## {title}", ""]
    if not section.rows:
        return [*lines, section.note]
    return [*lines, *([intro, ""] if intro else []), *_table(header, align, cells)]


def _interval(value: Interval, decimals: int = 2) -> str:
    return f"{percent(value.estimate, decimals)} ({span(percent(value.low, decimals), percent(value.high, decimals))})"


def _scope_clause(f: CardFigures) -> str:
    """How the card's out-of-use paragraph ends: what the stored out-of-scope signal catches, if there is one."""
    chosen = [r for r in f.scope.rows if r.chosen]
    if not chosen:
        return ", with no way to say that none fits"
    caught = percent(1 - chosen[0].missed, 1)
    return f"; its out-of-scope signal flags {caught} of the off-topic test texts (see Out-of-scope texts), not all"


def markdown(f: CardFigures) -> str:
    """The whole card: front matter, then the sections in the order of Mitchell et al.'s model cards."""
    classes = ", ".join(literal(c) for c in f.classes)
    data = literal(f.dataset.display_title)
    t = f.training
    lines = [
        "---",
        yaml.safe_dump(front_matter(f), sort_keys=False, allow_unicode=True).rstrip("\n"),
        "---",
        "",
        f"# {literal(f.name)}: {literal(f.title)}",
        "",
        f"Written by `python -m rnnclf card {f.name}` from the files the other commands wrote; do not edit by hand.",
        "",
        "## Intended use",
        "",
        f"Sorting texts like those of {data} into one of its {len(f.classes)} classes ({classes}), "
        "and studying how a recurrent classifier reads them (the studio's views).",
        "",
        "## Out-of-scope use",
        "",
        f"Texts unlike {data}'s (other languages, other genres, other topics): the model gives every text one of "
        f"its classes{_scope_clause(f)}. Decisions about people: nothing here was measured for them.",
        "",
        "## Training data",
        "",
        f"{data} ({literal(f.dataset.source)}). Training read `{t.data}` (sha256 `{t.data_sha256}`): "
        f"{count(t.rows)} rows for training and {count(t.val_rows)} held out for validation, split at random "
        f"with seed {t.seed}. The test split, `{f.dataset.test.path}` (sha256 `{f.dataset.test.sha256}`, "
        f"{count(f.dataset.test.rows)} rows), serves only the figures below.",
        "",
        "## Architecture",
        "",
        f"{f.architecture} {count(f.parameters)} parameters; "
        + (f"token window: the first {f.max_tokens} tokens." if f.max_tokens is not None else "it reads every token.")
        + " Trained with "
        + ", ".join(f"{name} {v}" for name, v in f.versions)
        + ".",
        "",
        "## Metrics",
        "",
        f"On the {count(f.test_rows)} test texts, with {share(LEVEL)} bootstrap intervals "
        f"({count(RESAMPLES)} resamples): accuracy {_interval(f.accuracy)}, macro-F1 {_interval(f.macro_f1)}.",
        "",
        *_table(
            ["class", "precision", "recall", "F1", "test texts"],
            ["---", "---:", "---:", "---:", "---:"],
            [
                [literal(c.name), score(c.precision), score(c.recall), score(c.f1), count(c.support)]
                for c in f.per_class
            ],
        ),
        "",
        "## Calibration",
        "",
    ]
    if f.calibration is None:
        lines.append("Not calibrated yet: `python -m rnnclf calibrate --checkpoint NAME` fits a temperature.")
    else:
        c = f.calibration
        lines.append(
            f"Expected calibration error on the test split ({c.bins} bins): {percent(c.test_ece_before)} raw, "
            f"{percent(c.test_ece_after)} after temperature scaling (T = {c.temperature:.3f}, fitted on the "
            f"{count(c.val_rows)} validation rows)."
        )
    lines += ["", "## Significance against the other checkpoints of its dataset", ""]
    if not f.comparisons:
        lines.append(f"No other checkpoint of {data} with stored test predictions to compare with.")
    else:
        lines.append(
            f"McNemar's exact test on the same {count(f.test_rows)} test texts; p-values Holm-adjusted over the "
            f"{len(f.comparisons)} comparisons."
        )
        lines.append("")
        lines += _table(
            [
                "checkpoint",
                "its accuracy",
                "texts they differ on",
                "only this one right",
                "only the other right",
                "p",
                "Holm p",
            ],
            ["---", "---:", "---:", "---:", "---:", "---:", "---:"],
            [
                [
                    literal(c.test.second),
                    percent(c.other_accuracy),
                    count(c.test.differ),
                    count(c.test.first_right),
                    count(c.test.second_right),
                    p_value(c.test.p_value),
                    p_value(c.adjusted),
                ]
                for c in f.comparisons
            ],
        )
    lines += _section(
        "Behavioural tests",
        f.behavior,
        "",
        ["test", "kind", "capability", "cases", "failure rate"],
        ["---", "---", "---", "---:", "---:"],
        [
            [literal(r.test), r.kind, literal(r.capability), count(r.cases), percent(r.failure_rate, 1)]
            for r in f.behavior.rows
        ],
    )
    lines += _section(
        "Faithfulness of the explanations",
        f.faithfulness,
        "ERASER's comprehensiveness (higher: removing the top words hurts more) and sufficiency (lower: the top "
        f"words alone keep the prediction), with {share(LEVEL)} intervals, next to a random order of the same words.",
        ["method", "texts", "comprehensiveness", "random", "sufficiency", "random"],
        ["---", "---:", "---:", "---:", "---:", "---:"],
        [
            [
                literal(r.method),
                count(r.texts),
                f"{score(r.comprehensiveness.estimate, 3)} ({span(score(r.comprehensiveness.low, 3), score(r.comprehensiveness.high, 3))})",
                score(r.random_comprehensiveness, 3),
                f"{score(r.sufficiency.estimate, 3)} ({span(score(r.sufficiency.low, 3), score(r.sufficiency.high, 3))})",
                score(r.random_sufficiency, 3),
            ]
            for r in f.faithfulness.rows
        ],
    )
    lines += _section(
        "Out-of-scope texts",
        f.scope,
        f.scope.note,
        ["method", "AUROC", "off-topic missed", "test texts flagged"],
        ["---", "---:", "---:", "---:"],
        [
            [
                literal(r.method) + (" (chosen)" if r.chosen else ""),
                score(r.auroc, 3),
                percent(r.missed, 1),
                percent(r.flagged_in_domain, 1),
            ]
            for r in f.scope.rows
        ],
    )
    lines += ["", "## Known limitations", "", *(f"- {line}" for line in limitations(f))]
    lines += [
        "",
        "## How to load it",
        "",
        "```bash",
        f'python -m rnnclf predict --checkpoint {f.name} --text "..."',
        f"python -m rnnclf export {f.name} --format onnx --out {f.name}-onnx  # for any ONNX runtime, with predict.py",
        "```",
        "```python",
        "from rnnclf import load_checkpoint",
        "",
        f'checkpoint = load_checkpoint("{f.name}")  # verifies every file against its manifest',
        'probabilities = checkpoint.classifier.predict_proba(["..."])  # one row per text, columns in class order',
        "```",
        "",
    ]
    return "\n".join(lines)


def split(text: str) -> tuple[str, str]:
    """A card's YAML front matter and its Markdown body (the app shows the body; tests parse the front matter)."""
    if not text.startswith(FENCE):
        raise CardError("a model card starts with its YAML front matter between two '---' lines")
    head, found, body = text[len(FENCE) :].partition(f"\n{FENCE}")
    if not found:
        raise CardError("the card's YAML front matter has no closing '---' line")
    return head, body


def write(checkpoint: Checkpoint, others: Sequence[Checkpoint], report_dir: Path = REPORT_DIR) -> Path:
    """Write the card beside the checkpoint's files, atomically."""
    path = checkpoint.folder / CARD
    tmp = path.with_name(f".{CARD}.tmp")
    tmp.write_text(markdown(figures(checkpoint, others, report_dir)), encoding="utf-8")
    os.replace(tmp, path)
    return path
