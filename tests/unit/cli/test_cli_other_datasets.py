"""The commands and the library functions behind them on checkpoints of a 3-class and a 6-class dataset
(tests/toy_datasets.py): each exits 0, and whatever names classes or counts test rows names the
checkpoint's own. Checkpoints of different datasets are never compared on one test split."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from toy_datasets import SIX, THREE, Toys

from rnnclf import list_checkpoints, load_checkpoint
from rnnclf.behavior.report import read_report
from rnnclf.behavior.suite import load_suite
from rnnclf.cli import main
from rnnclf.data.dataset import TEST_PATH, DataError
from rnnclf.data.registry import DATASETS_ENV, get_dataset
from rnnclf.evaluation.significance import compare, intervals, mcnemar, stored_intervals
from rnnclf.reporting.html import build

TEXT = "Shares of the bank rose after the storm as the band played a concert in Paris"


@pytest.fixture(autouse=True)
def toy_datasets(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> Toys:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    return toys


def run(capsys: pytest.CaptureFixture, *args: str) -> str:
    """The command's standard output; it must exit 0."""
    status = main(list(args))
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


@pytest.mark.parametrize(("name", "classes"), [("three_rnn", THREE), ("six_tfidf", SIX)])
def test_predict_explain_and_evaluate_speak_the_checkpoints_classes(
    toys: Toys, capsys: pytest.CaptureFixture, name: str, classes: tuple[str, ...]
) -> None:
    folder = str(toys.checkpoints / name)
    predicted = json.loads(run(capsys, "predict", "--checkpoint", folder, "--text", TEXT, "--json"))
    assert list(predicted["probabilities"]) == list(classes) and predicted["label"] in classes
    explained = run(capsys, "explain", "--checkpoint", folder, "--text", TEXT, "--json", "--method", "lime")
    assert json.loads(explained)["class"] == predicted["label"]
    test = get_dataset(name.split("_")[0]).test
    metrics = json.loads(run(capsys, "evaluate", "--checkpoint", folder, "--data", str(test.location), "--json"))
    assert metrics["classes"] == list(classes) and np.shape(metrics["confusion"]) == (len(classes), len(classes))
    assert metrics["rows"] == test.rows and metrics["accuracy"] == load_checkpoint(folder).test_accuracy
    assert [c["name"] for c in metrics["per_class"]] == list(classes)


