"""The one interface every model implements, so the app, LIME and evaluation never need to know which
model they are showing. It only predicts: what a checkpoint says about itself lives in `registry.Checkpoint`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from rnnclf.core.text import tokenize_many


class Classifier(ABC):
    """Texts in, probabilities over `classes` out. Read-only after loading."""

    name: str
    classes: tuple[str, ...]  # the dataset's class names, in the order of the probabilities' columns
    max_tokens: int | None  # the model reads only this many tokens; None: the whole text

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (len(texts), len(classes))."""
        return self.predict_proba_tokens(tokenize_many(texts, self.max_tokens))

    @abstractmethod
    def predict_proba_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """The same, for already tokenized texts (LIME perturbs tokens, not strings)."""

    def predict_proba_masked(self, tokens: Sequence[str], keep: np.ndarray) -> np.ndarray:
        """Probabilities for variants of one text: row i keeps the tokens where keep[i] is True.

        LIME's hot path: it scores thousands of such variants. Models may override this to skip
        building token lists; the result must equal `predict_proba_tokens` on those lists.
        """
        array = np.array(tokens, dtype=object)
        return self.predict_proba_tokens([array[row].tolist() for row in keep])

    @abstractmethod
    def is_known(self, token: str) -> bool:
        """Whether the model has learned anything for this token (False: it reads it as unknown)."""
