"""One recurrent classifier that every `Approach` configures: embedding -> recurrent layers -> linear."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnclf.models.approaches import Approach

_CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class RecurrentClassifier(nn.Module):
    """The tutorial's model, with a zero initial hidden state.

    The tutorial passes `torch.randn(...)` as the initial hidden state on every call, so the same text
    gets different probabilities each time; here it is zero (PyTorch's default) and predictions repeat.
    """

    def __init__(self, approach: Approach, vocab_size: int, n_classes: int, sparse: bool = False):
        super().__init__()
        self.approach = approach
        self.embedding = nn.Embedding(vocab_size, approach.embed_dim, sparse=sparse)
        self.rnns = nn.ModuleList()
        width = approach.embed_dim
        for layer in approach.layers:
            options = {"nonlinearity": layer.nonlinearity} if layer.cell == "rnn" else {}
            self.rnns.append(
                _CELLS[layer.cell](
                    width,
                    layer.hidden,
                    num_layers=layer.num_layers,
                    bidirectional=layer.bidirectional,
                    batch_first=True,
                    **options,
                )
            )
            width = layer.hidden * (2 if layer.bidirectional else 1)
        self.dropout = nn.Dropout(approach.dropout) if approach.dropout else nn.Identity()
        if approach.bag_buckets:
            self.bag = NgramBag(vocab_size, approach.bag_buckets, approach.bag_dim, approach.bag_ngrams)
            width += approach.bag_dim
        self.linear = nn.Linear(width, n_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits for right-padded `ids` (batch, tokens); `lengths` counts each row's real tokens."""
        if self.training and self.approach.token_dropout:  # whole words read as unknown: a regularizer
            ids = ids.masked_fill(torch.rand(ids.shape) < self.approach.token_dropout, 0)
        return self.linear(self.features(ids, lengths))

    def features(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """What the linear layer reads: the recurrent summary of each text, and the n-gram bag if any."""
        x = self.dropout(self.embedding(ids))
        features = self.dropout(self._read(x, lengths))
        if self.approach.bag_buckets:  # the bag is already a mean over many rows: no dropout on it
            features = torch.cat([features, self.bag(ids, lengths)], dim=1)
        return features

    def _read(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The recurrent layers' summary of each text, as `approach.readout` says."""
        readout = self.approach.readout
        if readout == "last_step":
            for rnn in self.rnns:
                x, _ = rnn(x)
            return x[:, -1]
        outputs, final = self._packed(x, lengths)
        if readout == "last_token":
            return final
        mask = (torch.arange(outputs.shape[1]) < lengths.clamp(min=1)[:, None]).unsqueeze(-1)
        if readout == "mean":
            return (outputs * mask).sum(1) / mask.sum(1)
        if readout == "max":
            return outputs.masked_fill(~mask, float("-inf")).amax(1)
        raise ValueError(f"unknown readout {readout!r}")

    def _packed(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Run every layer on packed sequences, so no direction ever reads padding.

        Returns the last layer's outputs (padded with zeros) and its final hidden state at each
        text's real end, forward and backward concatenated when bidirectional.
        """
        lengths = lengths.clamp(min=1).cpu()
        for rnn in self.rnns:
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            output, hidden = rnn(packed)
            x, _ = pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])
        if isinstance(hidden, tuple):  # LSTM: (h, c)
            hidden = hidden[0]
        directions = 2 if rnn.bidirectional else 1
        return x, hidden[-directions:].transpose(0, 1).reshape(x.shape[0], -1)


class NgramBag(nn.Module):
    """The mean embedding of a text's words and of its hashed word n-grams: fastText's input layer.

    N-grams are hashed from vocabulary ids with integer arithmetic, so every process and every path
    that yields the same ids (token lists, LIME's masks) reads the same buckets. The rows start at
    zero, so a bucket that training never saw adds nothing at prediction time. The rows come from an
    `nn.Embedding` and are averaged here, so gradient attributions can reach each row (`to_tokens`).
    """

    MULTIPLIER = 1_000_003
    MODULUS = 2_147_483_647  # 2**31 - 1: hashes times MULTIPLIER stay far inside int64

    def __init__(self, vocab_size: int, buckets: int, dim: int, ngrams: int):
        super().__init__()
        self.vocab_size, self.buckets, self.ngrams = vocab_size, buckets, ngrams
        self.embedding = nn.Embedding(vocab_size + buckets, dim)
        nn.init.zeros_(self.embedding.weight)

    def rows(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Each text's embedding rows (its word ids, then its n-gram buckets) and which are real."""
        width = ids.shape[1]
        positions = torch.arange(width)
        rows, real = [ids], [positions < lengths[:, None]]
        hashed = ids
        for n in range(2, self.ngrams + 1):  # the n-gram starting at each position, hashed from the (n-1)-gram
            hashed = (hashed[:, :-1] * self.MULTIPLIER + ids[:, n - 1 :]) % self.MODULUS
            rows.append(self.vocab_size + hashed % self.buckets)
            real.append(positions[: width - n + 1] + n <= lengths[:, None])
        return torch.cat(rows, dim=1), torch.cat(real, dim=1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        rows, real = self.rows(ids, lengths)
        weights = real.float()
        weights = weights / weights.sum(1, keepdim=True).clamp(min=1)
        return (self.embedding(rows) * weights.unsqueeze(-1)).sum(1)

    def to_tokens(self, per_row: torch.Tensor) -> torch.Tensor:
        """A value per row of `rows` (batch, rows) folded onto token positions (batch, tokens).

        A word's row goes to its token; an n-gram's is shared evenly by its n tokens, so the totals agree.
        """
        width = (per_row.shape[1] + sum(n - 1 for n in range(2, self.ngrams + 1))) // self.ngrams
        tokens = per_row[:, :width].clone()
        start = width
        for n in range(2, self.ngrams + 1):
            block = per_row[:, start : start + width - n + 1] / n
            for offset in range(n):
                tokens[:, offset : offset + width - n + 1] += block
            start += width - n + 1
        return tokens


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
