"""The app and the CLI's reading commands write nothing to the checkpoints they read; checkpoints that
come, go or break while the app runs show on the next rerun, the others unaffected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.pages import VIEWS
from app.views.batch import PASTE
from apptest_utils import ROOT, SHIPPED, TIMEOUT, enter, messages, open_view, rerun
from readonly_utils import snapshot
from rnnclf import list_checkpoints
from rnnclf.cli import main
from rnnclf.core.paths import CHECKPOINT_DIR

NEWS = "Oil prices rise as OPEC cuts output; stocks fall on Wall Street."


def start(root: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RNNCLF_CHECKPOINTS", str(root))
    return rerun(AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT))


def test_every_page_of_the_app_writes_nothing(read_only_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(read_only_copy)
    at = enter(start(read_only_copy, monkeypatch), NEWS)
    assert at.radio(key="checkpoint").value == SHIPPED[0] and len(at.radio(key="checkpoint").options) == len(SHIPPED)
    for view in VIEWS:
        at = open_view(at, view.title)
        assert "cannot" not in messages(at), (view.id, messages(at))
    at = open_view(at, "Batch")
    at.segmented_control(key="batch_source").set_value(PASTE)
    at = rerun(at)
    at.text_area(key="batch_lines").input(f"{NEWS}\nThe Yankees beat the Red Sox")
    at = rerun(at)
    at.button(key="batch_score").click()
    assert rerun(at).success, "the batch was scored"
    assert snapshot(read_only_copy) == before


def test_the_cli_reading_commands_write_nothing(read_only_copy: Path, tiny_csv: Path, tmp_path: Path, capsys) -> None:
    before = snapshot(read_only_copy)
    folders = [str(read_only_copy / name) for name in SHIPPED]
    assert main(["predict", "--checkpoint", *folders, "--text", NEWS, "--json"]) == 0
    source = tmp_path / "in.csv"
    source.write_text(f"text\n{NEWS}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["predict", "--checkpoint", *folders, "--input", str(source), "--output", str(out)]) == 0
    for folder in (folders[0], str(read_only_copy / "tfidf_lr")):  # one of each family
        assert main(["evaluate", "--checkpoint", folder, "--data", str(tiny_csv), "--json"]) == 0
    for form in ([], ["--json"], ["--markdown"]):
        assert main(["summary", "--root", str(read_only_copy), *form]) == 0
    assert "ERROR" not in capsys.readouterr().out
    assert snapshot(read_only_copy) == before


def test_checkpoints_added_damaged_removed_or_repaired_show_on_the_next_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = "approach1", "tfidf_lr", "approach2"
    for vocab in CHECKPOINT_DIR.glob("vocab-*.json"):
        shutil.copy(vocab, tmp_path)
    for name in (first, second):
        shutil.copytree(CHECKPOINT_DIR / name, tmp_path / name)
    at = open_view(start(tmp_path, monkeypatch), "Summary")

    def summarized() -> list[str]:
        return at.dataframe[0].value["checkpoint"].tolist() if at.dataframe else []

    assert summarized() == [first, second]
    shutil.copytree(CHECKPOINT_DIR / third, tmp_path / third)
    at = rerun(at)
    assert summarized() == [first, third, second] and len(at.radio(key="checkpoint").options) == 3

    weights = tmp_path / second / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    at = rerun(at)
    assert summarized() == [first, third] and len(at.error) == 1 and "sha256" in messages(at)
    at = enter(open_view(at, "Probe"), NEWS)
    assert at.metric[0].label == "Predicted class"  # the others still predict
    at.radio(key="checkpoint").set_value(second)
    at = rerun(at)
    assert not at.metric and "sha256" in messages(at)

    shutil.copy(CHECKPOINT_DIR / second / "model.safetensors", weights)  # repaired: usable again
    at = rerun(at)
    assert at.metric[0].label == "Predicted class"

    shutil.rmtree(tmp_path / second)  # the one on screen disappears
    shutil.rmtree(tmp_path / third)
    at = rerun(at)
    assert list_checkpoints(tmp_path) == [first] and len(at.radio(key="checkpoint").options) == 1
    assert at.radio(key="checkpoint").value == first and at.metric[0].label == "Predicted class"
