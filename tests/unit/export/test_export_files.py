"""`rnnclf export` on the toy checkpoints (both families, six classes): the files it writes, parity on the
whole test split, the standalone predict.py against the classifier on raw and hostile texts and the
tokenizer's golden fixture, and the refusals (an unknown kind, a folder that is not an export, an export that
does not match)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from toy_datasets import Toys

from rnnclf.checkpoints.registry import load_checkpoint
from rnnclf.cli import main
from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.core.text import _RULES, tokenize
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.export import writer
from rnnclf.export.writer import MODEL, PARITY, PREDICT, SETTINGS, ExportError, export, load_standalone

GOLDEN = ROOT / "tests" / "unit" / "core" / "basic_english_golden.json"
HOSTILE = [
    "",
    "   \t\n",
    "!!! ??? ... ,,, ((( )))",
    "Markets 📈🚀 soar 💰",
    "Ame\u0301lie cafe\u0301 Z\u0335\u0327a\u0336lgo",
    "الأسهم ترتفع في وول ستريت שלום עולם",
    "oil\x00prices\x07rise\x1b[31m red \x7f",
    "oil \ud800 prices \udfff rise",
    "<script>alert(1)</script> rain storm forecast",
    '=HYPERLINK("http://x") guitar concert',
    "İSTANBUL ǅemal ß straße ΣΑΣ",
    'It\'s "quoted" <br />broken; up: (yes)!?',
    "Stocks rally as oil slides. " * 2_000,
]


@pytest.fixture(scope="module")
def exported(toys: Toys, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """six_rnn and six_tfidf, exported once for the module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DATASETS_ENV, str(toys.datasets))
        out = tmp_path_factory.mktemp("exports")
        return {
            name: out / name
            for name in toys.names("six")
            if export(load_checkpoint(name, toys.checkpoints), out / name)
        }


@pytest.fixture(autouse=True)
def toy_datasets(toys: Toys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))


@pytest.mark.parametrize("name", ["six_rnn", "six_tfidf"])
def test_export_files_and_parity_on_the_whole_test_split(name: str, exported: dict, toys: Toys) -> None:
    folder = exported[name]
    assert sorted(p.name for p in folder.iterdir()) == sorted([MODEL, SETTINGS, PREDICT, PARITY])
    checkpoint = load_checkpoint(name, toys.checkpoints)
    settings = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
    assert settings["classes"] == list(checkpoint.classes)
    assert settings["tokenizer"]["replace"] == [list(rule) for rule in _RULES]
    assert "import rnnclf" not in (folder / PREDICT).read_text(encoding="utf-8")
    split = checkpoint.dataset.read_test()
    found = load_standalone(folder).predict_proba(split.texts)
    expected = checkpoint.classifier.predict_proba(split.texts)
    assert np.abs(found - expected).max() <= 1e-5
    assert (found.argmax(1) == expected.argmax(1)).all()
    parity = json.loads((folder / PARITY).read_text(encoding="utf-8"))
    assert parity["rows"] == len(split) and parity["same_class"] == len(split)
    assert parity["max_abs_difference"] == pytest.approx(float(np.abs(found - expected).max()), abs=1e-9)


def test_the_standalone_tokenizer_is_the_projects() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    spec = __import__("importlib.util").util.spec_from_file_location("standalone", ROOT / "rnnclf/export/predict.py")
    module = __import__("importlib.util").util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rules = [list(rule) for rule in _RULES]
    for case in golden:
        assert module.tokenize(case["text"], rules) == case["tokens"]
    for text in HOSTILE:
        assert module.tokenize(text, rules) == tokenize(text)


@pytest.mark.parametrize("name", ["six_rnn", "six_tfidf"])
def test_predict_py_gives_the_classifiers_classes_on_raw_and_hostile_texts(
    name: str, exported: dict, toys: Toys, tmp_path: Path
) -> None:
    golden = [case["text"] for case in json.loads(GOLDEN.read_text(encoding="utf-8"))[:200]]
    texts = HOSTILE + golden
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(exported[name] / PREDICT), "--input", str(tmp_path / "texts.json")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    labels = [json.loads(line)["label"] for line in result.stdout.splitlines()]
    classifier = load_checkpoint(name, toys.checkpoints).classifier
    expected = classifier.predict_proba(texts)
    assert labels == [classifier.classes[i] for i in expected.argmax(1)]


def test_refusals_say_why_and_write_nothing(
    toys: Toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    checkpoint = load_checkpoint("six_tfidf", toys.checkpoints)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    argv = ["export", "six_tfidf", "--out", str(tmp_path / "mine"), "--root", str(toys.checkpoints)]
    assert main(argv) == 2
    assert "not an earlier export" in capsys.readouterr().err
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    other = dataclasses.replace(checkpoint, config=dataclasses.replace(checkpoint.config, kind="gradient_boosting"))
    with pytest.raises(ExportError, match="no ONNX export for models of kind 'gradient_boosting'"):
        export(other, tmp_path / "other")
    monkeypatch.setattr(writer, "TOLERANCE", -1.0)  # no graph can meet it: the check must refuse
    with pytest.raises(ExportError, match="differs from the model"):
        export(checkpoint, tmp_path / "strict")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_the_app_and_the_command_line_never_import_the_export_extra() -> None:
    """onnx, onnxscript and onnxruntime are an optional extra: only `rnnclf export` (when run) loads them."""
    code = (
        "import sys, app.pages, app.views.about, rnnclf.cli, rnnclf.reporting.cards; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('onnx', 'onnxscript', 'onnxruntime')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
