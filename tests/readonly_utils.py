"""Proof that a reader wrote nothing: a snapshot of every file's hash, size and modification time."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under `root`: its hash (files), size and modification time."""
    result = {}
    for path in sorted(root.rglob("*")):
        info = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        result[str(path.relative_to(root))] = (digest, info.st_size, info.st_mtime_ns)
    return result


def set_writable(root: Path, writable: bool) -> None:
    """Add or remove write permission on `root` and everything under it. As root (CI) the bits stop
    nothing, so tests compare snapshots rather than rely on an error."""
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
