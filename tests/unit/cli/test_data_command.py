"""`rnnclf data add/list/show`: every bad input gives one message naming what is wrong, exit status 2, and
leaves the datasets and checkpoints as they were; good input in every format becomes the same dataset."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from rnnclf.cli import main
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.data.registry import DATASETS_ENV, get_dataset

ROWS = [("text", "label")] + [
    (f"words of ticket {i} about {topic}", topic) for i in range(12) for topic in ("bill", "bug", "login")
]


def write_csv(path: Path, rows: list[tuple[str, ...]], delimiter: str = ",") -> Path:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def tree(root: Path) -> dict[str, int]:
    """Every file under `root` (hidden ones too) and its size: what "unchanged" compares."""
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*")} if root.exists() else {}


@pytest.fixture
def datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "datasets"
    monkeypatch.setenv(DATASETS_ENV, str(root))
    return root


def add(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    status = main(["data", "add", *args])
    out, err = capsys.readouterr()
    return status, out, err


def bad_files(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (arguments after NAME, a part of the message)."""
    good = write_csv(tmp / "good.csv", ROWS)
    empty = tmp / "empty.csv"
    empty.write_text("")
    header_only = write_csv(tmp / "header.csv", ROWS[:1])
    one_class = write_csv(tmp / "one.csv", [("text", "label")] + [(f"t {i}", "bill") for i in range(9)])
    many = write_csv(tmp / "many.csv", [("text", "label")] + [(f"t {i}", f"c{i}") for i in range(101)])
    few = write_csv(tmp / "few.csv", [*ROWS, ("one rare row", "rare"), ("another rare row", "rare")])
    no_label = write_csv(tmp / "nolabel.csv", [*ROWS[:5], ("a text without label", " "), *ROWS[5:]])
    no_text = write_csv(tmp / "notext.csv", [*ROWS[:3], ("", "bug"), *ROWS[3:]])
    latin = tmp / "latin.csv"
    latin.write_bytes("text,label\ncaf\xe9 au lait,bill\n".encode("latin-1"))
    test_unknown = write_csv(tmp / "test.csv", [("text", "label"), ("a new kind", "refund")])
    ragged = tmp / "ragged.csv"
    ragged.write_text("text,label\nfine,bill\ntoo,many,fields\n")
    return {
        "missing file": (["--train", str(tmp / "nowhere.csv")], "no such file"),
        "empty file": (["--train", str(empty)], "the file is empty"),
        "header only": (["--train", str(header_only)], "no row has both a text and a label"),
        "unknown format": (["--train", str(tmp / "rows.xlsx")], "unknown format"),
        "no such text column": (
            ["--train", str(good), "--text-column", "body"],
            "no column 'body'; the columns are: text, label",
        ),
        "no such label column": (
            ["--train", str(good), "--label-column", "topic"],
            "no column 'topic'; the columns are: text, label",
        ),
        "one class": (["--train", str(one_class)], "a classifier needs 2 classes or more"),
        "over 100 classes": (["--train", str(many)], "more than 100 distinct labels"),
        "too few to split": (["--train", str(few)], "too few rows to hold out a test split for 'rare' (2)"),
        "empty label": (["--train", str(no_label)], "line 6: empty or missing label (--bad-rows skip"),
        "empty text": (["--train", str(no_text)], "line 4: empty or missing text"),
        "not UTF-8": (["--train", str(latin)], "line 2: not UTF-8 text"),
        "ragged row": (["--train", str(ragged)], "line 3: 3 fields, the header has 2"),
        "unknown test label": (
            ["--train", str(good), "--test", str(test_unknown)],
            "labels the training file does not have: 'refund'",
        ),
        "bad fraction": (["--train", str(good), "--test-fraction", "1.5"], "--test-fraction must be between 0 and 1"),
    }


CASES = (
    "missing file",
    "empty file",
    "header only",
    "unknown format",
    "no such text column",
    "no such label column",
    "one class",
    "over 100 classes",
    "too few to split",
    "empty label",
    "empty text",
    "not UTF-8",
    "ragged row",
    "unknown test label",
    "bad fraction",
)


