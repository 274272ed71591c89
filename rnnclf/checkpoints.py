"""Checkpoints on disk: safetensors weights, JSON metadata, a sha256 manifest. Never pickle.

A checkpoint is a folder `checkpoints/<name>/` holding
  model.safetensors  weights, stored as float16 (the metrics are measured on exactly these weights)
  config.json        what was trained how: approach, vocabulary file and hash, rows, epochs, seed, versions
  metrics.json       test metrics, per-epoch history, training time
  test_predictions.safetensors  (optional) test-split probabilities, for the error explorer
  manifest.json      sha256 of each file above; loading refuses any mismatch
The vocabulary (`vocab-<hash>.json`) sits beside the folders, shared by the checkpoints trained on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .approaches import Approach
from .classifier import Classifier, RecurrentTextClassifier
from .data import PROJECT_ROOT
from .models import RecurrentClassifier
from .text import Vocab

CHECKPOINT_DIR = PROJECT_ROOT / "checkpoints"
WEIGHTS, CONFIG, METRICS, MANIFEST = "model.safetensors", "config.json", "metrics.json", "manifest.json"
PREDICTIONS = "test_predictions.safetensors"
REQUIRED = (WEIGHTS, CONFIG, METRICS)
OPTIONAL = (PREDICTIONS,)
STORAGE_DTYPE = torch.float16


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names it and says what is wrong."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_json(path: Path, data: dict) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_manifest(folder: Path) -> None:
    names = [*REQUIRED, *(name for name in OPTIONAL if (folder / name).is_file())]
    write_json(folder / MANIFEST, {"files": {name: sha256_file(folder / name) for name in names}})


def list_checkpoints(root: Path = CHECKPOINT_DIR) -> list[str]:
    """Names of the checkpoint folders under `root` (broken ones too: loading says what is wrong)."""
    root = Path(root)
    if not root.is_dir():
        return []
    _recover_interrupted_swaps(root)
    names = [p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return sorted(names, key=_natural_key)


def _natural_key(name: str) -> tuple:
    digits = "".join(c for c in name if c.isdigit())
    return (name.rstrip("0123456789"), int(digits) if digits and name[-1].isdigit() else -1, name)


def resolve(name_or_path: str | Path, root: Path = CHECKPOINT_DIR) -> Path:
    path = Path(name_or_path)
    if path.is_dir() or path.is_absolute() or len(path.parts) > 1:
        return path
    return Path(root) / path


def read_verified(folder: Path) -> tuple[dict, dict]:
    """Check the manifest and return (config, metrics); any problem raises CheckpointError."""
    name = folder.name
    if not folder.is_dir():
        raise CheckpointError(f"checkpoint {name!r}: no such folder ({folder})")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {name!r}: {MANIFEST} is missing") from None
    except (ValueError, KeyError, TypeError):
        raise CheckpointError(f"checkpoint {name!r}: {MANIFEST} is not valid JSON with a 'files' map") from None
    for required in REQUIRED:
        if required not in manifest:
            raise CheckpointError(f"checkpoint {name!r}: {MANIFEST} does not list {required}")
    for listed, digest in manifest.items():
        path = folder / Path(str(listed)).name
        if not path.is_file():
            raise CheckpointError(f"checkpoint {name!r}: {path.name} is missing")
        if sha256_file(path) != digest:
            raise CheckpointError(
                f"checkpoint {name!r}: {path.name} does not match its sha256 in {MANIFEST} "
                "(changed, truncated or corrupted); refusing to load it"
            )
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        metrics = json.loads((folder / METRICS).read_text(encoding="utf-8"))
    except ValueError as error:
        raise CheckpointError(f"checkpoint {name!r}: unreadable JSON ({error})") from None
    return config, metrics


def load_vocab(folder: Path, config: dict) -> Vocab:
    """The vocabulary named in the config, looked for in the checkpoint folder, then beside it."""
    name = folder.name
    entry = config.get("vocab") or {}
    file_name = Path(str(entry.get("file", ""))).name
    candidates = [folder / file_name, folder.parent / file_name] if file_name else []
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise CheckpointError(f"checkpoint {name!r}: vocabulary file {file_name or '(none named)'} not found")
    if sha256_file(path) != entry.get("sha256"):
        raise CheckpointError(f"checkpoint {name!r}: vocabulary {path.name} does not match the sha256 in {CONFIG}")
    try:
        return Vocab.load(path)
    except ValueError as error:
        raise CheckpointError(f"checkpoint {name!r}: {error}") from None


def load_weights(folder: Path) -> dict[str, torch.Tensor]:
    try:
        tensors = load_file(folder / WEIGHTS)
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: {WEIGHTS} is not a readable safetensors file ({error})") from None
    return {key: value.float() for key, value in tensors.items()}


def _load_recurrent(folder: Path, config: dict, metrics: dict) -> Classifier:
    try:
        approach = Approach.from_dict(config["approach"])
    except (KeyError, TypeError) as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: {CONFIG} has no valid 'approach' ({error})") from None
    vocab = load_vocab(folder, config)
    model = RecurrentClassifier(approach, len(vocab))
    try:
        model.load_state_dict(load_weights(folder))
    except RuntimeError as error:
        first = str(error).strip().splitlines()
        raise CheckpointError(
            f"checkpoint {folder.name!r}: weights do not fit {approach.id} "
            f"({first[1].strip() if len(first) > 1 else first[0]})"
        ) from None
    return RecurrentTextClassifier(folder.name, model, vocab, config, metrics)


def _load_tfidf_lr(folder: Path, config: dict, metrics: dict) -> Classifier:
    from .baseline import load  # imported here: baseline builds on this module

    return load(folder, config, metrics)


# Every kind of checkpoint and how it loads; other model families register here.
LOADERS: dict[str, Callable[[Path, dict, dict], Classifier]] = {"recurrent": _load_recurrent, "tfidf_lr": _load_tfidf_lr}


def load_classifier(name_or_path: str | Path, root: Path = CHECKPOINT_DIR) -> Classifier:
    """Load a checkpoint by name (under `root`) or by folder path, verifying every file first."""
    folder = resolve(name_or_path, root)
    _recover_interrupted_swaps(folder.parent)
    config, metrics = read_verified(folder)
    kind = config.get("kind", "recurrent")
    if kind not in LOADERS:
        raise CheckpointError(f"checkpoint {folder.name!r}: unknown kind {kind!r}")
    classifier = LOADERS[kind](folder, config, metrics)
    classifier.folder = folder
    return classifier


def load_predictions(folder: Path) -> np.ndarray | None:
    """The stored test-split probabilities, if the checkpoint has them (verified by its manifest)."""
    read_verified(folder)
    if not (folder / PREDICTIONS).is_file():
        return None
    try:
        return load_file(folder / PREDICTIONS)["probabilities"].numpy()
    except (SafetensorError, OSError, KeyError) as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: unreadable {PREDICTIONS} ({error})") from None


def write_predictions(folder: Path, probabilities: np.ndarray) -> None:
    save_file({"probabilities": torch.from_numpy(np.ascontiguousarray(probabilities, dtype=np.float32))},
              str(folder / PREDICTIONS))


def store_predictions(folder: Path, probabilities: np.ndarray) -> None:
    """Add (or replace) the test predictions of an existing checkpoint, atomically like `publish`."""
    config, metrics = read_verified(folder)

    def write(tmp: Path) -> None:
        shutil.copy2(folder / WEIGHTS, tmp / WEIGHTS)
        write_predictions(tmp, probabilities)

    publish(folder, write, config, metrics)


def save_recurrent(
    folder: Path, model: RecurrentClassifier, config: dict, metrics: dict, predictions: np.ndarray | None = None
) -> None:
    """Write a whole checkpoint atomically: a killed run leaves the previous one intact."""
    tensors = {k: v.detach().to(STORAGE_DTYPE).contiguous() for k, v in model.state_dict().items()}

    def write(tmp: Path) -> None:
        save_file(tensors, str(tmp / WEIGHTS), metadata={"format": "rnnclf"})
        if predictions is not None:
            write_predictions(tmp, predictions)

    publish(folder, write, config, metrics)


def publish(folder: Path, write_files: Callable[[Path], None], config: dict, metrics: dict) -> None:
    """Build the checkpoint in a hidden temporary folder, then swap it in with renames.

    `write_files(tmp)` writes the weights (and any optional files) into the temporary folder.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        write_files(tmp)
        write_json(tmp / CONFIG, config)
        write_json(tmp / METRICS, metrics)
        write_manifest(tmp)
        for path in (tmp, *tmp.iterdir()):  # mkdtemp makes private folders; checkpoints are shared files
            path.chmod(0o755 if path.is_dir() else 0o644)
        _swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(new: Path, folder: Path) -> None:
    old = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)  # between the two renames only `.old` exists: see _recover_interrupted_swaps
    shutil.rmtree(old, ignore_errors=True)


