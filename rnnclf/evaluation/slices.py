"""Metrics per slice of the test split: by length, by the checkpoint's token window, by the share of
unknown words, by class, and by a user's keyword or regular expression.

A user's pattern runs under the `regex` module's timeout, one deadline for the whole split: a
catastrophically backtracking pattern is stopped and reported, never left to hang the server.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import regex

from rnnclf.models.classifier import Classifier

SMALL = 100  # a slice with fewer rows gets a flag: its accuracy can move by several points by chance
PATTERN_SECONDS = 2.0  # the whole split's budget for one user pattern
MAX_PATTERN = 200
QUARTILES = (0.25, 0.5, 0.75)  # the cut points of the token-count slices
UNKNOWN_BINS = (0.0, 0.1)  # share of unknown tokens read: none, up to 10 %, more


class PatternError(ValueError):
    """A keyword or regular expression that cannot be used; the message says why."""


@dataclass(frozen=True)
class Slice:
    family: str
    name: str
    rows: np.ndarray  # boolean mask over the test split


@dataclass(frozen=True)
class SliceScore:
    family: str
    name: str
    checkpoint: str
    count: int
    accuracy: float | None  # None for an empty slice

    @property
    def small(self) -> bool:
        return self.count < SMALL


def token_count_slices(counts: np.ndarray) -> list[Slice]:
    """Token-count quartiles, each named by the lengths it holds."""
    index = np.searchsorted(np.quantile(counts, QUARTILES), counts, side="left")
    result = []
    for q in range(len(QUARTILES) + 1):
        rows = index == q
        if rows.any():
            name = f"Q{q + 1}: {counts[rows].min()}–{counts[rows].max()} tokens"
            result.append(Slice("length (token quartile)", name, rows))
    return result


def window_slices(counts: np.ndarray, max_tokens: int | None) -> list[Slice]:
    """Within the checkpoint's own token window, or longer (a model that reads the whole text: none longer).

    Named alike for every checkpoint so that they line up side by side, though the windows differ."""
    longer = counts > max_tokens if max_tokens is not None else np.zeros(len(counts), dtype=bool)
    return [
        Slice("token window", "fits its token window", ~longer),
        Slice("token window", "longer than its token window", longer),
    ]


def unknown_share(token_lists: Sequence[Sequence[str]], classifier: Classifier) -> np.ndarray:
    """Per text, the share of the tokens the model reads that it has never learned."""
    window = classifier.max_tokens
    known: dict[str, bool] = {}
    shares = np.zeros(len(token_lists))
    for i, tokens in enumerate(token_lists):
        read = tokens[:window] if window is not None else tokens
        if read:
            unknown = sum(not known.setdefault(t, classifier.is_known(t)) for t in read)
            shares[i] = unknown / len(read)
    return shares


def unknown_slices(shares: np.ndarray) -> list[Slice]:
    none, some = UNKNOWN_BINS
    return [
        Slice("unknown words", "none unknown", shares <= none),
        Slice("unknown words", f"up to {some:.0%} unknown", (shares > none) & (shares <= some)),
        Slice("unknown words", f"over {some:.0%} unknown", shares > some),
    ]


def class_slices(labels: np.ndarray, classes: Sequence[str]) -> list[Slice]:
    """One slice per class of the checkpoints' dataset, in its order."""
    return [Slice("true class", name, labels == k) for k, name in enumerate(classes)]


def pattern_slices(texts: Sequence[str], pattern: str, is_regex: bool, seconds: float = PATTERN_SECONDS) -> list[Slice]:
    """Texts matching a keyword (literal, case-insensitive) or a regular expression, within `seconds` in all."""
    if not pattern.strip():
        raise PatternError("the pattern is empty")
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"the pattern is longer than {MAX_PATTERN} characters")
    try:
        compiled = regex.compile(pattern if is_regex else regex.escape(pattern), regex.IGNORECASE)
    except (regex.error, OverflowError, RecursionError) as error:
        raise PatternError(f"not a valid regular expression ({error})") from None
    deadline = time.monotonic() + seconds
    rows = np.zeros(len(texts), dtype=bool)
    try:
        for i, text in enumerate(texts):
            rows[i] = compiled.search(text, timeout=max(deadline - time.monotonic(), 1e-3)) is not None
    except TimeoutError:
        raise PatternError(
            f"the pattern took over {seconds:g} s on the test texts (it backtracks too much); simplify it"
        ) from None
    label = f"matches /{pattern}/" if is_regex else f"contains “{pattern}”"
    return [Slice("keyword", label, rows), Slice("keyword", "does not match", ~rows)]


def score(slices: Sequence[Slice], checkpoint: str, labels: np.ndarray, predicted: np.ndarray) -> list[SliceScore]:
    correct = labels == predicted
    return [
        SliceScore(
            s.family, s.name, checkpoint, int(s.rows.sum()), float(correct[s.rows].mean()) if s.rows.any() else None
        )
        for s in slices
    ]
