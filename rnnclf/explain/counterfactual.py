"""Counterfactual texts: remove or replace a word, diff two texts, and search for the fewest words whose
removal changes a model's predicted class (LIT's "AblationFlip", AllenNLP's input reduction).

Words are the model's own tokens as substrings of the raw text (`token_spans`), as in LIME; removing a
word as a feature removes every occurrence of it. A removed word is replaced by a single space when it
sat between two others, so the words around it are read as before (not glued together).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnclf.core.text import token_spans
from rnnclf.explain.words import MAX_CHARS, MAX_WORDS, Words
from rnnclf.models.classifier import Classifier

DEFAULT_MAX_REMOVED = 5
BEAM = 3  # removal sets carried from one size to the next


def words(text: str) -> list[str]:
    """The text's words as the model reads them, in order, repeats included (at most MAX_WORDS)."""
    return [text[s:e] for s, e in token_spans(text[:MAX_CHARS])[:MAX_WORDS]]


def _rewrite(text: str, spans: list[tuple[int, int]], replacement: str) -> str:
    """`text` with each span replaced; an empty replacement closes the gap to one space (or none at an edge)."""
    for start, end in sorted(spans, reverse=True):
        left, right = text[:start], text[end:]
        if replacement:
            text = left + replacement + right
        else:
            left, right = left.rstrip(" "), right.lstrip(" ")
            text = left + (" " if left and right and not left[-1].isspace() else "") + right
    return text


def _spans_of(text: str, word: str, occurrence: int | None) -> list[tuple[int, int]]:
    spans = [(s, e) for s, e in token_spans(text) if text[s:e] == word]
    if occurrence is None:
        return spans
    return spans[occurrence : occurrence + 1]


def remove(text: str, word: str, occurrence: int | None = None) -> str:
    """`text` without `word`: every occurrence, or only the `occurrence`-th (from 0)."""
    return _rewrite(text, _spans_of(text, word, occurrence), "")


def replace(text: str, word: str, new: str, occurrence: int | None = None) -> str:
    """`text` with `word` (every occurrence, or the `occurrence`-th) replaced by `new` (removed if blank)."""
    return _rewrite(text, _spans_of(text, word, occurrence), new.strip())


def remove_all(text: str, removed: Collection[str]) -> str:
    """`text` without any occurrence of the words in `removed`."""
    return _rewrite(text, [(s, e) for s, e in token_spans(text) if text[s:e] in removed], "")


@dataclass(frozen=True)
class DiffPiece:
    text: str
    kind: Literal["same", "removed", "inserted"]


def diff(original: str, edited: str) -> tuple[DiffPiece, ...]:
    """Word-level difference, as pieces that concatenate to the edited text plus the removed words."""
    # difflib: the standard library's matcher is all a few hundred words need.
    a, b = re.findall(r"\S+|\s+", original), re.findall(r"\S+|\s+", edited)
    pieces: list[DiffPiece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(DiffPiece("".join(a[i1:i2]), "same"))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("".join(a[i1:i2]), "removed"))
        if j2 > j1:
            pieces.append(DiffPiece("".join(b[j1:j2]), "inserted"))
    return tuple(pieces)


@dataclass(frozen=True)
class Flip:
    """The result of a flip search: the fewest words found whose removal changes the predicted class."""

    checkpoint: str
    label: int  # the original predicted class
    probability: float  # ... and its probability
    max_removed: int
    removed: tuple[str, ...] = ()  # empty: no flip within `max_removed` words
    text: str | None = None  # the counterfactual text, re-scored as a string
    new_label: int | None = None
    new_probability: float | None = None

    @property
    def found(self) -> bool:
        return self.text is not None


def flip_search(classifier: Classifier, text: str, max_removed: int = DEFAULT_MAX_REMOVED, beam: int = BEAM) -> Flip:
    """Greedy beam search over removal sets of growing size.

    Size 1 tries every word, so a single word that flips is always found. Each larger size extends the
    `beam` sets that lowered the original class's probability most. Sets are scored as token masks
    (fast); a set that flips is confirmed by scoring the rewritten text itself.
    """
    if not text.strip():
        raise ValueError("there is no text to change")
    if len(text) > MAX_CHARS:
        raise ValueError(f"flip search reads texts of up to {MAX_CHARS:,} characters; this one has {len(text):,}")
    # Every word is masked (the model reads the whole text, as the confirming re-score does); only the
    # first MAX_WORDS are candidates for removal.
    words = Words.of(text, max_words=None)
    candidates = sorted(set(words.span_feature[:MAX_WORDS].tolist()))

    base = classifier.predict_proba([text])[0]
    label = int(base.argmax())
    flip = Flip(classifier.name, label, float(base[label]), max_removed)
    frontier: list[tuple[int, ...]] = [()]
    for _ in range(max_removed):
        sets = sorted({tuple(sorted((*s, f))) for s in frontier for f in candidates if f not in s})
        keep = np.stack([~np.isin(words.token_feature, s) for s in sets])
        sets = [s for s, row in zip(sets, keep) if row.any()]  # removing every word is not an edit
        keep = keep[keep.any(axis=1)]
        if not sets:
            break
        probs = classifier.predict_proba_masked(words.tokens, keep)
        order = np.argsort(probs[:, label], kind="stable")
        for i in order:
            if probs[i].argmax() == label:
                break
            removed = tuple(words.features[f] for f in sets[i])
            counterfactual = remove_all(text, set(removed))
            scored = classifier.predict_proba([counterfactual])[0]
            if counterfactual.strip() and scored.argmax() != label:
                new = int(scored.argmax())
                return Flip(
                    flip.checkpoint,
                    label,
                    flip.probability,
                    max_removed,
                    removed,
                    counterfactual,
                    new,
                    float(scored[new]),
                )
        frontier = [sets[i] for i in order[:beam]]
    return flip
