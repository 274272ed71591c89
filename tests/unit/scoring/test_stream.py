"""Streaming scoring: chunked output equals the one-frame result, memory does not grow with the file,
an interrupted run leaves nothing, malformed rows are named by line."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.groups.streaming import PEAK_RSS
from rnnclf import load_classifier
from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.scoring import csvsafe
from rnnclf.scoring.batch import BatchError, read_table, score
from rnnclf.scoring.stream import score_file

CLASSES = ("World", "Sports", "Business", "Sci/Tech")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,500 test texts with an id, some empty, some with commas, quotes, newlines and formula starts."""
    texts = read_csv(TEST_PATH).texts[:2500]
    rows = [["id", "text"]]
    for i, text in enumerate(texts):
        if i % 97 == 0:
            text = ""
        elif i % 89 == 0:
            text = f'=cmd "quoted", {text}\nsecond line'
        rows.append([str(i), text])
    return write_csv(tmp_path_factory.mktemp("stream") / "corpus.csv", rows)


def read_scored(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_same_table(streamed: pd.DataFrame, whole: pd.DataFrame) -> None:
    """Same rows, order, columns and labels; probabilities equal up to float32 rounding of other batchings."""
    assert list(streamed.columns) == list(whole.columns)
    probability = [c for c in whole.columns if " P(" in c]
    other = [c for c in whole.columns if c not in probability]
    pd.testing.assert_frame_equal(streamed[other], whole[other])
    a = streamed[probability].replace("", "nan").astype(float).to_numpy()
    b = whole[probability].replace("", "nan").astype(float).to_numpy()
    np.testing.assert_allclose(a, b, rtol=0, atol=2e-6)


def test_multi_chunk_stream_equals_scoring_the_whole_frame(tiny_checkpoint: Path, corpus: Path, tmp_path: Path):
    classifiers = [load_classifier(tiny_checkpoint), load_classifier("tfidf_lr")]
    out = tmp_path / "out.csv"
    report = score_file(corpus, out, classifiers, chunk_rows=700, progress=False)
    frame = read_table(corpus.read_bytes())
    whole_csv = tmp_path / "whole.csv"
    csvsafe.to_csv(score(frame, "text", classifiers), whole_csv)
    assert report.rows == len(frame) == 2500 and report.skipped == ()
    streamed, whole = read_scored(out), read_scored(whole_csv)
    assert_same_table(streamed, whole)
    assert (streamed["tiny label"] == "").sum() == (frame["text"] == "").sum() > 0
    assert streamed["text"].str.startswith("'=cmd").sum() > 0  # neutralised like every CSV we write


def test_jsonl_and_parquet_give_the_csv_result(tiny_checkpoint: Path, corpus: Path, tmp_path: Path):
    classifiers = [load_classifier(tiny_checkpoint)]
    frame = read_table(corpus.read_bytes())
    frame.to_json(tmp_path / "c.jsonl", orient="records", lines=True, force_ascii=False)
    frame.to_parquet(tmp_path / "c.parquet", row_group_size=600)
    score_file(corpus, tmp_path / "from_csv.csv", classifiers, chunk_rows=500, progress=False)
    for name in ("c.jsonl", "c.parquet"):
        score_file(tmp_path / name, tmp_path / f"{name}.csv", classifiers, chunk_rows=500, progress=False)
        pd.testing.assert_frame_equal(read_scored(tmp_path / f"{name}.csv"), read_scored(tmp_path / "from_csv.csv"))


def test_the_output_can_be_jsonl_or_parquet(tiny_checkpoint: Path, corpus: Path, tmp_path: Path):
    classifiers = [load_classifier(tiny_checkpoint)]
    whole = score(read_table(corpus.read_bytes()), "text", classifiers)  # what one frame scores, unescaped
    score_file(corpus, tmp_path / "out.jsonl", classifiers, chunk_rows=700, progress=False)
    score_file(corpus, tmp_path / "out.parquet", classifiers, chunk_rows=700, progress=False)
    jsonl = pd.read_json(tmp_path / "out.jsonl", lines=True, dtype={"id": str})
    parquet = pd.read_parquet(tmp_path / "out.parquet")
    for written in (jsonl, parquet):
        assert list(written.columns) == list(whole.columns) and len(written) == 2500
        assert written["text"].tolist() == whole["text"].tolist()  # no spreadsheet escaping outside CSV
        assert written["tiny label"].tolist() == whole["tiny label"].tolist()
        probability = [c for c in whole.columns if " P(" in c]
        np.testing.assert_allclose(written[probability].to_numpy(float), whole[probability].to_numpy(float), atol=2e-6)
    with pytest.raises(BatchError, match=r"\.csv, \.jsonl, \.parquet"):
        score_file(corpus, tmp_path / "out.xlsx", classifiers, progress=False)
    assert not list(tmp_path.glob("*xlsx*"))


def test_jsonl_records_with_other_keys_keep_the_first_chunks_columns(tiny_checkpoint: Path, tmp_path: Path):
    source = tmp_path / "mixed.jsonl"
    source.write_text('{"text": "oil prices rise"}\n{"text": "the team won", "extra": "x"}\n', encoding="utf-8")
    score_file(source, tmp_path / "out.csv", [load_classifier(tiny_checkpoint)], chunk_rows=1, progress=False)
    scored = read_scored(tmp_path / "out.csv")
    assert list(scored.columns[:1]) == ["text"] and "extra" not in scored.columns and len(scored) == 2


def test_malformed_rows_stop_with_their_line_or_are_skipped_and_counted(tiny_checkpoint: Path, tmp_path: Path):
    source = tmp_path / "bad.csv"
    source.write_text(
        'id,text\n1,"two\nlines"\n2,fine\n3,too,many\n4,"ok"\n5,"broken"quote\n6,last\n', encoding="utf-8"
    )
    classifiers = [load_classifier(tiny_checkpoint)]
    out = tmp_path / "out.csv"
    with pytest.raises(BatchError, match=r"line 5: 3 fields, the header has 2"):
        score_file(source, out, classifiers, progress=False)
    assert not out.exists() and list(tmp_path.glob(".out.csv*")) == []
    report = score_file(source, out, classifiers, on_bad="skip", progress=False)
    assert [b.line for b in report.skipped] == [5, 7]
    assert read_scored(out)["id"].tolist() == ["1", "2", "4", "6"]
    assert "skipped 2 malformed rows (lines 5, 7)" in report.describe()


def test_json_lines_without_an_object_stop_with_their_line_or_are_skipped(tiny_checkpoint: Path, tmp_path: Path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"text": "oil prices rise"}\n{broken\n\n[1, 2]\n{"text": "the team won"}\n', encoding="utf-8")
    classifiers = [load_classifier(tiny_checkpoint)]
    out = tmp_path / "out.csv"
    with pytest.raises(BatchError, match=r"line 2: not valid JSON"):
        score_file(source, out, classifiers, progress=False)
    report = score_file(source, out, classifiers, on_bad="skip", progress=False)
    assert [b.line for b in report.skipped] == [2, 4]
    assert read_scored(out)["text"].tolist() == ["oil prices rise", "the team won"]


def rnnclf(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rnnclf", *args], cwd=ROOT, stderr=subprocess.PIPE, text=True, **kwargs
    )


def peak_rss_mb(checkpoint: Path, source: Path, out: Path) -> float:
    result = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, "predict", "--checkpoint", str(checkpoint), "--input", str(source)]
        + ["--output", str(out), "--chunk-rows", "200", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return float(result.stdout.split()[-1])


@pytest.fixture(scope="module")
def wide_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 4 MB and a 40 MB CSV of the same rows: short texts beside a 2 KB column (bytes, not scoring work)."""
    folder = tmp_path_factory.mktemp("wide")
    row = ["Oil prices rise as stocks fall", "x" * 2000]
    small = write_csv(folder / "small.csv", [["text", "payload"], *[row] * 2_000])
    large = write_csv(folder / "large.csv", [["text", "payload"], *[row] * 20_000])
    return small, large


def test_peak_memory_does_not_grow_with_the_file(tiny_checkpoint: Path, wide_files: tuple[Path, Path], tmp_path: Path):
    small, large = wide_files
    assert large.stat().st_size > 9 * small.stat().st_size and large.stat().st_size > 30 * 2**20  # > the app's limit
    small_peak = peak_rss_mb(tiny_checkpoint, small, tmp_path / "small.out.csv")
    large_peak = peak_rss_mb(tiny_checkpoint, large, tmp_path / "large.out.csv")
    assert len(read_scored(tmp_path / "large.out.csv")) == 20_000
    # Reading the large file whole would add its 36 MB more (as Python strings, several times that).
    assert large_peak - small_peak < 12, (small_peak, large_peak)


def test_interrupted_run_leaves_no_output(tiny_checkpoint: Path, wide_files: tuple[Path, Path], tmp_path: Path):
    out = tmp_path / "out.csv"
    args = ["predict", "--checkpoint", str(tiny_checkpoint), "--input", str(wide_files[1]), "--output", str(out)]
    process = rnnclf(*args, "--chunk-rows", "50", "--quiet")
    deadline = time.monotonic() + 120  # how long to wait for the partial file, not a speed requirement
    while not any(p.stat().st_size > 0 for p in tmp_path.glob(".out.csv.*.partial")):
        if process.poll() is not None:
            pytest.fail("the run ended before it could be interrupted")
        if time.monotonic() > deadline:
            pytest.fail("no partial output appeared to interrupt")
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
