"""How far one machine goes with a person's own data: `data add` on files of growing size (rows, seconds,
peak memory), and `train --approach all` on the Debian fixture one at a time and with --jobs 2.

    python -m bench.own_data [--rows 250000 1000000 4000000] [--training] [--out bench/RESULTS-own-data.md]

Each run is a fresh `python -m rnnclf` process, its peak resident memory measured by GNU time. The
files are the Debian fixture's rows repeated with a row number appended (so no text repeats), written to a
temporary folder; RNNCLF_DATASETS points there, so nothing is added to datasets/.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnnclf.core.paths import PROJECT_ROOT

FIXTURE = PROJECT_ROOT / "tests/fixtures/debian_sections/packages.csv.gz"
ADD = ["--text-column", "package", "summary", "--label-column", "section"]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak MiB) of `python -m rnnclf ARGS` in a fresh process, measured by GNU time (the
    largest resident set of the process and of the processes it waited for)."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "rnnclf", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, int(done.stderr.strip().splitlines()[-1]) / 1024


def big_file(path: Path, rows: int) -> int:
    """The fixture's rows over and over, each text made unique by its row number; the file's size."""
    with gzip.open(FIXTURE, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        base = list(reader)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            package, section, summary = base[i % len(base)]
            writer.writerow((package, section, f"{summary} {i}"))
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 1_000_000, 4_000_000])
    parser.add_argument("--training", action="store_true", help="also time train --approach all, --jobs 1 and 2")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "bench/RESULTS-own-data.md"))
    args = parser.parse_args()
    lines = [
        "# Your own data: how far one machine goes",
        "",
        f"Written by `python -m bench.own_data` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; other processes may "
        "share the cores, so read the seconds as an upper bound.",
        "",
        "## `data add` (CSV, 6 classes, a 10 % held-out test split)",
        "",
        "| rows | file MiB | seconds | rows/s | peak MiB |",
        "|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RNNCLF_DATASETS": str(Path(tmp) / "datasets"), "RNNCLF_THREADS": "1"}
        for rows in sorted(args.rows):
            path = Path(tmp) / f"rows{rows}.csv"
            size = big_file(path, rows)
            seconds, peak = timed(["data", "add", f"rows{rows}", "--train", str(path), *ADD], env)
            lines.append(f"| {rows:,} | {size / 2**20:,.0f} | {seconds:,.1f} | {rows / seconds:,.0f} | {peak:,.0f} |")
            print(lines[-1], flush=True)
            path.unlink()
        if args.training:
            timed(["data", "add", "debian", "--train", str(FIXTURE), *ADD], env)
            lines += [
                "",
                "## `train --dataset debian --approach all` (Debian fixture: 1,890 training rows, 6 classes)",
                "",
                "| --jobs | seconds | peak MiB (one process) |",
                "|---:|---:|---:|",
            ]
            for jobs in (1, 2):
                out = Path(tmp) / f"checkpoints{jobs}"
                train = ["train", "--dataset", "debian", "--approach", "all", "--quiet", "--out", str(out)]
                seconds, peak = timed([*train, "--jobs", str(jobs)], env)
                lines.append(f"| {jobs} | {seconds:,.0f} | {peak:,.0f} |")
                print(lines[-1], flush=True)
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
