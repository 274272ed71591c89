"""`--dataset NAME` on the report commands keeps only that dataset's checkpoints, and `behave --suite FILE`
runs a person's own suite on it, each fault in the file one message (exit 2, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from toy_datasets import SIX, Toys

from rnnclf.cli import main
from rnnclf.core.paths import REPORT_DIR
from rnnclf.data.registry import AG_NEWS, DATASETS_ENV, reports_of

OWN_SUITE = {
    "seed": 3,
    "lexicons": {"dish": ["pasta", "curry", "risotto"]},
    "tests": [
        {"name": "Recipes", "capability": "vocabulary", "type": "MFT", "generator": "template", "cases": 6,
         "label": "Cooking", "templates": ["bake the {dish} with garlic in the oven", "a recipe for {dish}"]},
        {"name": "One typo", "capability": "robustness", "type": "INV", "generator": "typos", "cases": 20},
    ],
}  # fmt: skip


@pytest.fixture(autouse=True)
def toy_datasets(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> Toys:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    return toys


def test_summary_and_compare_keep_one_datasets_checkpoints(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    root = ["--root", str(toys.checkpoints)]
    assert main(["summary", *root, "--dataset", "three", "--json"]) == 0
    assert [row["checkpoint"] for row in json.loads(capsys.readouterr().out)] == toys.names("three")
    assert main(["compare", *root, "--dataset", "six"]) == 0
    out = capsys.readouterr().out
    assert "six_rnn" in out and "three_" not in out
    for command in (["summary"], ["compare"], ["report", "--out", "x.html"]):
        assert main([*command, *root, "--dataset", "nowhere"]) == 2
        assert "no dataset named 'nowhere'" in capsys.readouterr().err
    assert main(["summary", *root, "--dataset", AG_NEWS]) == 2
    assert "no checkpoint under" in capsys.readouterr().err and not Path("x.html").exists()


def test_reports_of_another_dataset_go_to_a_folder_of_their_own() -> None:
    assert reports_of(None) == reports_of(AG_NEWS) == REPORT_DIR and reports_of("six") == REPORT_DIR / "six"


def test_behave_runs_a_persons_own_suite(toys: Toys, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps(OWN_SUITE))
    out = tmp_path / "out"
    args = ["behave", "--root", str(toys.checkpoints), "--dataset", "six", "--suite", str(suite), "--out", str(out)]
    assert main([*args, "--json"]) == 0
    rates = json.loads(capsys.readouterr().out)
    assert list(rates) == ["Recipes", "One typo"] and set(rates["Recipes"]) == set(toys.names("six"))
    written = (out / "behavior.md").read_text()
    assert "2 tests, 26 cases, 2 checkpoints" in written and "three_rnn" not in written  # 6 + 20 cases, six's only
    assert "Cooking" in SIX and (out / "behavior.json").is_file()


BAD_SUITES = {
    "not JSON": ("{seed: 1", "cannot be read as a JSON suite"),
    "no tests": (json.dumps({"seed": 1}), "a suite is an object with a whole-number 'seed' and a list of 'tests'"),
    "a missing field": (json.dumps({"seed": 1, "tests": [{"name": "x", "type": "INV", "cases": 3}]}), "test 'x' has no 'capability'"),
    "an unknown generator": (json.dumps({"seed": 1, "tests": [{**OWN_SUITE["tests"][1], "generator": "shout"}]}), "no generator named 'shout'"),
    "a class the dataset lacks": (json.dumps({**OWN_SUITE, "tests": [{**OWN_SUITE["tests"][0], "label": "Sports"}]}), "label 'Sports' is not a class of the dataset"),
    "an unknown lexicon": (json.dumps({**OWN_SUITE, "lexicons": {}}), "no lexicon named dish"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_SUITES))
def test_a_bad_suite_is_one_message_and_writes_nothing(
    case: str, toys: Toys, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    text, message = BAD_SUITES[case]
    suite = tmp_path / "suite.json"
    suite.write_text(text)
    out = tmp_path / "out"
    args = ["behave", "--root", str(toys.checkpoints), "--dataset", "six", "--suite", str(suite), "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not out.exists(), err
