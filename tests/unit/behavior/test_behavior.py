"""The behavioural suite: its generators, its rules, and a report that anyone can recount."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from rnnclf import CLASSES
from rnnclf.behavior.cases import EDITS, build
from rnnclf.behavior.report import from_dict, markdown, to_dict
from rnnclf.behavior.suite import BehaviorTest, Case, TestSpec, applicable, load_suite, run_suite
from rnnclf.cli import main
from rnnclf.core.paths import REPORT_DIR
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.models.classifier import Classifier

SPLIT = read_csv(TEST_PATH)


@pytest.fixture(scope="module")
def suite():
    return load_suite()


@pytest.fixture(scope="module")
def tests(suite):
    return build(suite, SPLIT)


def test_the_suite_is_as_large_as_promised(tests) -> None:
    assert len(tests) >= 15
    assert sum(len(t.cases) for t in tests) >= 3000
    assert {t.spec.kind for t in tests} == {"MFT", "INV", "DIR"}
    for test in tests:
        assert len(test.cases) == test.spec.cases, test.spec.name  # every test found all its cases


def test_cases_are_seeded(suite, tests) -> None:
    assert build(suite, SPLIT) == tests


def test_mft_templates_are_filled(tests) -> None:
    for test in tests:
        if test.spec.kind == "MFT":
            assert all("{" not in c.text and "}" not in c.text and c.original is None for c in test.cases)
            assert len({c.text for c in test.cases}) == len(test.cases)


def test_every_edit_changes_the_text_and_keeps_it(tests) -> None:
    for test in tests:
        if test.spec.kind == "MFT":
            continue
        for case in test.cases:
            assert case.text != case.original and case.text.strip(), test.spec.name
            assert case.original == SPLIT.texts[case.row]


def test_every_generator_changes_the_text_or_declines(suite) -> None:
    """Straight on test-split texts: None (nothing to edit) or a different, non-empty text."""
    specs = {spec.generator: spec for spec in suite.specs if spec.generator in EDITS}
    assert set(specs) == set(EDITS)
    rng = np.random.default_rng(0)
    for name, edit in EDITS.items():
        changed = 0
        for text in SPLIT.texts[:300]:
            result = edit(text, rng, specs[name], suite.lexicons)
            if result is not None and result != text:
                assert result.strip()
                changed += 1
            elif name in ("typos", "append", "prepend"):
                pytest.fail(f"{name} left {text!r} unchanged")
        assert changed, name


def test_typos_swap_adjacent_letters(suite) -> None:
    spec = next(s for s in suite.specs if s.generator == "typos" and s.edits == 1)
    text = "Oil prices climbed sharply"
    result = EDITS["typos"](text, np.random.default_rng(1), spec, suite.lexicons)
    diffs = [i for i, (a, b) in enumerate(zip(text, result)) if a != b]
    assert len(result) == len(text) and len(diffs) == 2 and diffs[1] == diffs[0] + 1
    assert sorted(text) == sorted(result)


class Fixed(Classifier):
    """A model that answers preset probabilities per text: the rules are tested on known numbers."""

    name = "fixed"
    classes = CLASSES
    max_tokens = None

    def __init__(self, answers: dict[str, Sequence[float]]):
        self.answers = answers

    def predict_proba(self, texts):
        return np.array([self.answers[t] for t in texts], dtype=np.float32)

    def predict_proba_tokens(self, token_lists):
        raise NotImplementedError

    def is_known(self, token):
        return True


def test_dir_tolerance_is_honoured() -> None:
    spec = TestSpec("dir", "c", "DIR", "", "append", 3, label="Sports", tolerance=0.05)
    cases = (Case("within", "o"), Case("beyond", "o"), Case("higher", "o"))
    model = Fixed(
        {
            "o": [0.1, 0.6, 0.2, 0.1],
            "within": [0.15, 0.56, 0.2, 0.09],  # drops 0.04: passes
            "beyond": [0.2, 0.53, 0.2, 0.07],  # drops 0.07: fails
            "higher": [0.0, 0.9, 0.1, 0.0],
        }
    )
    [result] = run_suite([BehaviorTest(spec, cases)], [model]).results
    assert result.failed == (1,)


def test_mft_and_inv_rules() -> None:
    mft = TestSpec("mft", "c", "MFT", "", "template", 2, label="Business")
    inv = TestSpec("inv", "c", "INV", "", "typos", 2)
    model = Fixed({"a": [0.1, 0.1, 0.7, 0.1], "b": [0.7, 0.1, 0.1, 0.1], "o": [0.1, 0.1, 0.6, 0.2]})
    run = run_suite(
        [BehaviorTest(mft, (Case("a"), Case("b"))), BehaviorTest(inv, (Case("a", "o"), Case("b", "o")))], [model]
    )
    assert [r.failed for r in run.results] == [(1,), (1,)]


def recount(data: dict) -> dict[str, dict[str, int]]:
    """Failures per test and checkpoint, from the JSON's texts and probabilities alone, by the stated rules."""
    classes = data["classes"]
    counts: dict[str, dict[str, int]] = {}
    for test in data["tests"]:
        counts[test["name"]] = {}
        for name, probs in data["probabilities"].items():
            failed = 0
            for case in test["cases"]:
                p, o = probs[case["text"]], probs[case["original"]] if "original" in case else None
                if test["type"] == "MFT":
                    failed += int(np.argmax(p)) != classes.index(test["label"])
                elif test["type"] == "INV":
                    failed += int(np.argmax(p)) != int(np.argmax(o))
                else:
                    target = classes.index(test["label"])
                    failed += p[target] < o[target] - test["tolerance"]
            counts[test["name"]][name] = failed
    return counts


