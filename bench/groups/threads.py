"""Threads: why the app and the CLI run PyTorch on one intra-op thread (rnnclf/runtime.py).

With two OpenMP threads on a two-core machine, each parallel region waits for its slowest thread;
when another process holds one core, every small RNN step stalls. The measurement times the same
forward pass with 1 and 2 threads, first as the machine is, then beside a second process that burns
one core for a bounded time.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import torch

from bench.lib import subjects
from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import interleaved, timed
from rnnclf.core.runtime import configure_threads

BURN_LIMIT_S = 600  # the burner stops by itself even if this process dies


@contextmanager
def cpu_burner() -> Iterator[None]:
    """A second process spinning on one core, stopped on exit (or after BURN_LIMIT_S at the latest)."""
    code = f"import time\nend = time.monotonic() + {BURN_LIMIT_S}\nwhile time.monotonic() < end: pass"
    burner = subprocess.Popen([sys.executable, "-c", code])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def _forward(threads: int, model: torch.nn.Module, ids: torch.Tensor, lengths: torch.Tensor) -> float:
    torch.set_num_threads(threads)
    try:
        with torch.inference_mode():
            return timed(lambda: model(ids, lengths))()
    finally:
        configure_threads()


def measure(settings: Settings) -> list[Table]:
    classifier, _ = subjects.classifier("approach1")
    n_rows = settings.thread_rows  # the full setting: one LIME explanation's worth of rows
    ids = torch.randint(0, len(classifier.vocab), (n_rows, classifier.max_tokens))
    lengths = torch.full((n_rows,), classifier.max_tokens)
    runs = {n: (lambda n=n: _forward(n, classifier.scoring, ids, lengths)) for n in (1, 2)}
    idle = interleaved(runs, settings.thread_repeats)
    with cpu_burner():
        loaded = interleaved(runs, settings.thread_repeats)
    rows = [
        Row(
            f"approach1 forward, {n_rows:,} rows, 1 thread, {label}",
            "s",
            stats[1],
            stats[2],
            stats[2].median / stats[1].median,
        )
        for label, stats in (("machine as is", idle), ("beside a process burning one core", loaded))
    ]
    return [
        Table(
            "Threads: PyTorch intra-op threads, 1 (the default) vs 2",
            "2 threads",
            "2 threads ÷ 1 thread",
            rows,
            (
                "Settings: `rnnclf.runtime.configure_threads` sets 1 intra-op and 1 inter-op thread in the CLI, "
                "training and the app; `RNNCLF_THREADS` overrides.",
                "'Machine as is' includes whatever else runs on this shared machine (see the load average above).",
            ),
        )
    ]
