"""The behavioural suite's report: `reports/behavior.json` (every case, every checkpoint's probabilities,
so anyone can recount a failure rate) and `reports/behavior.md` (the failure-rate table and examples).

Both files depend only on the suite and the checkpoints: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnclf.behavior.cases import build, check
from rnnclf.behavior.suite import (
    DECIMALS,
    KIND_RULES,
    Case,
    SuiteError,
    SuiteRun,
    TestSpec,
    applicable,
    load_suite,
    run_suite,
)
from rnnclf.checkpoints.registry import left_out_note, load_checkpoint, of_dataset
from rnnclf.checkpoints.storage import MANIFEST
from rnnclf.core.files import sha256_file, write_json
from rnnclf.core.markdown import literal
from rnnclf.core.paths import CHECKPOINT_DIR, REPORT_DIR
from rnnclf.data.dataset import Dataset

FORMAT = 1
EXAMPLES = 3  # failing cases shown per test in the Markdown report
EXAMPLE_CHARS = 300


@dataclass(frozen=True)
class ReportTest:
    """A test as the report stores it: its spec, its cases and, per checkpoint, the failing case indices."""

    spec: TestSpec
    cases: tuple[Case, ...]
    case_ids: tuple[tuple[int, int | None], ...]  # (text, original) ids into `BehaviorReport.texts`
    failed: Mapping[str, tuple[int, ...]]

    def failure_rate(self, checkpoint: str) -> float:
        return len(self.failed[checkpoint]) / len(self.cases) if self.cases else 0.0


@dataclass(frozen=True)
class BehaviorReport:
    """behavior.json as a record (what the app reads)."""

    classes: tuple[str, ...]
    checkpoints: tuple[str, ...]
    manifests: Mapping[str, str]  # checkpoint -> sha256 of its manifest.json when the suite ran
    texts: tuple[str, ...]
    probabilities: Mapping[str, np.ndarray]
    tests: tuple[ReportTest, ...]
    notes: tuple[str, ...] = ()  # what the run left out and why: tests of absent classes, other datasets' checkpoints

    def test(self, name: str) -> ReportTest:
        return next(t for t in self.tests if t.spec.name == name)

    @property
    def cases(self) -> int:
        return sum(len(t.cases) for t in self.tests)


def _spec_dict(spec: TestSpec) -> dict:
    data = {
        "name": spec.name,
        "capability": spec.capability,
        "type": spec.kind,
        "description": spec.description,
        "generator": spec.generator,
    }
    if spec.label is not None:
        data["label"] = spec.label
    if spec.kind == "DIR":
        data["tolerance"] = spec.tolerance
    return data


def to_dict(run: SuiteRun, manifests: Mapping[str, str], notes: Sequence[str] = ()) -> dict:
    names = list(run.probabilities)
    tests = []
    for test, ids in zip(run.tests, run.text_ids):
        cases = [
            {"text": t, **({"original": o, "row": case.row} if o is not None else {})}
            for case, (t, o) in zip(test.cases, ids)
        ]
        failed = {name: list(run.result(test.spec.name, name).failed) for name in names}
        tests.append({**_spec_dict(test.spec), "cases": cases, "failed": failed})
    return {
        "format": FORMAT,
        "written_by": "python -m rnnclf behave",
        "rules": {
            **KIND_RULES,
            "probabilities": f"rounded to {DECIMALS} decimals before the rules apply; the predicted class is the first largest",
        },
        "classes": list(run.classes),
        "checkpoints": [{"name": name, "manifest_sha256": manifests[name]} for name in names],
        "texts": list(run.texts),
        "probabilities": {name: run.probabilities[name].tolist() for name in names},
        "tests": tests,
        **({"notes": list(notes)} if notes else {}),
    }


def from_dict(data: Mapping) -> BehaviorReport:
    texts = tuple(data["texts"])
    tests = []
    for item in data["tests"]:
        ids = tuple((c["text"], c.get("original")) for c in item["cases"])
        cases = tuple(
            Case(texts[t], None if o is None else texts[o], c.get("row")) for (t, o), c in zip(ids, item["cases"])
        )
        failed = {name: tuple(rows) for name, rows in item["failed"].items()}
        tests.append(ReportTest(TestSpec.from_dict({**item, "cases": len(cases)}), cases, ids, failed))
    return BehaviorReport(
        classes=tuple(data["classes"]),
        checkpoints=tuple(c["name"] for c in data["checkpoints"]),
        manifests={c["name"]: c["manifest_sha256"] for c in data["checkpoints"]},
        texts=texts,
        probabilities={name: np.asarray(p, dtype=np.float64) for name, p in data["probabilities"].items()},
        tests=tuple(tests),
        notes=tuple(data.get("notes", ())),
    )


def read_report(path: Path) -> BehaviorReport:
    return from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def manifest_sha256(folder: Path) -> str:
    """Which checkpoint files a report describes: the hash of its manifest (which hashes every file)."""
    return sha256_file(Path(folder) / MANIFEST)


def _short(text: str) -> str:
    return literal(text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS] + "…")


def _outputs(report: BehaviorReport, test: ReportTest, case: int) -> str:
    """Each checkpoint's prediction for a case: class and probability (after the original's, for INV/DIR)."""
    text_id, original_id = test.case_ids[case]
    parts = []
    for name in report.checkpoints:
        p = report.probabilities[name]
        mark = "**fails**" if case in test.failed[name] else "passes"
        if test.spec.kind == "DIR":
            target = report.classes.index(test.spec.label)
            said = f"P({test.spec.label}) {p[original_id, target]:.1%} → {p[text_id, target]:.1%}"
        else:
            said = report.classes[int(p[text_id].argmax())] + f" {p[text_id].max():.1%}"
            if original_id is not None:
                said = report.classes[int(p[original_id].argmax())] + " → " + said
        parts.append(f"{literal(name)}: {literal(said)} ({mark})")
    return "; ".join(parts)


def markdown(report: BehaviorReport) -> str:
    names = report.checkpoints
    lines = [
        "# Behavioural tests (CheckList method)",
        "",
        f"Written by `python -m rnnclf behave`: {len(report.tests)} tests, {report.cases:,} cases, "
        f"{len(names)} checkpoints. Cases come from the suite in `rnnclf/behavior_suite/` (templates and "
        "lexicons) and from seeded edits of test-split texts. Every case and every checkpoint's "
        "probabilities are in `reports/behavior.json`.",
        "",
        "Rules: " + "; ".join(f"**{kind}** {rule}" for kind, rule in KIND_RULES.items()) + ".",
        "",
        *(line for note in report.notes for line in (literal(note), "")),
        "## Failure rate (% of cases)",
        "",
        "| test | type | capability | cases | " + " | ".join(map(literal, names)) + " |",
        "|---|---|---|---:|" + "---:|" * len(names),
    ]
    for test in report.tests:
        rates = " | ".join(f"{test.failure_rate(name):.1%}".removesuffix("%") for name in names)
        spec = test.spec
        lines.append(
            f"| {literal(spec.name)} | {spec.kind} | {literal(spec.capability)} | {len(test.cases):,} | {rates} |"
        )
    total = {name: sum(len(t.failed[name]) for t in report.tests) for name in names}
    lines.append(
        "| **all cases** | | | "
        + f"{report.cases:,} | "
        + " | ".join(f"{total[name] / report.cases:.1%}".removesuffix("%") for name in names)
        + " |"
    )
    lines += ["", "## Tests and examples of failures", ""]
    for test in report.tests:
        spec = test.spec
        extra = f", tolerance {spec.tolerance:g}" if spec.kind == "DIR" else ""
        label = f", class {literal(spec.label)}" if spec.label else ""
        lines += [
            f"### {literal(spec.name)}",
            "",
            f"{spec.kind}{label}{extra} · {literal(spec.capability)} · {literal(spec.description)}",
            "",
        ]
        counts = {case: sum(case in test.failed[name] for name in names) for case in range(len(test.cases))}
        worst = sorted((case for case, n in counts.items() if n), key=lambda case: (-counts[case], case))[:EXAMPLES]
        if not worst:
            lines += ["No case fails on any checkpoint.", ""]
        for case in worst:
            shown = test.cases[case]
            lines.append(f"- case {case}: {_short(shown.text)}")
            if shown.original is not None:
                lines.append(f"  - original (test row {shown.row}): {_short(shown.original)}")
            lines.append(f"  - {_outputs(report, test, case)}")
        lines.append("")
    return "\n".join(lines)


def write(
    run: SuiteRun, manifests: Mapping[str, str], report_dir: Path = REPORT_DIR, notes: Sequence[str] = ()
) -> BehaviorReport:
    """Write behavior.json and behavior.md; return the report as the app would read it back."""
    data = to_dict(run, manifests, notes)
    report_dir.mkdir(parents=True, exist_ok=True)
    write_json(report_dir / "behavior.json", data, compact=True)  # every probability: megabytes when indented
    report = from_dict(json.loads(json.dumps(data)))
    (report_dir / "behavior.md").write_text(markdown(report), encoding="utf-8")
    return report


def not_run_note(skipped: Sequence[TestSpec], dataset: Dataset) -> str:
    """Why the suite's tests of absent classes are missing from a report; empty when none are."""
    if not skipped:
        return ""
    tests = ", ".join(f"{spec.name} ({spec.label})" for spec in skipped)
    return (
        f"Not run: {tests}. Each expects a class that is not one of {dataset.display_title}'s "
        f"({', '.join(dataset.classes)}); the invariance (INV) tests run on any dataset."
    )


