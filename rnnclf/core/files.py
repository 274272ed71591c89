"""Files written whole or not at all, their sha256, and JSON Lines read a line at a time: what checkpoints, datasets
and reports all rely on."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
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


def json_objects(lines: Iterable[str]) -> Iterator[tuple[int, dict | str]]:
    """Each non-blank line of JSON Lines: its number, and its object or, for a line that holds none, why not.
    The readers that stop at such a line and the one that may skip it share this."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, f"not valid JSON ({error.msg})"
            continue
        yield number, record if isinstance(record, dict) else "not a JSON object"
