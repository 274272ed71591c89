"""The off-topic texts a checkpoint's scope is judged on: `data/offtopic/offtopic.csv.gz` (real, human-written,
non-news text; data/offtopic/SOURCES.md) or a file the person gives, each text tagged with its source and its
part: `choose` (methods are chosen on it, beside the validation split) or `test` (only reported)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rnnclf.core.files import sha256_file
from rnnclf.core.paths import DATA_DIR, PROJECT_ROOT
from rnnclf.data.dataset import DataError

OFFTOPIC_PATH = DATA_DIR / "offtopic" / "offtopic.csv.gz"
PARTS = ("choose", "test")


@dataclass(frozen=True)
class OffTopic:
    """Off-topic texts with their source and part, and the file they came from (pinned by sha256)."""

    path: str
    sha256: str
    texts: tuple[str, ...]
    sources: tuple[str, ...]
    parts: tuple[str, ...]

    def part(self, name: str) -> tuple[list[str], list[str]]:
        """The texts of one part and their sources."""
        rows = [i for i, part in enumerate(self.parts) if part == name]
        return [self.texts[i] for i in rows], [self.sources[i] for i in rows]


def part_of(text: str) -> str:
    """A text's part when the file names none: by its sha256, so it never moves between runs."""
    return PARTS[int(hashlib.sha256(text.encode("utf-8")).hexdigest()[-1], 16) % 2]


def read_offtopic(path: Path = OFFTOPIC_PATH) -> OffTopic:
    """A CSV (optionally gzipped) with a `text` column, and optionally `source` and `part` (choose/test)."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise DataError(f"off-topic file {path}: cannot read it as a CSV with a header row ({error})") from None
    if "text" not in table.columns:
        raise DataError(f"off-topic file {path}: no 'text' column (it has {', '.join(map(str, table.columns))})")
    table = table[table["text"].str.strip() != ""]
    texts = tuple(table["text"])
    if len(texts) < 2:
        raise DataError(f"off-topic file {path}: needs at least two texts, one for each part")
    sources = tuple(table["source"]) if "source" in table.columns else (path.name,) * len(texts)
    parts = tuple(table["part"]) if "part" in table.columns else tuple(part_of(t) for t in texts)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise DataError(f"off-topic file {path}: part must be one of {', '.join(PARTS)}, not {', '.join(unknown)}")
    shown = path.resolve().relative_to(PROJECT_ROOT) if path.resolve().is_relative_to(PROJECT_ROOT) else path
    return OffTopic(str(shown), sha256_file(path), texts, sources, parts)
