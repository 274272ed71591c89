"""Where one LIME explanation's time goes: the model's arithmetic, the rest of the forward, and LIME.

The model's arithmetic is tiny next to wall time (approach1: 1.25 GFLOP at 5,000 samples), so this
splits an explanation into the torch forward, the input building around it, and LIME's own work,
and lists the ATen operators that take the forward's time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

from rnnclf.approaches import Approach
from rnnclf.classifier import Classifier, RecurrentTextClassifier
from rnnclf.explain import explain

from .timing import Stats

TOP_OPS = 4


class ScoringClock(Classifier):
    """Delegates to a classifier, adding up the seconds of its LIME scoring calls."""

    def __init__(self, inner: RecurrentTextClassifier):
        self.inner, self.seconds = inner, 0.0
        self.name, self.title, self.classes, self.max_tokens = inner.name, inner.title, inner.classes, inner.max_tokens

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


def model_flops(approach: Approach, rows: int) -> float:
    """Multiply-adds x 2 of the recurrent layers over every token of `rows` padded texts."""
    per_token, width = 0, approach.embed_dim
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
        with forward_clock(classifier.model) as forwards:
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
