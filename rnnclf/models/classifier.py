"""The one interface every model implements, so the app, LIME and evaluation never need to know which
model they are showing. It predicts, and declares what else it can do (`Capability`): code that needs
more than predictions asks for a capability, never for a concrete model type. What a checkpoint says
about itself lives in `registry.Checkpoint`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from rnnclf.core.text import tokenize_many

if TYPE_CHECKING:
    import torch
    from scipy import sparse
    from torch import nn


class Capability(Enum):
    """What a classifier may do beyond predicting; each has its method on `Classifier`, named in the value."""

    GRADIENTS = "gradients through an embedding"  # embedding_gradients
    LINEAR = "exact linear contributions"  # linear_contributions
    RANDOMIZED = "a copy with random weights"  # randomized
    REPRESENTATION = "a representation of each text"  # representation


class Unsupported(ValueError):
    """A classifier was asked for a capability it does not declare."""


@dataclass(frozen=True)
class EmbeddingGradients:
    """One text as a differentiable model reads it: what Integrated Gradients integrates along.

    `module` is the caller's own copy, so hooks on it (Captum's) never meet predictions that other threads
    make with the shared model meanwhile.
    """

    module: nn.Module  # (ids, lengths) -> logits
    layers: tuple[nn.Module, ...]  # the embedding layers whose outputs are integrated, the token embedding first
    ids: torch.Tensor  # (1, tokens read)
    lengths: torch.Tensor  # (1,)
    baseline: torch.Tensor  # the ids of the input the attributions are measured from (unknown words), as `ids`
    # Each layer's attributions per row (summed over its dimensions), folded onto the tokens: (1, tokens).
    to_tokens: Callable[[tuple[torch.Tensor, ...]], torch.Tensor]


@dataclass(frozen=True)
class Representation:
    """Each text as the model's last layer reads it, and the logits that layer makes of it: what
    neighbours, maps and out-of-scope scores are computed in."""

    features: np.ndarray | sparse.csr_array  # (texts, width): dense, or sparse where the model's space is
    logits: np.ndarray  # (texts, classes); their softmax is predict_proba's, to float rounding


@dataclass(frozen=True)
class Reading:
    """One pass of a model over texts: what predicting computes anyway, kept whole, so that an out-of-scope
    score beside each prediction costs no second pass (tests/unit/models/test_reading.py)."""

    probabilities: np.ndarray  # (texts, classes): predict_proba's, bit for bit
    logits: np.ndarray  # (texts, classes): what the probabilities are the softmax of
    ids: np.ndarray  # (texts, tokens read), right-padded: each token read as an id of the model's own; 0: unknown
    lengths: np.ndarray  # (texts,): real tokens per row
    features: np.ndarray | sparse.csr_array | None  # what the last layer read: only when asked for


class Classifier(ABC):
    """Texts in, probabilities over `classes` out. Read-only after loading."""

    name: str
    classes: tuple[str, ...]  # the dataset's class names, in the order of the probabilities' columns
    max_tokens: int | None  # the model reads only this many tokens; None: the whole text
    # What it can do beyond predicting: a family declares each capability whose method it implements
    # (tests/unit/explain/test_methods.py checks that every shipped family's declarations hold).
    capabilities: frozenset[Capability] = frozenset()

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

    def embedding_gradients(self, tokens: Sequence[str]) -> EmbeddingGradients:
        """`tokens` as the model reads them, for gradients through its embedding (`Capability.GRADIENTS`)."""
        raise self.unsupported(Capability.GRADIENTS)

    def linear_contributions(self, tokens: Sequence[str], label: int) -> np.ndarray:
        """Each token's exact share of class `label`'s logit minus the mean logit, relative to the empty
        text: they sum to that difference (`Capability.LINEAR`)."""
        raise self.unsupported(Capability.LINEAR)

    def randomized(self, seed: int) -> Classifier:
        """The same model with random weights drawn from `seed`, for the faithfulness sanity check
        (`Capability.RANDOMIZED`)."""
        raise self.unsupported(Capability.RANDOMIZED)

    def read(self, texts: Sequence[str], features: bool = False) -> Reading:
        """`texts` read once: probabilities, logits, token ids and, with `features`, what the last layer read
        (`Capability.REPRESENTATION`)."""
        raise self.unsupported(Capability.REPRESENTATION)

    def token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """`read`'s ids and lengths without the forward pass (`Capability.REPRESENTATION`)."""
        raise self.unsupported(Capability.REPRESENTATION)

    def representation(self, texts: Sequence[str]) -> Representation:
        """`texts` in the space the model's last layer reads (`Capability.REPRESENTATION`)."""
        reading = self.read(texts, features=True)
        return Representation(reading.features, reading.logits)

    def unsupported(self, capability: Capability) -> Unsupported:
        return Unsupported(f"{self.name} has no {capability.value}")