def table(markdown_text: str) -> dict[str, list[str]]:
    """The failure-rate rows of behavior.md: test name -> the checkpoint cells."""
    rows = {}
    for line in markdown_text.split("## Tests")[0].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) > 4 and re.fullmatch(r"[\d,]+", cells[3]):
            rows[re.sub(r"\\(.)", r"\1", cells[0])] = cells[4:]
    return rows


def test_the_shipped_report_recounts_to_its_table() -> None:
    data = json.loads((REPORT_DIR / "behavior.json").read_text(encoding="utf-8"))
    counts = recount(data)
    rows = table((REPORT_DIR / "behavior.md").read_text(encoding="utf-8"))
    names = [c["name"] for c in data["checkpoints"]]
    assert len(data["tests"]) >= 15 and sum(len(t["cases"]) for t in data["tests"]) >= 3000
    for test in data["tests"]:
        cases = len(test["cases"])
        assert {n: len(rows) for n, rows in test["failed"].items()} == counts[test["name"]]
        assert rows[test["name"]] == [f"{100 * counts[test['name']][n] / cases:.1f}" for n in names]


def test_behave_writes_the_same_files_twice(tiny_checkpoint: Path, tmp_path: Path, capsys) -> None:
    root = str(tiny_checkpoint.parent)
    printed = []
    for out in ("a", "b"):
        assert main(["behave", "--root", root, "--out", str(tmp_path / out), "--json"]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1]
    rates = json.loads(printed[0])
    for name in ("behavior.json", "behavior.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    data = json.loads((tmp_path / "a" / "behavior.json").read_text(encoding="utf-8"))
    assert data["classes"] == list(CLASSES)
    counts = recount(data)
    for test in data["tests"]:
        assert rates[test["name"]]["tiny"] == round(counts[test["name"]]["tiny"] / len(test["cases"]), 4)
    report = from_dict(data)
    assert markdown(report) == (tmp_path / "a" / "behavior.md").read_text(encoding="utf-8")


def test_report_escapes_markup() -> None:
    spec = TestSpec("<b>x</b> | y", "c", "MFT", "", "template", 1, label="World")
    text = "<script>alert(1)</script> | **bold** $x$"
    run = run_suite([BehaviorTest(spec, (Case(text),))], [Fixed({text: [0.1, 0.7, 0.1, 0.1]})])
    report = from_dict(json.loads(json.dumps(to_dict(run, {"fixed": "0" * 64}))))
    written = markdown(report)
    assert "<script>" not in written and "\\<script\\>" in written
    assert "\\| \\*\\*bold\\*\\*" in written


def test_a_dataset_runs_the_tests_of_its_classes_with_the_same_cases(suite, tests) -> None:
    assert applicable(suite, CLASSES) == (suite, ())
    kept, left_out = applicable(suite, ("Sports", "Cooking", "Weather"))
    assert {s.name for s in kept.specs} == {s.name for s in suite.specs if s.label in (None, "Sports")}
    assert {s.kind for s in left_out} == {"MFT", "DIR"} and all(s.label != "Sports" for s in left_out)
    assert set(build(kept, SPLIT)) <= set(tests)  # each test's cases are seeded by its own name
    only_inv, _ = applicable(suite, ("Cooking", "Weather"))
    assert {s.kind for s in only_inv.specs} == {"INV"}
