import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rnnclf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnclf", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


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
    assert rows[0]["test_accuracy"] == round(100 * stored["accuracy"], 2)


def test_bad_data_file_exits_nonzero(tiny_checkpoint: Path, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text('"9","x"\n')
    result = rnnclf("evaluate", "--checkpoint", str(tiny_checkpoint), "--data", str(bad))
    assert result.returncode == 1 and "line 1" in result.stderr
