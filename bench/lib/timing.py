"""Repeated, interleaved timings: on a shared machine only figures taken side by side compare fairly."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")  # a run's name: a label, a sample count, a fraction


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


def interleaved(runs: Mapping[K, Callable[[], float]], repeats: int, warmup: int = 1) -> dict[K, Stats]:
    """Call each run `repeats` times, round-robin, after `warmup` untimed rounds; a run returns its seconds.

    Each round starts one run later than the last, so no run is always the first after a pause.
    """
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    names = list(runs)
    samples: dict[K, list[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(runs[name]())
    return {name: Stats(tuple(values)) for name, values in samples.items()}
