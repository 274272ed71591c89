"""Repeated, interleaved timings: on a shared machine only figures taken side by side compare fairly."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    """Seconds (or any measure) of repeated runs."""

    samples: tuple[float, ...]

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def map(self, convert: Callable[[float], float]) -> Stats:
        """The same runs in another unit, e.g. seconds to texts per second."""
        return Stats(tuple(convert(s) for s in self.samples))


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """`fn` as a run that returns its own wall-clock seconds."""

    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def interleaved(runs: Mapping[str, Callable[[], float]], repeats: int, warmup: int = 1) -> dict[str, Stats]:
    """Call each run `repeats` times, round-robin, after `warmup` untimed rounds; a run returns its seconds."""
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            samples[name].append(fn())
    return {name: Stats(tuple(values)) for name, values in samples.items()}
