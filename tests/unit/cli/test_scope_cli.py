"""`predict`'s scope key and columns, and the `scope` command, on the shipped baseline (which stores a scope)
and on toy checkpoints (which store none until `scope` fits one)."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest
from toy_datasets import Toys

from rnnclf.checkpoints.registry import load_checkpoint
from rnnclf.cli import main
from rnnclf.cli.scoring import NO_SCOPE
from rnnclf.data.dataset import DataError
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.scope.fit import read_report
from rnnclf.scope.record import load_scope

TEXTS = ["My grandmother's lasagna recipe uses three kinds of cheese and a lot of basil", "Oil prices rise again"]


def run(capsys: pytest.CaptureFixture, *args: str) -> str:
    status = main(list(args))
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


def test_predict_json_gives_each_checkpoints_scope_verdict(capsys: pytest.CaptureFixture) -> None:
    checkpoint = load_checkpoint("tfidf_lr")
    scope = load_scope(checkpoint.folder)
    for text in TEXTS:
        found = json.loads(run(capsys, "predict", "--checkpoint", "tfidf_lr", "--text", text, "--json"))["scope"]
        assert set(found) == {"method", "score", "threshold", "outside"}
        expected = scope.verdicts(checkpoint.classifier, [text])[0]
        assert found == {
            "method": expected.method,
            "score": expected.score,
            "threshold": expected.threshold,
            "outside": expected.outside,
        }
        assert isinstance(found["outside"], bool) and found["outside"] == (found["score"] > found["threshold"])
        assert found["threshold"] == scope.record.threshold and found["method"] == scope.record.method


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_predict_input_adds_two_scope_columns(tmp_path: Path, capsys: pytest.CaptureFixture, suffix: str) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": [*TEXTS, ""]}).to_csv(source, index=False)
    out = tmp_path / f"out{suffix}"
    run(capsys, "predict", "--checkpoint", "tfidf_lr", "--input", str(source), "--output", str(out), "--quiet")
    read = {
        ".csv": lambda p: pd.read_csv(p, keep_default_na=False),
        ".jsonl": lambda p: pd.read_json(p, lines=True),
        ".parquet": pd.read_parquet,
    }[suffix]
    table = read(out)
    assert list(table.columns[-2:]) == ["tfidf_lr scope score", "tfidf_lr outside scope"]
    for text, row in zip(TEXTS, table.itertuples(index=False)):
        verdict = json.loads(run(capsys, "predict", "--checkpoint", "tfidf_lr", "--text", text, "--json"))["scope"]
        assert float(row[-2]) == pytest.approx(verdict["score"])
        assert row[-1] == ("true" if verdict["outside"] else "false")
    assert table["tfidf_lr outside scope"].tolist()[-1] in ("", None)  # no text, no verdict


@pytest.fixture
def toy_root(toys: Toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    root = tmp_path / "checkpoints"
    shutil.copytree(toys.checkpoints, root)
    return root


def test_a_checkpoint_without_a_scope_still_predicts_and_says_so(toy_root: Path, capsys) -> None:
    folder = str(toy_root / "three_rnn")
    assert json.loads(run(capsys, "predict", "--checkpoint", folder, "--text", TEXTS[1], "--json"))["scope"] is None
    assert NO_SCOPE in run(capsys, "predict", "--checkpoint", folder, "--text", TEXTS[1])
    source, out = toy_root / "in.csv", toy_root / "out.csv"
    source.write_text("text\nOil prices rise\n", encoding="utf-8")
    run(capsys, "predict", "--checkpoint", folder, "--input", str(source), "--output", str(out), "--quiet")
    row = pd.read_csv(out, keep_default_na=False).iloc[0]
    assert row["three_rnn scope score"] == "" and row["three_rnn outside scope"] == ""


def test_scope_fits_stores_and_reports_every_checkpoint_of_a_dataset(toy_root: Path, capsys) -> None:
    report = toy_root / "reports" / "scope.md"
    run(capsys, "scope", "--dataset", "three", "--root", str(toy_root), "--markdown", str(report))
    data = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    record = read_report(report.with_suffix(".json"))
    assert json.loads(json.dumps(asdict(record))) == data and isinstance(
        record.checkpoints[0].distribution.edges, tuple
    )
    for entry in data["checkpoints"]:
        shape = entry["distribution"]
        assert len(shape["edges"]) == len(shape["in_domain"]) + 1 == len(shape["offtopic"]) + 1
        assert sum(shape["offtopic"]) == data["offtopic_rows"]["test"]
    assert data["dataset"] == "three" and [c["checkpoint"] for c in data["checkpoints"]] == ["three_rnn", "three_tfidf"]
    for entry in data["checkpoints"]:
        stored = load_scope(toy_root / entry["checkpoint"])
        assert stored.record.method == entry["method"] and stored.record.threshold == entry["threshold"]
        assert [m["method"] for m in entry["methods"] if m["chosen"]] == [entry["method"]]
        assert len(entry["most_newslike"]) == 3
        assert f"| {entry['checkpoint'].replace('_', chr(92) + '_')} |" in report.read_text(encoding="utf-8")
        folder = str(toy_root / entry["checkpoint"])
        verdict = json.loads(run(capsys, "predict", "--checkpoint", folder, "--text", TEXTS[0], "--json"))["scope"]
        assert verdict["method"] == entry["method"]
    assert load_scope(toy_root / "six_rnn") is None  # another dataset's checkpoints are left alone


def test_a_report_that_is_not_one_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "scope.json"
    path.write_text('{"format": 1}', encoding="utf-8")
    with pytest.raises(DataError, match="not a scope report"):
        read_report(path)


def test_a_bad_offtopic_file_is_one_clear_error(toy_root: Path, capsys) -> None:
    bad = toy_root / "bad.csv"
    bad.write_text("words\nhello\n", encoding="utf-8")
    assert main(["scope", "--dataset", "three", "--root", str(toy_root), "--offtopic", str(bad)]) == 1
    assert "no 'text' column" in capsys.readouterr().err
    assert load_scope(toy_root / "three_rnn") is None
