import json
import subprocess
import sys
from pathlib import Path

from rnnclf.core.paths import PROJECT_ROOT as ROOT


def rnnclf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rnnclf", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_predict_json(tiny_checkpoint: Path):
    result = rnnclf("predict", "--checkpoint", str(tiny_checkpoint), "--text", "Oil prices rise", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["label"] in ("World", "Sports", "Business", "Sci/Tech")
    assert abs(sum(out["probabilities"].values()) - 1) < 1e-5


def test_predict_empty_text_exits_2_without_traceback(tiny_checkpoint: Path):
    for text in ("", "   \n\t"):
        result = rnnclf("predict", "--checkpoint", str(tiny_checkpoint), "--text", text)
        assert result.returncode == 2
        assert "empty" in result.stderr and "Traceback" not in result.stderr


def test_missing_checkpoint_exits_nonzero_with_message(tmp_path: Path):
    result = rnnclf("predict", "--checkpoint", str(tmp_path / "gone"), "--text", "hello")
    assert result.returncode == 1
    assert "no such folder" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_and_summary(tiny_checkpoint: Path, tiny_csv: Path):
    result = rnnclf("evaluate", "--checkpoint", str(tiny_checkpoint), "--data", str(tiny_csv), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    stored = json.loads((tiny_checkpoint / "metrics.json").read_text())["test"]
    assert metrics["accuracy"] == stored["accuracy"]
    assert sum(map(sum, metrics["confusion"])) == 2000
    summary = rnnclf("summary", "--root", str(tiny_checkpoint.parent), "--json")
    rows = json.loads(summary.stdout)
    assert [r["checkpoint"] for r in rows] == ["tiny"]
    assert rows[0]["test_accuracy"] == stored["accuracy"]
    table = rnnclf("summary", "--root", str(tiny_checkpoint.parent), "--markdown").stdout.splitlines()
    assert table[0].startswith("| checkpoint | test acc % |") and len(table) == 3
    assert f"| {100 * stored['accuracy']:.2f} |" in table[2]


def test_bad_data_file_exits_nonzero(tiny_checkpoint: Path, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text('"9","x"\n')
    result = rnnclf("evaluate", "--checkpoint", str(tiny_checkpoint), "--data", str(bad))
    assert result.returncode == 1 and "line 1" in result.stderr


def test_batch_predict_csv(tiny_checkpoint: Path, tmp_path: Path):
    source = tmp_path / "in.csv"
    source.write_text('id,headline\n1,"Oil prices rise, stocks fall"\n2,""\n3,"Team wins the cup"\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    result = rnnclf("predict", "--checkpoint", str(tiny_checkpoint), "--input", str(source), "--output", str(out))
    assert result.returncode == 0, result.stderr
    import pandas as pd

    table = pd.read_csv(out, keep_default_na=False)
    assert list(table["id"]) == [1, 2, 3]
    assert table["tiny label"].tolist()[1] == "" and table["tiny label"].tolist()[0] in (
        "World",
        "Sports",
        "Business",
        "Sci/Tech",
    )
    probabilities = table[[f"tiny P({c})" for c in ("World", "Sports", "Business", "Sci/Tech")]]
    assert abs(float(probabilities.iloc[0].astype(float).sum()) - 1) < 1e-5


def test_batch_predict_bad_files(tiny_checkpoint: Path, tmp_path: Path):
    cases = {
        "latin1.csv": ("text\ncaf\xe9\n".encode("latin-1"), "not UTF-8"),
        "empty.csv": (b"", "is empty"),
        "header.csv": (b"text\n", "no rows"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = rnnclf("predict", "--checkpoint", str(tiny_checkpoint), "--input", str(path))
        assert result.returncode == 2 and message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr
    wrong = tmp_path / "cols.csv"
    wrong.write_text("a,b\nx,y\n")
    result = rnnclf("predict", "--checkpoint", str(tiny_checkpoint), "--input", str(wrong), "--column", "text")
    assert result.returncode == 2 and "no column 'text'; the columns are: a, b" in result.stderr


def test_baseline_command_trains_and_publishes(tiny_csv: Path, tmp_path: Path) -> None:
    """The command's lazy import names the module that trains the baseline (a moved module once broke it)."""
    from rnnclf.cli import main

    out = tmp_path / "tfidf_lr"
    assert main(["baseline", "--train", str(tiny_csv), "--test", str(tiny_csv), "--out", str(out)]) == 0
    assert (out / "model.safetensors").is_file()
