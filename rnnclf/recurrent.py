"""The recurrent family: a `RecurrentClassifier` behind the `Classifier` interface, and its checkpoint files.

Its model.safetensors holds the module's state dict as float16 (the stored metrics are measured on
exactly those weights); the vocabulary is a JSON file beside the checkpoints, pinned by its sha256.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from safetensors.torch import save as save_tensors
from torch import nn

from .classifier import Classifier
from .models import RecurrentClassifier
from .records import CheckpointConfig, RecurrentSpec
from .storage import PREDICTIONS, WEIGHTS, CheckpointError, Folder, predictions_bytes
from .text import Vocab

STORAGE_DTYPE = torch.float16
# Rows per forward pass (LIME's samples, the test split): small enough that a chunk's per-step RNN
# activations stay in cache (bench/ measures the chunk sizes).
PREDICT_BATCH = 512


class RecurrentTextClassifier(Classifier):
    def __init__(self, name: str, model: RecurrentClassifier, vocab: Vocab):
        self.name = name
        self.model = model.eval()
        self.vocab = vocab
        self.max_tokens = model.approach.max_tokens
        # What turns id batches into logits: the model, or for its shape a faster module with bitwise its logits.
        self.scoring: nn.Module = FoldedRNN(model) if FoldedRNN.fits(model) else model

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self._predict_ids(*self.vocab.encode_texts(texts, self.max_tokens))

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
                logits = self.scoring(torch.from_numpy(ids[chunk]), torch.from_numpy(lengths[chunk]))
                out[chunk] = torch.softmax(logits, dim=1).numpy()
        return out

    def is_known(self, token: str) -> bool:
        return token in self.vocab


class FoldedRNN(nn.Module):
    """The inference forward of the tutorial's model shape (one single-layer, one-direction tanh or ReLU
    RNN read at the last step, no bag), with each word's input term looked up instead of computed.

    PyTorch's RNN multiplies every token's embedding by `W_ih` on every call, as much arithmetic as
    the recurrence itself when the widths are equal; `embedding @ W_ih.T + b_ih` computed once per
    vocabulary row is the same number for every occurrence of the word. The recurrence then runs the
    ops PyTorch's CPU kernel runs, in its order (`addmm` with `b_hh`, add the input term, the
    nonlinearity), so the logits are bitwise the module's (tests compare them). Built from trained
    weights: a model changed afterwards needs a new one.
    """

    def __init__(self, model: RecurrentClassifier):
        super().__init__()
        rnn = model.rnns[0]
        with torch.inference_mode():
            self.register_buffer(
                "inputs", nn.functional.linear(model.embedding.weight, rnn.weight_ih_l0, rnn.bias_ih_l0)
            )
        self.register_buffer("recurrent", rnn.weight_hh_l0.detach().t())
        self.register_buffer("bias", rnn.bias_hh_l0.detach())
        self.nonlinearity = torch.Tensor.tanh_ if rnn.nonlinearity == "tanh" else torch.Tensor.relu_
        self.linear = model.linear

    @staticmethod
    def fits(model: RecurrentClassifier) -> bool:
        rnn = model.rnns[0]
        return (
            len(model.rnns) == 1
            and type(rnn) is nn.RNN
            and rnn.num_layers == 1
            and not rnn.bidirectional
            and rnn.bias
            and model.approach.readout == "last_step"
            and not model.approach.bag_buckets
        )

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits for right-padded `ids`; every step is read, padding included, as the module does."""
        steps = nn.functional.embedding(ids.t(), self.inputs)  # (tokens, batch, hidden): a block per step
        hidden = torch.zeros(steps.shape[1:])
        spare = torch.empty(steps.shape[1:])
        for step in steps:
            torch.addmm(self.bias, hidden, self.recurrent, out=spare)
            self.nonlinearity(spare.add_(step))
            hidden, spare = spare, hidden
        return self.linear(hidden)


def round_to_storage(model: RecurrentClassifier) -> None:
    """Round the weights to the stored precision, so the metrics describe the shipped weights exactly."""
    model.load_state_dict({k: v.to(STORAGE_DTYPE).float() for k, v in model.state_dict().items()})


def checkpoint_files(model: RecurrentClassifier, predictions: np.ndarray | None) -> dict[str, bytes]:
    """The files of a recurrent checkpoint besides its JSON: weights, and test predictions if given."""
    tensors = {k: v.detach().to(STORAGE_DTYPE).contiguous() for k, v in model.state_dict().items()}
    files = {WEIGHTS: save_tensors(tensors, metadata={"format": "rnnclf"})}
    if predictions is not None:
        files[PREDICTIONS] = predictions_bytes(predictions)
    return files


def load(folder: Folder, config: CheckpointConfig) -> RecurrentTextClassifier:
    """The classifier of a verified recurrent checkpoint: its vocabulary, then its weights."""
    spec = config.model
    if not isinstance(spec, RecurrentSpec):
        raise CheckpointError(f"checkpoint {folder.name!r}: not a recurrent checkpoint")
    vocab_json = folder.sibling(spec.vocab.file, spec.vocab.sha256, "vocabulary")
    try:
        vocab = Vocab.from_json(vocab_json)
    except ValueError as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: {spec.vocab.file}: {error}") from None
    arrays, _ = folder.read_tensors(WEIGHTS)
    model = RecurrentClassifier(spec.approach, len(vocab))
    try:
        model.load_state_dict({key: torch.from_numpy(value).float() for key, value in arrays.items()})
    except RuntimeError as error:
        lines = str(error).strip().splitlines()
        raise CheckpointError(
            f"checkpoint {folder.name!r}: weights do not fit {spec.approach.id} "
            f"({lines[1].strip() if len(lines) > 1 else lines[0]})"
        ) from None
    return RecurrentTextClassifier(folder.name, model, vocab)
