"""Checkpoint folders on disk: verified reads, a sha256 manifest, atomic publishing. No model code.

A checkpoint is a folder `checkpoints/<name>/` holding
  model.safetensors  weights (each model family decides what is in it)
  config.json        what was trained how (`records.CheckpointConfig`)
  metrics.json       test metrics, per-epoch history, training time (`records.Metrics`)
  test_predictions.safetensors  (optional) test-split probabilities, for the error explorer
  scope.safetensors  (optional) the out-of-scope method, threshold and arrays (`rnnclf.scope.record`)
  manifest.json      sha256 of each file above; reading refuses any mismatch
Files a family needs beside the folder (a shared vocabulary) are verified against a hash in the config.

Reading never writes: the recovery of an interrupted publish runs only where checkpoints are written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load as load_safetensors
from safetensors.numpy import save as save_safetensors

from rnnclf.core.files import sha256_bytes, sha256_file, write_json
from rnnclf.core.paths import CHECKPOINT_DIR

WEIGHTS, CONFIG, METRICS, MANIFEST = "model.safetensors", "config.json", "metrics.json", "manifest.json"
PREDICTIONS, SCOPE = "test_predictions.safetensors", "scope.safetensors"
REQUIRED = (WEIGHTS, CONFIG, METRICS)
OPTIONAL = (PREDICTIONS, SCOPE)


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names it and says what is wrong."""


def resolve(name_or_path: str | Path, root: Path = CHECKPOINT_DIR) -> Path:
    """A checkpoint name under `root`, or a folder path given as such."""
    path = Path(name_or_path)
    if path.is_dir() or path.is_absolute() or len(path.parts) > 1:
        return path
    return Path(root) / path


class Folder:
    """One checkpoint folder, read through its manifest: each file is read once and its bytes checked.

    Reading the bytes and hashing those same bytes means what is used is exactly what was verified,
    even if the file changes on disk a moment later.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = self.path.name
        if not self.path.is_dir():
            raise CheckpointError(f"checkpoint {self.name!r}: no such folder ({self.path})")
        self.manifest = self._read_manifest()

    def _read_manifest(self) -> dict[str, str]:
        try:
            files = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))["files"]
        except FileNotFoundError:
            raise CheckpointError(f"checkpoint {self.name!r}: {MANIFEST} is missing") from None
        except (ValueError, KeyError, TypeError):
            raise CheckpointError(
                f"checkpoint {self.name!r}: {MANIFEST} is not valid JSON with a 'files' map"
            ) from None
        if not isinstance(files, dict):
            raise CheckpointError(f"checkpoint {self.name!r}: {MANIFEST} is not valid JSON with a 'files' map")
        for required in REQUIRED:
            if required not in files:
                raise CheckpointError(f"checkpoint {self.name!r}: {MANIFEST} does not list {required}")
        return {Path(str(name)).name: str(digest) for name, digest in files.items()}

    def has(self, file_name: str) -> bool:
        return file_name in self.manifest

    def read(self, file_name: str) -> bytes:
        """The file's bytes, refused unless they match the manifest's sha256."""
        if file_name not in self.manifest:
            raise CheckpointError(f"checkpoint {self.name!r}: {MANIFEST} does not list {file_name}")
        try:
            data = (self.path / file_name).read_bytes()
        except FileNotFoundError:
            raise CheckpointError(f"checkpoint {self.name!r}: {file_name} is missing") from None
        except OSError as error:
            raise CheckpointError(f"checkpoint {self.name!r}: cannot read {file_name} ({error.strerror})") from None
        if sha256_bytes(data) != self.manifest[file_name]:
            raise CheckpointError(
                f"checkpoint {self.name!r}: {file_name} does not match its sha256 in {MANIFEST} "
                "(changed, truncated or corrupted); refusing to load it"
            )
        return data

    def read_json(self, file_name: str) -> dict:
        try:
            data = json.loads(self.read(file_name).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise CheckpointError(f"checkpoint {self.name!r}: unreadable JSON in {file_name} ({error})") from None
        if not isinstance(data, dict):
            raise CheckpointError(f"checkpoint {self.name!r}: {file_name} does not hold a JSON object")
        return data

    def read_tensors(self, file_name: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
        """A safetensors file's arrays and its metadata, from verified bytes."""
        data = self.read(file_name)
        try:
            arrays = load_safetensors(data)
            # safetensors reads metadata only from files; from bytes it is the documented header:
            # 8 bytes of little-endian length, then JSON with a "__metadata__" map.
            header_size = int.from_bytes(data[:8], "little")
            metadata = json.loads(data[8 : 8 + header_size]).get("__metadata__") or {}
        except (SafetensorError, ValueError, OSError) as error:
            raise CheckpointError(
                f"checkpoint {self.name!r}: {file_name} is not a readable safetensors file ({error})"
            ) from None
        return arrays, metadata

    def verify_all(self) -> None:
        """Check every listed file (for a summary that reads no weights, callers read only what they use)."""
        for file_name in self.manifest:
            self.read(file_name)

    def sibling(self, file_name: str, sha256: str, what: str) -> bytes:
        """A file shared by several checkpoints (looked for in this folder, then beside it), hash-checked;
        `what` names it in messages."""
        name = Path(file_name).name
        path = next((p for p in (self.path / name, self.path.parent / name) if name and p.is_file()), None)
        if path is None:
            raise CheckpointError(f"checkpoint {self.name!r}: {what} file {name or '(none named)'} not found")
        data = path.read_bytes()
        if sha256_bytes(data) != sha256:
            raise CheckpointError(f"checkpoint {self.name!r}: {what} {name} does not match the sha256 in {CONFIG}")
        return data


