"""The tutorial's code path, re-implemented for comparison only: nothing outside bench/ uses it.

"PyTorch RNN for text classification" (CoderzColumn) tokenizes inside the DataLoader's collate_fn
on every batch of every epoch, feeds `torch.int32` ids, draws a random initial hidden state on every
forward call, and gives LIME a `classifier_fn` that tokenizes each perturbed string in Python and
runs the model with autograd on. The tokenizer is torchtext's code path (a regex substitution per
rule, `rnnclf.text.tokenize_by_regex`) and the vocabulary is the project's, which reproduces torchtext's
`vocab(...)` exactly: the results are the same, only the code path differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from lime.explanation import Explanation
from lime.lime_text import LimeTextExplainer
from torch import nn
from torch.utils.data import DataLoader

from rnnclf import CLASSES
from rnnclf.core.text import Vocab, tokenize_by_regex
from rnnclf.data.dataset import Split
from rnnclf.models.approaches import Approach
from rnnclf.models.networks import RecurrentClassifier


class TutorialRNN(nn.Module):
    """The tutorial's forward over a project model's layers: `torch.randn` initial state per call."""

    def __init__(self, model: RecurrentClassifier):
        super().__init__()
        self.embedding, self.rnns, self.linear = model.embedding, model.rnns, model.linear

    def forward(self, X_batch: torch.Tensor) -> torch.Tensor:
        x = self.embedding(X_batch)
        for rnn in self.rnns:
            directions = 2 if rnn.bidirectional else 1
            x, _ = rnn(x, torch.randn(rnn.num_layers * directions, len(X_batch), rnn.hidden_size))
        return self.linear(x[:, -1])


def pad_ids(texts: Sequence[str], vocab: Vocab, max_words: int) -> list[list[int]]:
    """`vocab(tokenizer(text))`, then right-padded with 0 or cut to `max_words`, per text in Python."""
    X = [vocab.lookup(tokenize_by_regex(text)) for text in texts]
    return [tokens + [0] * (max_words - len(tokens)) if len(tokens) < max_words else tokens[:max_words] for tokens in X]


def loader(split: Split, vocab: Vocab, approach: Approach, shuffle: bool) -> DataLoader:
    """The tutorial's DataLoader: raw (label, text) pairs, vectorized by `collate_fn` on every batch."""

    def vectorize_batch(batch: list[tuple[int, str]]) -> tuple[torch.Tensor, torch.Tensor]:
        Y, X = list(zip(*batch))
        return torch.tensor(pad_ids(X, vocab, approach.max_tokens), dtype=torch.int32), torch.tensor(Y)

    pairs = list(zip(split.labels.tolist(), split.texts))
    return DataLoader(pairs, batch_size=approach.batch_size, collate_fn=vectorize_batch, shuffle=shuffle)


def train_epoch(
    model: TutorialRNN, optimizer: torch.optim.Optimizer, train: DataLoader, val: DataLoader
) -> tuple[float, float, float]:
    """One epoch of the tutorial's `TrainModel`: the training loop, then `CalcValLossAndAccuracy`.

    Returns (train loss, validation loss, validation accuracy), the figures the tutorial prints.
    """
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for X, Y in train:
        loss = loss_fn(model(X), Y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        Y_shuffled, Y_preds = [], []
        for X, Y in val:
            Y_shuffled.append(Y)
            Y_preds.append(model(X))
        Y_shuffled, Y_preds = torch.cat(Y_shuffled), torch.cat(Y_preds)
        val_loss = loss_fn(Y_preds, Y_shuffled).item()
        accuracy = float((Y_preds.argmax(dim=-1) == Y_shuffled).float().mean())
    return float(np.mean(losses)), val_loss, accuracy


def new_model(approach: Approach, vocab_size: int, seed: int = 0) -> tuple[TutorialRNN, torch.optim.Optimizer]:
    """A fresh model with the tutorial's forward and its optimizer (Adam over every parameter)."""
    torch.manual_seed(seed)
    model = TutorialRNN(RecurrentClassifier(approach, vocab_size, len(CLASSES)))
    return model, torch.optim.Adam(model.parameters(), lr=approach.lr)


def explain(
    model: TutorialRNN, vocab: Vocab, max_words: int, text: str, label: int, num_samples: int, seed: int = 0
) -> Explanation:
    """The tutorial's LIME call: `LimeTextExplainer` with a `classifier_fn` that re-tokenizes every sample."""

    explainer = LimeTextExplainer(class_names=list(CLASSES), random_state=seed)
    return explainer.explain_instance(
        text, classifier_fn=classifier_fn(model, vocab, max_words), labels=[label], num_samples=num_samples
    )


def classifier_fn(model: TutorialRNN, vocab: Vocab, max_words: int) -> Callable[[list[str]], np.ndarray]:
    """The tutorial's `make_predictions`: raw strings to probabilities, tokenized per text in Python."""

    def make_predictions(X_batch_text: list[str]) -> np.ndarray:
        logits = model(torch.tensor(pad_ids(X_batch_text, vocab, max_words), dtype=torch.int32))
        return F.softmax(logits, dim=-1).detach().numpy()

    return make_predictions
