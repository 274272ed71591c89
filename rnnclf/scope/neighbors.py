"""The training texts nearest a text in a checkpoint's own representation (the features its last layer reads;
TF-IDF space for the baseline), by cosine similarity, with their true labels: why the model reads a text as
it does, in the words of the texts it learned from.

The whole training split's representation is computed once per process (`NeighborIndex.build`) rather than
stored: stored, it would add tens of MB per checkpoint to the repository; computed, it costs one forward
pass over the training rows, once (bench/groups/scope.py measures both that and a warm query).
Tests: tests/unit/scope/test_scope_neighbors.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from rnnclf.checkpoints.registry import Checkpoint
from rnnclf.data.dataset import Split
from rnnclf.evaluation.temperature import training_splits
from rnnclf.scope.methods import as_columns, cosine_similarities

K = 5  # neighbours shown by default (the command's --k, the app)


@dataclass(frozen=True)
class Neighbor:
    row: int  # the row of the checkpoint's training split (as `training_splits` rebuilds it)
    text: str
    label: str  # its true class
    similarity: float  # cosine, in the checkpoint's representation


@dataclass(frozen=True)
class Neighbors:
    """A text's nearest training texts, and how many of them carry the class the checkpoint predicts."""

    checkpoint: str
    predicted: str
    neighbors: tuple[Neighbor, ...]

    @property
    def agree(self) -> int:
        return sum(n.label == self.predicted for n in self.neighbors)

    def summary(self) -> str:
        return f"closest training texts: {self.agree} of {len(self.neighbors)} are {self.predicted}"


@dataclass(frozen=True)
class NeighborIndex:
    """A checkpoint's training texts at unit length in its representation, one column per text: a sparse
    query then touches only the rows of its own terms (TF-IDF: under a millisecond, where the bank times the
    query densified takes tens)."""

    checkpoint: Checkpoint
    train: Split
    columns: np.ndarray | sparse.csr_array  # (width, training texts)

    @classmethod
    def build(cls, checkpoint: Checkpoint) -> NeighborIndex:
        train, _ = training_splits(checkpoint.config)
        return cls(checkpoint, train, as_columns(checkpoint.classifier.representation(train.texts).features))

    def nearest(self, text: str, k: int = K) -> Neighbors:
        """The `k` most similar training texts, most similar first (ties: the earlier row)."""
        classifier = self.checkpoint.classifier
        similarities = cosine_similarities(classifier.representation([text]).features, self.columns)[0]
        k = max(0, min(k, len(similarities)))
        top = np.argpartition(-similarities, k - 1)[:k] if k else np.array([], dtype=int)
        top = top[np.lexsort((top, -similarities[top]))]
        classes = self.checkpoint.classes
        predicted = classes[int(classifier.predict_proba([text])[0].argmax())]
        found = tuple(
            Neighbor(int(i), self.train.texts[i], classes[int(self.train.labels[i])], float(similarities[i]))
            for i in top
        )
        return Neighbors(self.checkpoint.name, predicted, found)
