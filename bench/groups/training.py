"""Training speed: seconds per epoch, the project's loop against the tutorial's, and how it scales.

The project tokenizes once and indexes pre-built id tensors per batch; the tutorial tokenizes in the
DataLoader's collate_fn on every batch of every epoch. An epoch is the training pass plus the
validation pass, in both paths, on the same rows, batch size, optimizer and threads.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from bench.lib import subjects, tutorial
from bench.lib.breakdown import training_clock
from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import Stats, interleaved, timed
from rnnclf import CLASSES
from rnnclf.core.text import Vocab, build_vocab, tokenize
from rnnclf.data.dataset import Split, train_val_split
from rnnclf.models.approaches import Approach, get_approach
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.training.recurrent import Encoded, make_optimizers, train_model

SCALING = (0.25, 0.5)  # fractions of the train rows timed besides all of them (approach1)
TARGET_SPEEDUP = 2.0  # approach1, project vs tutorial
OPTIMIZERS = {"project": "dense Adam, as shipped", "sparse": "`--sparse`: SparseAdam on the embedding"}
PARTS = {
    "step": "optimizer steps",
    "forward": "forward passes",
    "rest": "backward, loss and batching",
    "validation": "validation pass",
}


def _project_epoch(
    approach: Approach,
    train: Encoded,
    val: Encoded,
    vocab_size: int,
    sparse: bool = False,
    parts: list[dict[str, float]] | None = None,
) -> Callable[[], float]:
    """One epoch of the project's own `train_model`, timed by its own per-epoch clock (and split into
    parts, appended to `parts`, when given)."""

    def run() -> float:
        with training_clock() as clock:
            result = train_model(
                approach,
                train,
                val,
                vocab_size,
                epochs=1,
                sparse=sparse,
                progress=False,
                log=False,
                n_classes=len(CLASSES),
            )
        seconds = result.history[0].seconds
        if parts is not None:
            parts.append({**clock, "rest": seconds - sum(clock.values())})
        return seconds

    return run


def _tutorial_epoch(approach: Approach, train: Split, val: Split, vocab: Vocab) -> Callable[[], float]:
    model, optimizer = tutorial.new_model(approach, len(vocab))
    train_loader = tutorial.loader(train, vocab, approach, shuffle=True)
    val_loader = tutorial.loader(val, vocab, approach, shuffle=False)
    return timed(lambda: tutorial.train_epoch(model, optimizer, train_loader, val_loader))


STEP_VARIANTS = {
    "torch": "torch's default Adam (single-tensor)",
    "project": "the project's Adam (`foreach=True`, bitwise the same)",
    "fused": "`Adam(fused=True)` (not used: not bitwise the same)",
    "sparse": "`--sparse`: SparseAdam on the embedding + Adam",
}


def _optimizer_step(approach: Approach, vocab_size: int, batch: Encoded, variant: str) -> Callable[[], float]:
    """A run that does forward and backward on `batch`, then times only the optimizer step(s)."""
    torch.manual_seed(0)
    sparse = variant == "sparse"
    model = RecurrentClassifier(approach, vocab_size, len(CLASSES), sparse=sparse)
    if variant in ("torch", "fused"):
        optimizers = [torch.optim.Adam(model.parameters(), lr=approach.lr, fused=variant == "fused" or None)]
    else:
        optimizers = make_optimizers(model, approach.lr, sparse)

    def run() -> float:
        for optimizer in optimizers:
            optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(batch.ids, batch.lengths), batch.labels).backward()
        started = time.perf_counter()
        for optimizer in optimizers:
            optimizer.step()
        return time.perf_counter() - started

    return run


def _optimizer_table(approach: Approach, vocab_size: int, train: Encoded, repeats: int) -> Table:
    batch = _first(train, approach.batch_size)
    runs = {key: _optimizer_step(approach, vocab_size, batch, key) for key in STEP_VARIANTS}
    stats = {key: s.map(lambda x: 1000 * x) for key, s in interleaved(runs, repeats).items()}
    rows = [
        Row(label, "ms", stats[key], stats["torch"], stats["torch"].median / stats[key].median)
        for key, label in STEP_VARIANTS.items()
    ]
    return Table(
        f"Optimizer step alone ({approach.id}, one {approach.batch_size:,}-row batch, {vocab_size:,}-token vocabulary)",
        "torch's default Adam",
        "Speed-up",
        rows,
        ("The embedding holds almost all parameters; dense Adam updates every row of it on every step.",),
    )


def _first(encoded: Encoded, rows: int) -> Encoded:
    return Encoded(encoded.ids[:rows], encoded.lengths[:rows], encoded.labels[:rows])


def _encoded(split: Split, tokens: list[list[str]] | None, vocab: Vocab, approach: Approach) -> Encoded:
    """The project's per-run preparation of a split: tokenize (unless given), then one id tensor."""
    tokens = tokens if tokens is not None else [tokenize(text) for text in split.texts]
    return Encoded.from_tokens(tokens, split.labels, vocab, approach.max_tokens)


