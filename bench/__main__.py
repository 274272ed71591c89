"""`python -m bench [--quick] [--only GROUP ...] [--out PATH]`: measure, print the tables, write RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import torch

from bench.groups import (
    attributing,
    browser,
    explaining,
    export,
    mapping,
    prediction,
    scope,
    streaming,
    threads,
    training,
)
from bench.lib.report import Table, markdown
from bench.lib.settings import FULL, QUICK, Settings
from rnnclf.core.runtime import configure_threads

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
GROUPS: dict[str, Callable[[Settings], list[Table]]] = {
    "training": training.measure,
    "lime": explaining.measure,
    "attributions": attributing.measure,
    "prediction": prediction.measure,
    "threads": threads.measure,
    "streaming": streaming.measure,
    "scope": scope.measure,
    "app": browser.measure,
    "export": export.measure,
    "map": mapping.measure,
}


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            return next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def _header(settings: Settings, load: tuple[float, float], minutes: float, skipped: Sequence[str]) -> str:
    mode = "`--quick` (tiny settings: a smoke run, not a measurement)" if settings.quick else "full"
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench` (not by hand) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, in {minutes:.1f} min; "
        f"settings: {mode}.",
        "",
        f"- Machine: {_cpu()}, {os.cpu_count()} cores; Python {platform.python_version()}, torch {torch.__version__}; "
        f"PyTorch intra-op threads: {torch.get_num_threads()} (the project's default).",
        f"- Load average (1 min) at start / end: {load[0]:.1f} / {load[1]:.1f}. The machine is shared: every figure is "
        "min / **median** / max of repeated runs, and compared runs are interleaved round-robin, so ratios are "
        "taken under the same load.",
    ]
    lines += [f"- Not measured: {why}." for why in skipped]
    return "\n".join(lines) + "\n"


def _targets(tables: Sequence[Table]) -> str:
    judged = [(t, r) for t in tables for r in t.rows if r.met is not None]
    if not judged:
        return ""
    missed = [f"{t.title} / {r.name} ({r.target})" for t, r in judged if not r.met]
    lines = [f"**Targets: {len(judged) - len(missed)} of {len(judged)} met.**"]
    lines += [f"- Missed: {m}" for m in missed]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny settings: checks that every step runs (seconds)")
    parser.add_argument("--only", nargs="+", choices=list(GROUPS), help="run only these groups")
    parser.add_argument(
        "--out",
        type=Path,
        help=f"where to write the results (default: {RESULTS.name} after a full run "
        "of every group; nowhere after --quick or --only)",
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    out = args.out or (None if args.quick or args.only else RESULTS)
    configure_threads()
    started, load_start = time.perf_counter(), os.getloadavg()[0]
    tables: list[Table] = []
    skipped: list[str] = []
    for name in args.only or GROUPS:
        if name == "app" and (why := browser.available()):
            skipped.append(f"app ({why})")
            continue
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        tables += GROUPS[name](settings)
    header = _header(settings, (load_start, os.getloadavg()[0]), (time.perf_counter() - started) / 60, skipped)
    document = "\n".join([header, _targets(tables), *(markdown(t) for t in tables)])
    print(document)
    if out:
        out.write_text(document, encoding="utf-8")
        print(f"[bench] wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
