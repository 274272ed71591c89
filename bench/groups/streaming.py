"""Scoring files: the streaming command's peak memory on a large file, and rows/s in one process against
the Dask engine on a local cluster (2 workers), on the same file in the same run."""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.lib import subjects
from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import Stats, interleaved, timed
from rnnclf.core.paths import PROJECT_ROOT

TARGET_PEAK_MB = 1024.0
PAYLOAD = 2000  # characters of a second column: file size without proportional scoring work
WORKERS = 2


def write_file(path: Path, texts: list[str], size_bytes: int | None = None, payload: int = 0) -> int:
    """A CSV of `texts` (repeated until `size_bytes`, if given) beside a `payload`-character column; rows."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "payload"])
        while True:
            for text in texts:
                writer.writerow([text, "x" * payload])
                rows += 1
            if size_bytes is None or handle.tell() >= size_bytes:
                return rows


# The command, printing its own peak resident memory (MB) when it ends: VmHWM, the peak of this process
# image alone. Not ru_maxrss: Linux carries the parent's peak into a child across exec, so a child of a
# large process would report the parent's figure.
PEAK_RSS = (
    "import re, sys; from rnnclf.cli import main; code = main(sys.argv[1:]); "
    "status = open('/proc/self/status').read(); "
    "print(int(re.search(r'VmHWM:\\s*(\\d+) kB', status)[1]) / 1024); sys.exit(code)"
)


def predict(source: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", PEAK_RSS, "predict", "--checkpoint", "approach1", "--input", str(source)] + [
        "--output",
        str(out),
        "--quiet",
        *extra,
    ]


def peak_memory(settings: Settings, folder: Path) -> Row:
    source = folder / "large.csv"
    rows = write_file(source, subjects.test_data().texts, settings.stream_bytes, PAYLOAD)
    size_mb = source.stat().st_size / 2**20
    started = time.perf_counter()
    run = subprocess.run(predict(source, folder / "large.out.csv"), cwd=PROJECT_ROOT, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    peak = float(run.stdout.split()[-1])
    (folder / "large.out.csv").unlink()
    source.unlink()
    met = peak < TARGET_PEAK_MB if not settings.quick else None
    name = f"peak RSS scoring a {size_mb:,.0f} MB CSV ({rows:,} rows, {rows / seconds:,.0f} rows/s, approach1)"
    return Row(name, "MB", Stats((peak,)), target=f"< {TARGET_PEAK_MB:,.0f} MB", met=met)


def throughput(settings: Settings, folder: Path) -> Row:
    source = folder / "texts.csv"
    texts = subjects.test_data().texts[: settings.predict_rows]
    rows = write_file(source, texts * (1 if settings.quick else 5))  # full: enough rows to outweigh start-up
    runs = {
        "local": timed(
            lambda: subprocess.run(predict(source, folder / "l.csv"), cwd=PROJECT_ROOT, check=True, capture_output=True)
        ),
        "dask": timed(
            lambda: subprocess.run(
                predict(source, folder / "d.csv", "--engine", "dask", "--workers", str(WORKERS)),
                cwd=PROJECT_ROOT,
                check=True,
                capture_output=True,
            )
        ),
    }
    times = interleaved(runs, settings.throughput_repeats, warmup=0)
    same = (folder / "l.csv").read_bytes() == (folder / "d.csv").read_bytes()
    local, dask = (times[k].map(lambda s: rows / s) for k in ("local", "dask"))
    return Row(
        f"{rows:,} test texts, approach1: Dask ({WORKERS} local workers) vs one process; outputs identical: {same}",
        "rows/s",
        dask,
        local,
        dask.median / local.median,
    )


def measure(settings: Settings) -> list[Table]:
    with tempfile.TemporaryDirectory() as tmp:
        memory = peak_memory(settings, Path(tmp))
        speed = throughput(settings, Path(tmp))
    notes = [
        f"Each row of the large file is a test text and a {PAYLOAD:,}-character second column, so the file is "
        "large without scoring every byte; `--chunk-rows` at its default.",
        "Whole commands, timed from start to exit: the Dask figure includes starting the local cluster and "
        "loading the checkpoint on each worker. On a 2-core machine shared with other work, the workers and "
        "this process compete for the same cores.",
    ]
    return [
        Table("Streaming: memory", "", "", [memory], notes[:1]),
        Table("Streaming: Dask engine", "One process", "Ratio (Dask ÷ one process)", [speed], notes[1:]),
    ]