def measure(settings: Settings) -> list[Table]:
    data = subjects.train_data()
    if settings.train_rows:
        data = data.subset(np.arange(min(settings.train_rows, len(data))))
    train, val = train_val_split(data)
    train_tokens = [tokenize(text) for text in train.texts]
    vocab = build_vocab(train_tokens)
    rows = len(train)
    comparisons: list[Row] = []
    scaling: list[Row] = []
    split: list[Row] = []
    notes: list[str] = []
    for approach_id in ("approach1", "approach5"):
        approach = get_approach(approach_id)
        train_ids, val_ids = _encoded(train, train_tokens, vocab, approach), _encoded(val, None, vocab, approach)
        first = approach_id == "approach1"  # the small model: optimizer variants, parts and scaling
        parts: dict[str, list[dict[str, float]]] = {key: [] for key in OPTIMIZERS}
        runs = {"project": _project_epoch(approach, train_ids, val_ids, len(vocab), parts=parts["project"])}
        runs["tutorial"] = _tutorial_epoch(approach, train, val, vocab)
        runs["encode"] = timed(lambda: (_encoded(train, None, vocab, approach), _encoded(val, None, vocab, approach)))
        if first:
            runs["sparse"] = _project_epoch(approach, train_ids, val_ids, len(vocab), True, parts["sparse"])
            for fraction in SCALING:
                runs[fraction] = _project_epoch(
                    approach, _first(train_ids, round(rows * fraction)), val_ids, len(vocab)
                )
        # Warm-up rounds for approach1 only: an approach5 epoch is long next to any first-call cost.
        stats = interleaved(runs, settings.train_repeats, settings.train_warmup if first else 0)
        if first:
            steps = _optimizer_table(approach, len(vocab), train_ids, settings.step_repeats)

        for key in [k for k in OPTIMIZERS if k in stats]:
            speedup = stats["tutorial"].median / stats[key].median
            targeted = first and key == "project"
            comparisons.append(
                Row(
                    f"{approach_id}: one epoch, {rows:,} rows ({OPTIMIZERS[key]})",
                    "s",
                    stats[key],
                    stats["tutorial"],
                    speedup,
                    f">= {TARGET_SPEEDUP:g}x" if targeted else "",
                    speedup >= TARGET_SPEEDUP if targeted and not settings.quick else None,
                )
            )
            if first:
                measured = parts[key][-settings.train_repeats :]  # the timed runs, not the warm-up
                for part, label in PARTS.items():
                    values = Stats(tuple(p[part] for p in measured))
                    split.append(
                        Row(
                            f"{approach_id}, {OPTIMIZERS[key]}: {label}",
                            "s",
                            values,
                            ratio=values.median / stats[key].median,
                        )
                    )
        comparisons.append(
            Row(f"{approach_id}: one-off tokenization and encoding (project only, once per run)", "s", stats["encode"])
        )
        notes.append(
            f"{approach_id}: tokenization and encoding, which the project does once, take as long as "
            f"{stats['encode'].median / stats['tutorial'].median:.0%} of the tutorial path's epoch."
        )
        if first:
            smallest = stats[SCALING[0]]
            for fraction, key in zip((*SCALING, 1.0), (*SCALING, "project")):
                scaling.append(
                    Row(
                        f"{approach_id}: one epoch, {fraction:.0%} of the rows ({round(rows * fraction):,})",
                        "s",
                        stats[key],
                        smallest,
                        stats[key].median / smallest.median,
                    )
                )
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
                *notes,
            ),
        ),
        Table(
            "Where the time of one training epoch goes (project)",
            "",
            "Share of the epoch",
            split,
            ("Optimizer steps and forwards are timed with PyTorch's global hooks; the rest is what remains.",),
            "{:.0%}",
        ),
        steps,
        Table(
            "Scaling: training seconds per epoch vs train rows (approach1, project)",
            "25 % of the rows",
            "Growth (÷ 25 %)",
            scaling,
            ("Rows grow 2x and 4x; the validation pass (all validation rows, every time) is a fixed part.",),
        ),
    ]
