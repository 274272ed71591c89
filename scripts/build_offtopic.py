"""Assemble data/offtopic/offtopic.csv.gz from human-written, non-news text on a Debian machine: fortune
cookies (Debian `fortunes` + `fortunes-min`, unpacked with `dpkg-deb -x`), the long descriptions of the Debian
packages installed (/var/lib/dpkg/status) and the Python standard library's docstrings. Deterministic for the same inputs; see
data/offtopic/SOURCES.md for how it was run.

    python scripts/build_offtopic.py FORTUNES_DIR /var/lib/dpkg/status OUT.csv.gz
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import pkgutil
import re
import sys
import warnings
from pathlib import Path

# Fortune files left out: news parodies (news is the in-domain topic), pictures, untranslated text.
SKIP_FORTUNES = {"news", "art", "ascii-art", "translate-me"}
PER_SOURCE = {"fortunes": 1400, "debian-descriptions": 700, "python-docstrings": 900}
MIN_CHARS, MAX_CHARS = 40, 600


def tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def fortunes(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.iterdir()):
        if path.suffix or path.name in SKIP_FORTUNES or path.is_dir():
            continue
        texts += [tidy(t) for t in path.read_text(encoding="utf-8", errors="replace").split("\n%\n")]
    return texts


def descriptions(status: Path) -> list[str]:
    raw = status.read_text(encoding="utf-8", errors="replace")
    texts = []
    for stanza in raw.split("\n\n"):
        match = re.search(r"^Description: .*\n((?: .*\n?)+)", stanza, re.M)
        if match:
            body = [line[1:] for line in match.group(1).splitlines() if line.strip() != "."]
            texts.append(tidy(" ".join(body)))
    return texts


def docstrings() -> list[str]:
    texts = []
    names = sorted(m.name for m in pkgutil.iter_modules() if not m.name.startswith("_"))
    stdlib = set(sys.stdlib_module_names)
    for name in names:
        if name not in stdlib or name in ("antigravity", "this", "idlelib", "turtledemo", "tkinter"):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = __import__(name)
        except Exception as error:  # noqa: BLE001 - a module that cannot be imported here gives no text
            print(f"skipped {name}: {type(error).__name__}", file=sys.stderr)
            continue
        for obj in [module, *vars(module).values()]:
            own = obj is module or getattr(obj, "__module__", None) == name  # not re-exported from elsewhere
            doc = getattr(obj, "__doc__", None) if own else None
            if isinstance(doc, str):
                texts.append(tidy(doc.split("\n\n")[0]))
    return texts


def pick(texts: list[str], count: int) -> list[str]:
    """Distinct texts of a readable length, the `count` with the smallest sha256 (a seedless, stable sample)."""
    kept = {t for t in texts if MIN_CHARS <= len(t) <= MAX_CHARS and re.search(r"[a-z]{3}", t) and ">>>" not in t}
    return sorted(kept, key=lambda t: hashlib.sha256(t.encode()).hexdigest())[:count]


def main(fortune_dir: str, status: str, out: str) -> None:
    gathered = {
        "fortunes": fortunes(Path(fortune_dir)),
        "debian-descriptions": descriptions(Path(status)),
        "python-docstrings": docstrings(),
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["source", "part", "text"])
    for source, texts in gathered.items():
        for text in pick(texts, PER_SOURCE[source]):
            # half for choosing a method, half for the report: by the text's hash, so a text's part never moves
            part = "choose" if int(hashlib.sha256(text.encode()).hexdigest()[-1], 16) % 2 == 0 else "test"
            writer.writerow([source, part, text])
    with gzip.GzipFile(out, "wb", mtime=0) as file:
        file.write(buffer.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main(*sys.argv[1:])