def test_every_case_is_built(tmp_path: Path) -> None:
    assert set(bad_files(tmp_path)) == set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_with_its_message_and_writes_nothing(
    case: str, datasets: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    arguments, message = bad_files(tmp_path)[case]
    checkpoints = tree(CHECKPOINT_DIR)
    status, out, err = add(capsys, "tickets", *arguments)
    assert (status, out) == (2, "") and message in err and err.count("\n") == 1, err
    assert not datasets.exists() and tree(CHECKPOINT_DIR) == checkpoints


def test_a_taken_name_is_refused_and_replace_overwrites(datasets: Path, tmp_path: Path, capsys) -> None:
    good = write_csv(tmp_path / "good.csv", ROWS)
    assert add(capsys, "tickets", "--train", str(good))[0] == 0
    before = tree(datasets)
    status, _, err = add(capsys, "tickets", "--train", str(good), "--seed", "3")
    assert status == 2 and "exists already; --replace overwrites it" in err and tree(datasets) == before
    for name, message in (("ag_news", "is a built-in dataset"), ("My-Set", "is not a dataset name")):
        status, _, err = add(capsys, name, "--train", str(good))
        assert status == 2 and message in err and tree(datasets) == before
    assert add(capsys, "tickets", "--train", str(good), "--seed", "3", "--replace")[0] == 0
    assert get_dataset("tickets").holdout.seed == 3 and sorted(tree(datasets)) == sorted(before)


def test_bad_rows_skip_counts_them(datasets: Path, tmp_path: Path, capsys) -> None:
    rows = [*ROWS[:3], ("", "bug"), ("no label here", ""), *ROWS[3:]]
    status, out, _ = add(capsys, "tickets", "--train", str(write_csv(tmp_path / "t.csv", rows)), "--bad-rows", "skip")
    assert status == 0 and "skipped 2 rows" in out and "(lines 4, 5)" in out
    dataset = get_dataset("tickets")
    assert dataset.train.rows + dataset.test.rows == len(ROWS) - 1 and dataset.sources[0].skipped == 2


def test_every_format_gives_the_same_dataset(datasets: Path, tmp_path: Path, capsys) -> None:
    """CSV, TSV, gzipped CSV, JSON Lines and Parquet of the same rows store the same split files."""
    import pandas as pd

    frame = pd.DataFrame(ROWS[1:], columns=["Text", "Label"])  # header case differs: matched without it
    paths = [
        write_csv(tmp_path / "a.csv", [("Text", "Label"), *ROWS[1:]]),
        write_csv(tmp_path / "a.tsv", [("Text", "Label"), *ROWS[1:]], "\t"),
    ]
    with gzip.open(tmp_path / "a.csv.gz", "wt", encoding="utf-8") as handle:
        frame.to_csv(handle, index=False)
    frame.to_json(tmp_path / "a.jsonl", orient="records", lines=True)
    frame.to_parquet(tmp_path / "a.parquet")
    paths += [tmp_path / "a.csv.gz", tmp_path / "a.jsonl", tmp_path / "a.parquet"]
    pins = set()
    for number, path in enumerate(paths):
        status, out, err = add(capsys, f"set{number}", "--train", str(path))
        assert status == 0, err
        dataset = get_dataset(f"set{number}")
        assert dataset.classes == ("bill", "bug", "login")
        pins.add((dataset.train.sha256, dataset.test.sha256))
    assert len(pins) == 1


def test_leakage_is_a_warning_and_list_and_show_describe_it(datasets: Path, tmp_path: Path, capsys) -> None:
    train = write_csv(tmp_path / "train.csv", ROWS)
    test = write_csv(tmp_path / "test.csv", [ROWS[0], ROWS[1], ("a text never seen", "bug")])
    status, out, err = add(capsys, "tickets", "--train", str(train), "--test", str(test))
    assert status == 0 and "warning: 1 test rows have a text that is also in the training rows" in err
    assert main(["data", "list"]) == 0
    listed = capsys.readouterr().out
    assert "tickets" in listed and "3 (bill, bug, login)" in listed and "ag_news" in listed
    assert main(["data", "show", "tickets"]) == 0
    shown = capsys.readouterr().out
    assert "test texts also in train (leakage): 1" in shown and re.search(r"^bill +12 +1$", shown, re.M)
    assert main(["data", "show", "nowhere"]) == 2 and "no dataset named 'nowhere'" in capsys.readouterr().err
    record = json.loads((datasets / "tickets" / "dataset.json").read_text())
    assert "holdout" not in record  # the test file was given: nothing was held out
    assert [s["path"] for s in record["sources"]] == [str(train), str(test)]
