"""Training speed: seconds per epoch, the project's loop against the tutorial's, and how it scales.

The project tokenizes once and indexes pre-built id tensors per batch; the tutorial tokenizes in the
DataLoader's collate_fn on every batch of every epoch. An epoch is the training pass plus the
validation pass, in both paths, on the same rows, batch size, optimizer and threads.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from rnnclf.approaches import Approach, get_approach
from rnnclf.data import Split, train_val_split
from rnnclf.text import Vocab, build_vocab, tokenize
from rnnclf.train import Encoded, train_model

from . import subjects, tutorial
from .report import Row, Table
from .settings import Settings
from .timing import Stats, interleaved, timed

SCALING = (0.25, 0.5)  # fractions of the train rows timed besides all of them (approach1)
TARGET_SPEEDUP = 2.0  # approach1, project vs tutorial


def _project_epoch(approach: Approach, train: Encoded, val: Encoded, vocab_size: int, sparse: bool = False) -> Callable[[], float]:
    """One epoch of the project's own `train_model`, timed by its own per-epoch clock."""

    def run() -> float:
        result = train_model(approach, train, val, vocab_size, epochs=1, sparse=sparse, progress=False, log=False)
        return result.history[0]["seconds"]

    return run


def _tutorial_epoch(approach: Approach, train: Split, val: Split, vocab: Vocab) -> Callable[[], float]:
    model, optimizer = tutorial.new_model(approach, len(vocab))
    train_loader = tutorial.loader(train, vocab, approach, shuffle=True)
    val_loader = tutorial.loader(val, vocab, approach, shuffle=False)
    return timed(lambda: tutorial.train_epoch(model, optimizer, train_loader, val_loader))


def _first(encoded: Encoded, rows: int) -> Encoded:
    return Encoded(encoded.ids[:rows], encoded.lengths[:rows], encoded.labels[:rows])


def measure(settings: Settings) -> list[Table]:
    data = subjects.train_data()
    if settings.train_rows:
        data = data.subset(np.arange(min(settings.train_rows, len(data))))
    train, val = train_val_split(data)
    started = time.perf_counter()
    train_tokens = [tokenize(text) for text in train.texts]
    val_tokens = [tokenize(text) for text in val.texts]
    tokenize_seconds = time.perf_counter() - started
    vocab = build_vocab(train_tokens)
    rows, comparisons, scaling = len(train), [], []
    for approach_id in ("approach1", "approach5"):
        approach = get_approach(approach_id)
        started = time.perf_counter()
        train_ids = Encoded.from_tokens(train_tokens, train.labels, vocab, approach.max_tokens)
        val_ids = Encoded.from_tokens(val_tokens, val.labels, vocab, approach.max_tokens)
        encode_seconds = tokenize_seconds + time.perf_counter() - started
        runs = {
            "project": _project_epoch(approach, train_ids, val_ids, len(vocab)),
            "tutorial": _tutorial_epoch(approach, train, val, vocab),
        }
        if approach_id == "approach1":
            runs["sparse"] = _project_epoch(approach, train_ids, val_ids, len(vocab), sparse=True)
            for fraction in SCALING:
                runs[fraction] = _project_epoch(approach, _first(train_ids, round(rows * fraction)), val_ids, len(vocab))
        stats = interleaved(runs, settings.train_repeats, settings.train_warmup)
        speedup = stats["tutorial"].median / stats["project"].median
        target = f">= {TARGET_SPEEDUP:g}x faster" if approach_id == "approach1" else ""
        comparisons.append(
            Row(f"{approach_id}: one epoch, {rows:,} rows (dense Adam, as shipped)", "s", stats["project"],
                stats["tutorial"], speedup, target, speedup >= TARGET_SPEEDUP if target and not settings.quick else None)
        )
        if "sparse" in stats:
            comparisons.append(
                Row(f"{approach_id}: one epoch with `--sparse` (SparseAdam on the embedding)", "s", stats["sparse"],
                    stats["tutorial"], stats["tutorial"].median / stats["sparse"].median)
            )
            smallest = stats[SCALING[0]]
            for fraction, key in zip((*SCALING, 1.0), (*SCALING, "project")):
                scaling.append(
                    Row(f"{approach_id}: one epoch, {fraction:.0%} of the rows ({round(rows * fraction):,})", "s",
                        stats[key], smallest, stats[key].median / smallest.median)
                )
        comparisons.append(Row(f"{approach_id}: one-off tokenization and encoding (project only, once per run)", "s",
                               Stats((encode_seconds,))))
    return [
        Table(
            "Training: seconds per epoch",
            "Tutorial path",
            "Speed-up (tutorial ÷ project)",
            comparisons,
            (
                "Epoch = training pass + validation pass, both paths; same rows, batch size (1024), Adam, 1 thread.",
                "The tutorial path pays tokenization on every batch of every epoch; the project pays it once "
                "(the one-off row), before the first epoch.",
            ),
        ),
        Table(
            "Scaling: training seconds per epoch vs train rows (approach1, project)",
            "25 % of the rows",
            "Growth (÷ 25 %)",
            scaling,
            ("Rows grow 2x and 4x; the validation pass (all validation rows, every time) is a fixed part.",),
        ),
    ]