def behave(
    names: Sequence[str],
    root: Path = CHECKPOINT_DIR,
    report_dir: Path = REPORT_DIR,
    dataset: Dataset | None = None,
    suite_path: Path | None = None,
) -> BehaviorReport:
    """`python -m rnnclf behave`: build the suite's cases, run them on each checkpoint, write the report.

    One run covers one dataset, `dataset` or else the first checkpoint's: the cases edit its test texts.
    The project's suite runs the tests whose class it has (its invariance tests run on any dataset); a
    person's own suite (`suite_path`, the same JSON shape) must fit the dataset whole, or a SuiteError says
    which test does not (`tests/unit/cli/test_dataset_flags.py`). Checkpoints of other datasets and the tests
    left out are named in the report.
    """
    loaded = [load_checkpoint(name, root) for name in names]
    dataset = dataset or loaded[0].dataset
    checkpoints, others = of_dataset(loaded, dataset)
    if not checkpoints:
        raise SuiteError(f"none of the checkpoints was trained on {dataset.display_title}")
    if suite_path is None:
        suite, skipped = applicable(load_suite(), dataset.classes)
    else:
        suite, skipped = load_suite(suite_path), ()
        check(suite, dataset.classes)
    run = run_suite(build(suite, dataset.read_test()), [c.classifier for c in checkpoints])
    notes = [note for note in (not_run_note(skipped, dataset), left_out_note(others, dataset)) if note]
    return write(run, {c.name: manifest_sha256(c.folder) for c in checkpoints}, report_dir, notes)