def _recover_interrupted_swaps(root: Path) -> None:
    """A run killed between the two renames of `_swap_in` leaves only `.<name>.old`: put it back."""
    if not root.is_dir():
        return
    for old in root.glob(".*.old"):
        folder = root / old.name[1 : -len(".old")]
        if not folder.exists():
            try:
                os.replace(old, folder)
            except OSError:
                pass  # a read-only tree (a shipped install): nothing to recover there


def summary_rows(root: Path = CHECKPOINT_DIR) -> list[dict]:
    """One row per checkpoint, from its verified files alone (no weights loaded)."""
    rows = []
    for name in list_checkpoints(root):
        try:
            config, metrics = read_verified(Path(root) / name)
        except CheckpointError as error:
            rows.append({"checkpoint": name, "error": str(error)})
            continue
        training = config.get("training", {})
        accuracy = metrics.get("test", {}).get("accuracy")
        rows.append(
            {
                "checkpoint": name,
                "title": config.get("title") or config.get("approach", {}).get("title", name),
                "test_accuracy": None if accuracy is None else round(100 * accuracy, 2),
                "tutorial_accuracy": config.get("approach", {}).get("tutorial_accuracy"),
                "training_rows": training.get("rows"),
                "epochs": training.get("epochs"),
                "parameters": config.get("parameters"),
                "training_seconds": metrics.get("training_seconds"),
            }
        )
    return rows
