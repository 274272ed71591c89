"""Every way a checkpoint can break gives a clear error naming it; nothing is ever unpickled."""

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from rnnclf import CheckpointError, list_checkpoints, load_classifier
from rnnclf.storage import write_manifest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def checkpoint(tiny_checkpoint: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny checkpoint (and its vocabulary) to break."""
    shutil.copytree(tiny_checkpoint, tmp_path / "broken")
    for vocab in tiny_checkpoint.parent.glob("vocab-*.json"):
        shutil.copy(vocab, tmp_path)
    return tmp_path / "broken"


def truncate_weights(folder: Path) -> None:
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


def flip_bytes(folder: Path) -> None:
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    for i in range(200, 260):
        data[i] ^= 0x5A
    weights.write_bytes(bytes(data))


def edit_manifest(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["config.json"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))


def swap_vocab(folder: Path) -> None:
    vocab = next(folder.parent.glob("vocab-*.json"))
    tokens = json.loads(vocab.read_text())
    vocab.write_text(json.dumps(tokens[:1] + tokens[2:]))


def wrong_shapes(folder: Path) -> None:
    """Weights of another shape, re-hashed into the manifest: only the shape check can catch it."""
    save_file({"embedding.weight": torch.zeros(10, 50)}, str(folder / "model.safetensors"))
    write_manifest(folder)


def pickle_as_weights(folder: Path) -> None:
    """A pickle where the weights belong, even re-hashed: it must be refused, never unpickled."""
    (folder / "model.safetensors").write_bytes(pickle.dumps({"embedding.weight": [1.0]}))
    write_manifest(folder)


def unreadable_config(folder: Path) -> None:
    (folder / "config.json").write_text("{not json")
    write_manifest(folder)


BREAKAGES = {
    "truncated weights": (truncate_weights, "model.safetensors does not match its sha256"),
    "flipped bytes": (flip_bytes, "model.safetensors does not match its sha256"),
    "missing config": (lambda f: (f / "config.json").unlink(), "config.json is missing"),
    "missing metrics": (lambda f: (f / "metrics.json").unlink(), "metrics.json is missing"),
    "missing manifest": (lambda f: (f / "manifest.json").unlink(), "manifest.json is missing"),
    "manifest mismatch": (edit_manifest, "config.json does not match its sha256"),
    "vocabulary hash mismatch": (swap_vocab, "vocabulary vocab-.* does not match"),
    "missing vocabulary": (lambda f: next(f.parent.glob("vocab-*.json")).unlink(), "vocabulary file .* not found"),
    "wrong shapes": (wrong_shapes, "weights do not fit approach1"),
    "pickle as weights": (pickle_as_weights, "not a readable safetensors file"),
    "unreadable config": (unreadable_config, "unreadable JSON"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_checkpoint_gives_a_clear_error(checkpoint: Path, breakage: str):
    damage, message = BREAKAGES[breakage]
    damage(checkpoint)
    with pytest.raises(CheckpointError, match=message) as info:
        load_classifier(checkpoint)
    assert "'broken'" in str(info.value)


def test_cli_exits_nonzero_with_the_message(checkpoint: Path):
    flip_bytes(checkpoint)
    result = subprocess.run(
        [sys.executable, "-m", "rnnclf", "predict", "--checkpoint", str(checkpoint), "--text", "oil prices"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1
    assert "checkpoint 'broken'" in result.stderr and "Traceback" not in result.stderr


def test_a_broken_checkpoint_does_not_hide_the_others(checkpoint: Path, tiny_checkpoint: Path):
    shutil.copytree(tiny_checkpoint, checkpoint.parent / "good")
    truncate_weights(checkpoint)
    assert list_checkpoints(checkpoint.parent) == ["broken", "good"]
    assert load_classifier("good", root=checkpoint.parent).predict_proba(["oil"]).shape == (1, 4)


def test_no_code_unpickles():
    sources = [p for folder in ("rnnclf", "app", "bench") for p in (ROOT / folder).rglob("*.py")]
    sources.append(ROOT / "streamlit_app.py")
    for source in sources:
        if source.exists():
            text = source.read_text()
            for forbidden in ("import pickle", "pickle.load", "torch.load(", "joblib", "allow_pickle=True"):
                assert forbidden not in text, f"{source} mentions {forbidden}"
