"""The words of a text as every explanation sees them: the model's own tokens, cut from the raw text.

LIME, the gradient methods, occlusion, KernelSHAP, faithfulness and the counterfactual editor all score or
remove the same features (`Words`), so their results line up word for word and can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnclf.core.text import token_spans, tokenize
from rnnclf.models.classifier import Classifier

MAX_WORDS = 300  # tokens of the text that LIME perturbs; the rest is shown but not explained


MAX_CHARS = 20_000  # characters looked at for those words (bounds the span search on huge texts)


@dataclass(frozen=True)
class Piece:
    """A consecutive piece of the explained text; all pieces concatenate to the text."""

    text: str
    weight: float | None  # None: not a feature (spaces, dropped punctuation, text past the cap)
    in_window: bool  # False: beyond the model's token window, so it does not reach the model as is


@dataclass(frozen=True)
class Words:
    """A text cut into the words the model reads (`token_spans`), the features every explanation shares.

    A feature is a distinct word (in order of first appearance, as LIME's IndexedString numbers them);
    removing it removes every occurrence. Only the first `max_words` words (MAX_WORDS; None: all) are features.
    """

    text: str
    spans: tuple[tuple[int, int], ...]
    span_feature: np.ndarray  # the feature of each span
    features: tuple[str, ...]  # the distinct words
    tokens: tuple[str, ...]  # the model's token of each span
    truncated: bool  # longer than `max_words` words (or MAX_CHARS characters): the rest is no feature

    @classmethod
    def of(cls, text: str, max_words: int | None = MAX_WORDS) -> Words:
        if not text.strip():
            raise ValueError("there is no text to explain")
        head = text[:MAX_CHARS]
        spans = token_spans(head)
        too_many = max_words is not None and len(spans) > max_words
        truncated = too_many or len(text) > len(head)
        if truncated:
            # Keep whole words only: the last span of a cut text may be half a word.
            spans = spans[:max_words] if too_many else spans[:-1] or spans
        words = [text[s:e] for s, e in spans]
        if not words:
            raise ValueError("the text has no words the model reads (only spaces or dropped symbols)")
        feature_of: dict[str, int] = {}
        span_feature = np.array([feature_of.setdefault(w, len(feature_of)) for w in words])
        return cls(
            text=text,
            spans=tuple(spans),
            span_feature=span_feature,
            features=tuple(feature_of),
            # The i-th span is where the i-th token comes from. Take the tokens from the whole text, not by
            # tokenizing each word alone: lower-casing depends on neighbours ("A'Σ" reads as "a ' ς", but "Σ"
            # alone as "σ"), and the model must see in sample 0 exactly the tokens of the text it scored.
            tokens=tuple(tokenize(head)[: len(spans)]),
            truncated=truncated,
        )

    @property
    def token_feature(self) -> np.ndarray:
        """The feature of each token (one token per span)."""
        return self.span_feature

    def keep(self, present: np.ndarray) -> np.ndarray:
        """Token masks (rows, tokens) from feature masks (rows, features): a word's absence drops all its tokens."""
        return np.asarray(present)[:, self.span_feature].astype(bool)

    def unknown_only(self, classifier: Classifier) -> bool:
        """No token is known to the model: any explanation is of its unknown-word vector alone."""
        return not any(classifier.is_known(t) for t in self.tokens)

    def pieces(self, weight_of: dict[int, float], max_tokens: int | None) -> tuple[Piece, ...]:
        """The whole text as pieces: each word with its feature's weight (0 if none), the gaps without."""
        text = self.text
        pieces: list[Piece] = []
        position = 0
        for tokens_before, ((start, end), feature) in enumerate(zip(self.spans, self.span_feature)):
            in_window = max_tokens is None or tokens_before < max_tokens
            if start > position:
                pieces.append(Piece(text[position:start], None, in_window))
            pieces.append(Piece(text[start:end], weight_of.get(int(feature), 0.0), in_window))
            position = end
        if position < len(text):
            pieces.append(Piece(text[position:], None, max_tokens is None or len(self.spans) < max_tokens))
        return tuple(pieces)
