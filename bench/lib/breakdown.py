"""Where the time goes, measured from outside the project's code (hooks and a delegating classifier).

LIME: the model's arithmetic is small next to wall time (approach1: 1.25 GFLOP at 5,000 samples), so
an explanation is split into the torch forward, the input building around it and LIME's own work,
with the ATen operators that take the forward's time. Training: an epoch is split into optimizer
steps, forward passes, validation and the rest (backward, loss, batching), to see what dominates.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from torch.profiler import ProfilerActivity, profile

from bench.lib.timing import Stats
from rnnclf.explain.lime import explain
from rnnclf.models.classifier import Classifier
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.models.recurrent import FoldedRNN, RecurrentTextClassifier

TOP_OPS = 4


class ScoringClock(Classifier):
    """Delegates to a classifier, adding up the seconds of its LIME scoring calls."""

    def __init__(self, inner: RecurrentTextClassifier):
        self.inner, self.seconds = inner, 0.0
        self.name, self.classes, self.max_tokens = inner.name, inner.classes, inner.max_tokens

    def predict_proba_masked(self, tokens: Sequence[str], keep: np.ndarray) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.predict_proba_masked(tokens, keep)
        finally:
            self.seconds += time.perf_counter() - started

    def predict_proba_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        return self.inner.predict_proba_tokens(token_lists)

    def is_known(self, token: str) -> bool:
        return self.inner.is_known(token)


@contextmanager
def forward_clock(model: torch.nn.Module) -> Iterator[list[float]]:
    """Seconds of each of `model`'s forward calls made inside the block."""
    spent: list[float] = []
    started: list[float] = []
    pre = model.register_forward_pre_hook(lambda *_: started.append(time.perf_counter()))
    post = model.register_forward_hook(lambda *_: spent.append(time.perf_counter() - started.pop()))
    try:
        yield spent
    finally:
        pre.remove()
        post.remove()


def model_flops(classifier: RecurrentTextClassifier, rows: int) -> float:
    """Multiply-adds x 2 of the recurrent layers over every token of `rows` padded texts.

    A `FoldedRNN` looks its input term up: only the recurrent term is arithmetic.
    """
    approach = classifier.model.approach
    per_token, width = 0, 0 if isinstance(classifier.scoring, FoldedRNN) else approach.embed_dim
    for layer in approach.layers:
        directions = 2 if layer.bidirectional else 1
        for _ in range(layer.num_layers):
            per_token += 2 * directions * (width * layer.hidden + layer.hidden * layer.hidden)
            width = layer.hidden * directions
    return float(per_token * approach.max_tokens * rows)


def split(classifier: RecurrentTextClassifier, text: str, samples: int, repeats: int) -> dict[str, Stats]:
    """Seconds of: the whole explanation, the torch forward, input building + softmax, LIME's own work."""
    parts: dict[str, list[float]] = {"whole": [], "forward": [], "inputs": [], "lime": []}
    for _ in range(repeats):
        clock = ScoringClock(classifier)
        with forward_clock(classifier.scoring) as forwards:
            started = time.perf_counter()
            explain(clock, text, num_samples=samples)
            whole = time.perf_counter() - started
        parts["whole"].append(whole)
        parts["forward"].append(sum(forwards))
        parts["inputs"].append(clock.seconds - sum(forwards))
        parts["lime"].append(whole - clock.seconds)
    return {name: Stats(tuple(values)) for name, values in parts.items()}


def top_operators(classifier: RecurrentTextClassifier, text: str, samples: int) -> str:
    """The ATen operators with the most self time in one explanation's forward passes, as shares."""
    with profile(activities=[ProfilerActivity.CPU]) as profiler:
        explain(classifier, text, num_samples=samples)
    events = [e for e in profiler.key_averages() if e.key.startswith("aten::")]
    total = sum(e.self_cpu_time_total for e in events)
    top = sorted(events, key=lambda e: e.self_cpu_time_total, reverse=True)[:TOP_OPS]
    return ", ".join(f"`{e.key}` {e.self_cpu_time_total / total:.0%}" for e in top)


@contextmanager
def training_clock() -> Iterator[dict[str, float]]:
    """Seconds spent, inside the block, in optimizer steps and in the model's training / eval forwards."""
    totals = {"step": 0.0, "forward": 0.0, "validation": 0.0}
    started: dict[int, float] = {}

    def start(owner: object, *_: object) -> None:
        if isinstance(owner, (torch.optim.Optimizer, RecurrentClassifier)):
            started[id(owner)] = time.perf_counter()

    def stop(owner: object, *_: object) -> None:
        if id(owner) in started:
            part = "step" if isinstance(owner, torch.optim.Optimizer) else "forward" if owner.training else "validation"
            totals[part] += time.perf_counter() - started.pop(id(owner))

    handles = [
        register_optimizer_step_pre_hook(start),
        register_optimizer_step_post_hook(stop),
        register_module_forward_pre_hook(start),
        register_module_forward_hook(stop),
    ]
    try:
        yield totals
    finally:
        for handle in handles:
            handle.remove()