def test_another_datasets_split_is_refused_by_evaluate(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    """AG News's test split has four classes; a 3-class checkpoint cannot be scored against it."""
    assert main(["evaluate", "--checkpoint", str(toys.checkpoints / "three_rnn"), "--data", str(TEST_PATH)]) == 1
    assert "is labelled 4, but three_rnn knows 3 classes (Politics, Sports, Money & Markets)" in capsys.readouterr().err


def test_evaluate_defaults_to_the_checkpoints_own_test_split(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    metrics = json.loads(run(capsys, "evaluate", "--checkpoint", str(toys.checkpoints / "six_rnn"), "--json"))
    assert metrics["rows"] == get_dataset("six").test.rows


def test_intervals_come_from_each_checkpoints_own_test_split(toys: Toys) -> None:
    for name in list_checkpoints(toys.checkpoints):
        checkpoint = load_checkpoint(name, toys.checkpoints)
        labels = checkpoint.dataset.read_test().labels
        predicted = checkpoint.test_predictions.argmax(1)
        assert stored_intervals(checkpoint) == intervals(labels, predicted, len(checkpoint.classes))


def test_summary_lists_every_checkpoint(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    table = run(capsys, "summary", "--root", str(toys.checkpoints), "--markdown")
    for name in list_checkpoints(toys.checkpoints):
        assert f"| {name} |" in table


def test_summary_shows_intervals_on_other_datasets(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    rows = json.loads(run(capsys, "summary", "--root", str(toys.checkpoints), "--json"))
    assert all("macro_f1_low" in row for row in rows)


def test_mcnemar_compares_one_datasets_checkpoints_and_names_the_others(toys: Toys) -> None:
    checkpoints = [load_checkpoint(name, toys.checkpoints) for name in ("three_rnn", "six_rnn", "three_tfidf")]
    report = compare(checkpoints, markdown=True)
    split = get_dataset("three").read_test()
    first, second = (c.test_predictions.argmax(1) for c in (checkpoints[0], checkpoints[2]))
    assert report.startswith(mcnemar("three_rnn", "three_tfidf", split.labels, first, second).sentence())
    assert report.endswith("Left out, trained on another dataset than Three-topic news: six_rnn (Six topics).")
    with pytest.raises(DataError, match="the only one of Three-topic news"):
        compare(checkpoints[:2], markdown=False)


def test_compare_and_report_commands_run_on_other_datasets(toys: Toys, tmp_path: Path, capsys) -> None:
    out = run(capsys, "compare", "three_rnn", "three_tfidf", "--root", str(toys.checkpoints))
    assert "three_rnn and three_tfidf differ on" in out
    page = tmp_path / "report.html"
    run(capsys, "report", "--root", str(toys.checkpoints), "--out", str(page), "--probe", TEXT)
    assert "predicted Music &lt;live&gt;" in page.read_text(encoding="utf-8")


def test_compare_command_stays_within_one_dataset(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    out = run(capsys, "compare", "--root", str(toys.checkpoints), "--markdown")
    assert out.strip().endswith("three_rnn, three_tfidf (Three-topic news).")


def test_calibrate_fits_each_checkpoint_on_its_dataset(toys: Toys, tmp_path: Path, capsys) -> None:
    root = tmp_path / "checkpoints"
    shutil.copytree(toys.checkpoints, root)
    markdown = tmp_path / "calibration.md"
    run(capsys, "calibrate", "--all", "--root", str(root), "--markdown", str(markdown))
    for name in list_checkpoints(root):
        calibration = load_checkpoint(name, root).metrics.calibration
        assert calibration is not None and f"| {name} | {calibration.temperature:.3f} |" in markdown.read_text()


def test_behave_runs_the_tests_a_dataset_can_run(toys: Toys, tmp_path: Path, capsys) -> None:
    suite = load_suite()
    root = str(toys.checkpoints)
    run(capsys, "behave", "--root", root, "--checkpoint", "three_rnn", "three_tfidf", "six_rnn", "--out", str(tmp_path))
    report = read_report(tmp_path / "behavior.json")
    assert report.classes == THREE and report.checkpoints == ("three_rnn", "three_tfidf")
    run_tests = {t.spec.name for t in report.tests}
    assert run_tests == {s.name for s in suite.specs if s.label in (None, "Sports")}
    assert {t.spec.kind for t in report.tests} == {"MFT", "INV", "DIR"}  # Sports is one of three's classes
    split = get_dataset("three").read_test()
    assert all(c.original == split.texts[c.row] for t in report.tests for c in t.cases if c.original is not None)
    written = re.sub(r"\\(.)", r"\1", (tmp_path / "behavior.md").read_text(encoding="utf-8"))  # literal()'s escapes
    assert "Not run: Earnings reports (Business), Elections and conflict (World)" in written
    assert "(Politics, Sports, Money & Markets)" in written
    assert "Left out, trained on another dataset than Three-topic news: six_rnn (Six topics)." in written

    run(capsys, "behave", "--root", root, "--checkpoint", "six_tfidf", "--out", str(tmp_path / "six"))
    six = read_report(tmp_path / "six" / "behavior.json")
    assert six.classes == SIX and {t.spec.kind for t in six.tests} == {"INV"}


def test_faithfulness_runs_on_other_datasets(toys: Toys, tmp_path: Path, capsys) -> None:
    folders = [str(toys.checkpoints / name) for name in ("three_rnn", "six_tfidf")]
    run(capsys, "faithfulness", "--checkpoint", *folders, "--samples", "2", "--out", str(tmp_path))
    written = (tmp_path / "faithfulness.md").read_text(encoding="utf-8")
    assert "| three_rnn |" in written and "| six_tfidf |" in written


def test_the_html_report_holds_one_dataset(toys: Toys, capsys: pytest.CaptureFixture) -> None:
    checkpoints = [load_checkpoint(name, toys.checkpoints) for name in list_checkpoints(toys.checkpoints)]
    html = build(checkpoints, checkpoints[0].dataset.read_test())
    assert checkpoints[0].dataset.name == "six" and "180 test texts (Six topics)" in html
    assert "predicted Music &lt;live&gt;" in html and "Money &amp; Markets" not in html
    assert "Left out, trained on another dataset than Six topics: three_rnn, three_tfidf (Three-topic news)." in html


def test_report_command_uses_the_datasets_test_split(toys: Toys, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    run(capsys, "report", "--root", str(toys.checkpoints), "--out", str(out))
    assert "180 test texts (Six topics)" in out.read_text(encoding="utf-8")
