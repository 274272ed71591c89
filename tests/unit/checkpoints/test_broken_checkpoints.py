"""Every way a checkpoint can break gives a clear error naming it; nothing is ever unpickled."""

import ast
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
from rnnclf.checkpoints.storage import write_manifest
from rnnclf.core.paths import PROJECT_ROOT as ROOT


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


# Ruff's bandit rules for deserialization: pickle and the modules that wrap it (S301, S403), marshal
# (S302), unsafe YAML (S506); they resolve imports, so `from pickle import loads` is caught too.
UNPICKLING_RULES = "S301,S302,S403,S506"
# What ruff does not know loads pickles: caught by an AST walk that resolves import aliases the same way.
UNPICKLING_CALLS = {"torch.load", "joblib.load", "pandas.read_pickle"}  # and any allow_pickle that is not False
SOURCES = [ROOT / name for name in ("rnnclf", "app", "bench", "scripts", "streamlit_app.py")]


def unpickling(paths: list[Path]) -> list[str]:
    """Every place in `paths` (files or folders of .py files) that could unpickle, as 'file:line: what'."""
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--preview", "--no-cache", "--output-format=json"]
        + ["--select", UNPICKLING_RULES, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ruff.returncode in (0, 1) and ruff.stdout, ruff.stderr
    found = [f"{d['filename']}:{d['location']['row']}: {d['code']}" for d in json.loads(ruff.stdout)]
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                aliases.update({a.asname or a.name: a.name for a in node.names})
            elif isinstance(node, ast.ImportFrom) and node.module:
                aliases.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            head, _, rest = name.partition(".")
            resolved = ".".join(filter(None, [aliases.get(head, head), rest]))
            pickles = any(
                k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                for k in node.keywords
            )
            if resolved in UNPICKLING_CALLS or pickles:
                found.append(f"{path}:{node.lineno}: {name}")
    return found


def test_no_code_unpickles():
    assert all(path.exists() for path in SOURCES)
    assert unpickling(SOURCES) == []


@pytest.mark.parametrize(
    "source",
    [
        "from pickle import loads\nloads(b'')\n",
        "import pickle as p\np.loads(b'')\n",
        "from pickle import loads as safe\n",
        "import dill\n",
        "import marshal\nmarshal.loads(b'')\n",
        "import yaml\nyaml.load('a')\n",
        "import torch\ntorch.load('x')\n",
        "from torch import load\nload('x')\n",
        "from joblib import load as restore\nrestore('x')\n",
        "import pandas as frames\nframes.read_pickle('x')\n",
        "import numpy\nnumpy.load('x', allow_pickle=True)\n",
    ],
)
def test_the_guard_catches_every_way_in(tmp_path: Path, source: str):
    path = tmp_path / "sneaky.py"
    path.write_text(source)
    assert unpickling([path]), source
    path.write_text("import numpy as np\nnp.load('x', allow_pickle=False)\nimport json\njson.loads('1')\n")
    assert unpickling([path]) == []
