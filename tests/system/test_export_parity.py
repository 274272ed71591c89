"""Every shipped checkpoint exported to ONNX: onnxruntime's probabilities on the whole test split within 1e-5
of the project's stored ones, the same class everywhere, and the standalone predict.py giving the classes
`rnnclf predict` gives on raw and hostile texts (one process each, reading the same JSON Lines file)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from rnnclf.checkpoints.registry import list_checkpoints, load_checkpoint
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.export.writer import PARITY, PREDICT, TOLERANCE, Parity, export

SHIPPED = list_checkpoints(CHECKPOINT_DIR)
GOLDEN = ROOT / "tests" / "unit" / "core" / "basic_english_golden.json"
HOSTILE = [
    "!!! ??? ... ,,, ((( )))",
    "Markets 📈🚀 soar 💰",
    "Ame\u0301lie cafe\u0301 Z\u0335\u0327a\u0336lgo",
    "الأسهم ترتفع في وول ستريت שלום עולם",
    "oil\x00prices\x07rise\x1b[31m red \x7f",
    "<script>alert(1)</script> Shares fell",
    '=HYPERLINK("http://x") Team wins',
    "İSTANBUL ǅemal ß straße ΣΑΣ bourse",
    'It\'s "quoted" <br />broken; up: (yes)!?',
    "qzxv wqrtp zzzyx vbnmq",
    "Stocks rally as oil slides. " * 2_000,
]


def run(*args: str, cwd: Path = ROOT) -> str:
    result = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Parity]]:
    """Every shipped checkpoint exported once, in this process (torch's exporter takes most of the time):
    each export checks predict.py and onnxruntime against the checkpoint on its whole test split."""
    out = tmp_path_factory.mktemp("exports")
    return out, {name: export(load_checkpoint(name), out / name) for name in SHIPPED}


@pytest.mark.parametrize("name", SHIPPED)
def test_parity_on_the_whole_test_split(name: str, exports: tuple[Path, dict[str, Parity]]) -> None:
    out, found = exports
    parity = found[name]
    assert parity.rows == len(load_checkpoint(name).dataset.read_test())
    assert parity.max_abs_difference <= TOLERANCE and parity.same_class == parity.rows
    assert json.loads((out / name / PARITY).read_text(encoding="utf-8")) == dataclasses.asdict(parity)


def test_predict_py_agrees_with_rnnclf_predict(exports: tuple[Path, dict[str, Parity]], tmp_path: Path) -> None:
    out = exports[0]
    texts = HOSTILE + [case["text"] for case in json.loads(GOLDEN.read_text(encoding="utf-8"))[:300]]
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    with open(tmp_path / "texts.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"text": text}) + "\n" for text in texts)
    run(
        sys.executable, "-m", "rnnclf", "predict", "--checkpoint", *SHIPPED,
        "--input", str(tmp_path / "texts.jsonl"), "--output", str(tmp_path / "out.csv"),
    )  # fmt: skip
    scored = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert len(scored) == len(texts)
    for name in SHIPPED:
        printed = run(sys.executable, str(out / name / PREDICT), "--input", str(tmp_path / "texts.json"), cwd=tmp_path)
        labels = [json.loads(line)["label"] for line in printed.splitlines()]
        assert labels == scored[f"{name} label"].tolist(), name
