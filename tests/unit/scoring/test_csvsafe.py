"""CSV cells a spreadsheet would run as a formula come out neutralised; numbers stay numbers."""

import io
from pathlib import Path

import pandas as pd
import pytest

from rnnclf.cli import main
from rnnclf.scoring.csvsafe import FORMULA_STARTS, cell, neutralise

FORMULAS = {
    "=": '=HYPERLINK("http://example.com","click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1,2)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def test_every_prefix_is_covered_and_neutralised():
    assert set(FORMULAS) == set(FORMULA_STARTS)
    for text in FORMULAS.values():
        assert cell(text) == "'" + text


def test_plain_text_and_numbers_are_left_alone():
    for value in ("Oil prices rise", "", "'quoted", "3-2", "-3", "+1.5e3", ".5", 7, -2.5, None):
        assert cell(value) == value


def test_a_frame_keeps_its_numeric_columns():
    frame = pd.DataFrame({"=id": [-1, 2], "text": ["- Apple shares fell", "Team wins"], "p": [-0.5, 0.25]})
    safe = neutralise(frame)
    assert list(safe.columns) == ["'=id", "text", "p"]
    assert safe["'=id"].tolist() == [-1, 2] and safe["p"].tolist() == [-0.5, 0.25]
    assert safe["text"].tolist() == ["'- Apple shares fell", "Team wins"]
    assert frame["text"][0] == "- Apple shares fell"  # the caller's frame is not changed


def test_predict_output_is_neutralised_and_prose_reads_back(tiny_checkpoint: Path, tmp_path: Path, capsys):
    texts = [*FORMULAS.values(), "- Apple shares fell", "Oil prices rise"]
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": range(-1, len(texts) - 1), "text": texts}).to_csv(source, index=False, lineterminator="\r\n")
    out = tmp_path / "out.csv"
    assert main(["predict", "--checkpoint", str(tiny_checkpoint), "--input", str(source), "--output", str(out)]) == 0
    table = pd.read_csv(out, keep_default_na=False)
    assert table["text"].tolist() == ["'" + t for t in texts[:-1]] + ["Oil prices rise"]
    assert table["text"][len(FORMULAS)] == "'- Apple shares fell"  # readable; strip one quote for the original
    assert table["id"].tolist() == list(range(-1, len(texts) - 1))  # numbers stay numbers
    assert pd.api.types.is_float_dtype(table["tiny P(World)"])
    assert not any(str(v).startswith(FORMULA_STARTS) for v in table.select_dtypes(exclude="number").to_numpy().ravel())


@pytest.mark.parametrize("prefix", sorted(FORMULA_STARTS))
def test_predict_to_stdout_too(tiny_checkpoint: Path, tmp_path: Path, capsys, prefix: str):
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": [prefix + "x+1", "ok"]}).to_csv(source, index=False, lineterminator="\r\n")
    assert main(["predict", "--checkpoint", str(tiny_checkpoint), "--input", str(source)]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert table["text"].tolist() == ["'" + prefix + "x+1", "ok"]  # a lone \r stays inside its quoted cell
