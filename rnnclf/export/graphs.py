"""What is exported: for each model family, a torch module from token ids to class probabilities whose
every operation ONNX can express, with the same numbers as the project's scoring path.

Recurrent models that read the last step run the trained module itself. The other readouts run on packed
sequences, which ONNX cannot express (a packed batch's shape depends on its lengths); `MaskedRecurrent`
computes the same thing on the padded batch: each direction is a one-layer module with the trained
weights, the backward one reads each row reversed by its length, and padding is zeroed and masked as the
packed path leaves it. The TF-IDF baseline's term lookup is string work that ONNX has no operator for, so
the standalone predict.py does it; `TfidfGraph` does the weighting, normalisation, matmul and softmax.
`tests/unit/export/test_export.py` holds each graph to its classifier.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnnclf.models.networks import RecurrentClassifier


def _one_layer(rnn: nn.RNNBase, layer: int, reverse: bool) -> nn.RNNBase:
    """One direction of one layer of `rnn`, as a module of its own with the trained weights."""
    options = {"nonlinearity": rnn.nonlinearity} if isinstance(rnn, nn.RNN) else {}
    width = rnn.input_size if layer == 0 else rnn.hidden_size * (2 if rnn.bidirectional else 1)
    single = type(rnn)(width, rnn.hidden_size, num_layers=1, bias=rnn.bias, batch_first=True, **options)
    suffix = f"l{layer}{'_reverse' if reverse else ''}"
    single.load_state_dict({f"{name}_l0": getattr(rnn, f"{name}_{suffix}") for name in _weight_names(rnn)})
    return single.eval()


def _weight_names(rnn: nn.RNNBase) -> tuple[str, ...]:
    return ("weight_ih", "weight_hh", *(("bias_ih", "bias_hh") if rnn.bias else ()))


class MaskedRecurrent(nn.Module):
    """`RecurrentClassifier._read` for the readouts that need each text's real end, without packing."""

    def __init__(self, model: RecurrentClassifier):
        super().__init__()
        self.readout = model.approach.readout
        self.layers = nn.ModuleList()
        for rnn in model.rnns:
            for layer in range(rnn.num_layers):
                directions = [_one_layer(rnn, layer, False)]
                if rnn.bidirectional:
                    directions.append(_one_layer(rnn, layer, True))
                self.layers.append(nn.ModuleList(directions))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        lengths = lengths.clamp(min=1)
        positions = torch.arange(x.shape[1])[None, :]
        real = positions < lengths[:, None]
        # Row i reversed within its first lengths[i] positions; padding stays where it is (after them).
        reverse = torch.where(real, lengths[:, None] - 1 - positions, positions)
        last = (lengths - 1)[:, None, None]
        for directions in self.layers:
            forward = directions[0](x)[0]
            final = [forward.gather(1, last.expand(-1, 1, forward.shape[2]))[:, 0]]
            outputs = [forward]
            if len(directions) == 2:
                flipped = x.gather(1, reverse[:, :, None].expand(-1, -1, x.shape[2]))
                backward = directions[1](flipped)[0]
                final.append(backward.gather(1, last.expand(-1, 1, backward.shape[2]))[:, 0])
                outputs.append(backward.gather(1, reverse[:, :, None].expand(-1, -1, backward.shape[2])))
            x = torch.cat(outputs, dim=2) * real[:, :, None]  # zeros at padding, as pad_packed_sequence gives
        if self.readout == "last_token":
            return torch.cat(final, dim=1)
        mask = real[:, :, None]
        if self.readout == "mean":
            return (x * mask).sum(1) / mask.sum(1)
        if self.readout == "max":
            return x.masked_fill(~mask, float("-inf")).amax(1)
        raise ValueError(f"unknown readout {self.readout!r}")


class RecurrentGraph(nn.Module):
    """(ids: batch x window int64, lengths: batch int64) -> probabilities, for any recurrent approach."""

    def __init__(self, model: RecurrentClassifier):
        super().__init__()
        self.model = model.eval()
        self.masked = None if model.approach.readout == "last_step" else MaskedRecurrent(model)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if self.masked is None:
            return torch.softmax(self.model(ids, lengths), dim=1)
        model = self.model
        features = self.masked(model.embedding(ids), lengths)
        if model.approach.bag_buckets:
            features = torch.cat([features, model.bag(ids, lengths)], dim=1)
        return torch.softmax(model.linear(features), dim=1)


class TfidfGraph(nn.Module):
    """(terms: batch x k int64, counts: batch x k float64) -> probabilities: each row's distinct known terms
    and how often each occurs; a row with fewer terms is padded with the index `len(idf)` and count 0."""

    def __init__(self, idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray, sublinear_tf: bool):
        super().__init__()
        self.register_buffer("idf", torch.from_numpy(np.append(idf, 0.0).astype(np.float64)))  # padding weighs 0
        coef_t = np.vstack([coef.T, np.zeros((1, coef.shape[0]))]).astype(np.float64)
        self.register_buffer("coef", torch.from_numpy(np.ascontiguousarray(coef_t)))
        self.register_buffer("intercept", torch.from_numpy(intercept.astype(np.float64)))
        self.sublinear_tf = sublinear_tf

    def forward(self, terms: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
        tf = 1.0 + torch.log(counts.clamp(min=1.0)) if self.sublinear_tf else counts
        weights = tf * self.idf[terms]
        norms = torch.sqrt((weights * weights).sum(1, keepdim=True))
        weights = weights / torch.where(norms > 0, norms, torch.ones_like(norms))
        logits = (weights[:, :, None] * self.coef[terms]).sum(1) + self.intercept
        return torch.softmax(logits, dim=1).float()
