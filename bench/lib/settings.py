"""How much work each measurement does: the full benchmark, or `--quick` for a test that it runs."""

from __future__ import annotations

from dataclasses import dataclass

from rnnclf.explain.lime import DEFAULT_SAMPLES


@dataclass(frozen=True)
class Settings:
    quick: bool
    train_rows: int | None  # None: every committed train row
    train_repeats: int  # epochs timed per path (each a separate run)
    train_warmup: int  # untimed rounds before approach1's epochs
    step_repeats: int  # optimizer steps timed per variant
    lime_samples: tuple[int, ...]  # the scaling points; the project is timed at each
    lime_compared: tuple[int, ...]  # sample counts also run through the tutorial's path
    lime_repeats: int
    predict_rows: int | None  # None: the whole test split
    latency_repeats: int
    throughput_repeats: int
    raw_text_repeats: int  # rounds of the project against the tutorial: their ratio is a target
    thread_rows: int  # rows of the forward timed with 1 and 2 threads
    thread_repeats: int
    app_runs: int
    stream_bytes: int  # the large CSV scored by the streaming command


FULL = Settings(
    quick=False,
    train_rows=None,
    train_repeats=3,
    train_warmup=1,
    step_repeats=20,
    lime_samples=(500, 1000, 2000, 5000),
    lime_compared=(5000, DEFAULT_SAMPLES),
    lime_repeats=5,
    predict_rows=None,
    latency_repeats=30,
    throughput_repeats=3,
    raw_text_repeats=15,
    thread_rows=5000,
    thread_repeats=7,
    app_runs=3,
    stream_bytes=2 * 2**30,
)

QUICK = Settings(
    quick=True,
    train_rows=2000,
    train_repeats=1,
    train_warmup=0,
    step_repeats=2,
    lime_samples=(50, 100),
    lime_compared=(100,),
    lime_repeats=1,
    predict_rows=500,
    latency_repeats=3,
    throughput_repeats=1,
    raw_text_repeats=1,
    thread_rows=500,
    thread_repeats=1,
    app_runs=1,
    stream_bytes=2 * 2**20,
)
