"""The one interface every model implements, so the app never needs to know which model it shows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from .data import CLASSES
from .models import RecurrentClassifier
from .text import Vocab, tokenize

# Rows per forward pass (LIME's samples, the test split). Small enough that a chunk's per-step RNN
# activations stay in cache: 512 scores approach5's 5,000 LIME samples ~15-20 % faster than 2048
# (bench/). The probabilities equal 2048's bit for bit on the stored test predictions; only a
# chunk of a few rows may round differently (see README, Determinism).
PREDICT_BATCH = 512


class Classifier(ABC):
    """A loaded checkpoint: texts in, probabilities over `classes` out. Read-only after loading."""

    name: str
    title: str
    classes: tuple[str, ...] = CLASSES
    max_tokens: int | None  # the model reads only this many tokens; None: the whole text
    config: dict
    metrics: dict
    folder: Path | None = None  # where it was loaded from

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (len(texts), len(classes))."""
        return self.predict_proba_tokens([tokenize(text) for text in texts])

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

    @property
    def test_accuracy(self) -> float | None:
        return self.metrics.get("test", {}).get("accuracy")


class RecurrentTextClassifier(Classifier):
    def __init__(self, name: str, model: RecurrentClassifier, vocab: Vocab, config: dict, metrics: dict):
        self.name = name
        self.model = model.eval()
        self.vocab = vocab
        self.config = config
        self.metrics = metrics
        self.title = model.approach.title
        self.max_tokens = model.approach.max_tokens

    def predict_proba_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        return self._predict_ids(*self.vocab.encode(token_lists, self.max_tokens))

    def predict_proba_masked(self, tokens: Sequence[str], keep: np.ndarray) -> np.ndarray:
        """Builds the padded id matrix straight from the mask: no per-sample Python work."""
        token_ids = np.asarray(self.vocab.lookup(tokens), dtype=np.int64)
        position = np.cumsum(keep, axis=1) - 1
        rows, cols = np.nonzero(keep & (position < self.max_tokens))
        ids = np.zeros((len(keep), self.max_tokens), dtype=np.int64)
        ids[rows, position[rows, cols]] = token_ids[cols]
        return self._predict_ids(ids, np.minimum(keep.sum(axis=1), self.max_tokens))

    def _predict_ids(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.zeros((len(ids), len(self.classes)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(ids), PREDICT_BATCH):
                chunk = slice(start, start + PREDICT_BATCH)
                logits = self.model(torch.from_numpy(ids[chunk]), torch.from_numpy(lengths[chunk]))
                out[chunk] = torch.softmax(logits, dim=1).numpy()
        return out

    def is_known(self, token: str) -> bool:
        return token in self.vocab