def predictions_bytes(probabilities: np.ndarray) -> bytes:
    """Test-split probabilities as a safetensors file (float32)."""
    return save_safetensors({"probabilities": np.ascontiguousarray(probabilities, dtype=np.float32)})


def read_predictions(folder: Folder) -> np.ndarray | None:
    """The stored test-split probabilities, if the checkpoint has them."""
    if not folder.has(PREDICTIONS):
        return None
    arrays, _ = folder.read_tensors(PREDICTIONS)
    if "probabilities" not in arrays:
        raise CheckpointError(f"checkpoint {folder.name!r}: {PREDICTIONS} holds no 'probabilities'")
    return arrays["probabilities"]


def publish(folder: Path, files: Mapping[str, bytes], config: Mapping, metrics: Mapping) -> None:
    """Build the checkpoint in a hidden temporary folder, then swap it in with renames.

    `files` maps file names (the weights, any optional files) to their bytes.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_swaps(folder.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        write_json(tmp / CONFIG, config)
        write_json(tmp / METRICS, metrics)
        write_manifest(tmp)
        for path in (tmp, *tmp.iterdir()):  # mkdtemp makes private folders; checkpoints are shared files
            path.chmod(0o755 if path.is_dir() else 0o644)
        _swap_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def republish(
    folder: Path, replace: Mapping[str, bytes], config: Mapping | None = None, metrics: Mapping | None = None
) -> None:
    """Publish an existing checkpoint again with some files replaced (each kept file re-verified)."""
    source = Folder(folder)
    kept = {name: source.read(name) for name in source.manifest if name not in (CONFIG, METRICS, *replace)}
    publish(
        folder,
        {**kept, **replace},
        config if config is not None else source.read_json(CONFIG),
        metrics if metrics is not None else source.read_json(METRICS),
    )


def write_manifest(folder: Path) -> None:
    names = [*REQUIRED, *(name for name in OPTIONAL if (folder / name).is_file())]
    write_json(folder / MANIFEST, {"files": {name: sha256_file(folder / name) for name in names}})


def _swap_in(new: Path, folder: Path) -> None:
    old = folder.with_name(f".{folder.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)  # between the two renames only `.old` exists: see recover_interrupted_swaps
    shutil.rmtree(old, ignore_errors=True)


def recover_interrupted_swaps(root: Path) -> None:
    """A run killed between the two renames of `_swap_in` leaves only `.<name>.old`: put it back.

    Called by whatever writes checkpoints (publishing, training, the CLI), never by readers.
    """
    if not Path(root).is_dir():
        return
    for old in Path(root).glob(".*.old"):
        folder = old.with_name(old.name[1 : -len(".old")])
        if not folder.exists():
            os.replace(old, folder)


def write_once(path: Path, data: bytes) -> None:
    """Write a shared file (a vocabulary) unless it already exists, atomically."""
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # per process: trainings at once share vocabularies
    tmp.write_bytes(data)
    os.replace(tmp, path)
