"""Files written whole or not at all, and their sha256: what checkpoints, datasets and reports all rely on."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_json(path: Path, data: Mapping, compact: bool = False) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    layout = {"separators": (",", ":")} if compact else {"indent": 2}
    tmp.write_text(json.dumps(data, ensure_ascii=False, **layout) + "\n", encoding="utf-8")
    os.replace(tmp, path)
