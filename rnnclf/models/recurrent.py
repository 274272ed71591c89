"""The recurrent family: a `RecurrentClassifier` behind the `Classifier` interface, and its checkpoint files.

Its model.safetensors holds the module's state dict as float16 (the stored metrics are measured on
exactly those weights); the vocabulary is a JSON file beside the checkpoints, pinned by its sha256.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from rnnclf.core.text import Vocab
from rnnclf.models.classifier import Capability, Classifier, EmbeddingGradients, Reading
from rnnclf.models.networks import RecurrentClassifier

STORAGE_DTYPE = torch.float16
# Rows per forward pass (LIME's samples, the test split): small enough that a chunk's per-step RNN
# activations stay in cache (bench/ measures the chunk sizes).
PREDICT_BATCH = 512


class RecurrentTextClassifier(Classifier):
    capabilities = frozenset({Capability.GRADIENTS, Capability.RANDOMIZED, Capability.REPRESENTATION})

    def __init__(self, name: str, model: RecurrentClassifier, vocab: Vocab, classes: Sequence[str]):
        if len(classes) != model.linear.out_features:
            raise ValueError(f"{len(classes)} class names for a model of {model.linear.out_features} outputs")
        self.name = name
        self.classes = tuple(classes)
        self.model = model.eval()
        self.vocab = vocab
        self.max_tokens = model.approach.max_tokens
        # What turns id batches into logits: the model, or for its shape a faster module with bitwise its logits.
        self.scoring: nn.Module = FoldedRNN(model) if FoldedRNN.fits(model) else model

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.read(texts).probabilities

    def predict_proba_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        return self._read_ids(*self.vocab.encode(token_lists, self.max_tokens)).probabilities

    def predict_proba_masked(self, tokens: Sequence[str], keep: np.ndarray) -> np.ndarray:
        """Builds the padded id matrix straight from the mask: no per-sample Python work."""
        token_ids = np.asarray(self.vocab.lookup(tokens), dtype=np.int64)
        position = np.cumsum(keep, axis=1) - 1
        rows, cols = np.nonzero(keep & (position < self.max_tokens))
        ids = np.zeros((len(keep), self.max_tokens), dtype=np.int64)
        ids[rows, position[rows, cols]] = token_ids[cols]
        return self._read_ids(ids, np.minimum(keep.sum(axis=1), self.max_tokens)).probabilities

    def read(self, texts: Sequence[str], features: bool = False) -> Reading:
        """Token ids are the vocabulary's (0: `<UNK>`)."""
        return self._read_ids(*self.vocab.encode_texts(texts, self.max_tokens), features=features)

    def token_ids(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        return self.vocab.encode_texts(texts, self.max_tokens)

    def _read_ids(self, ids: np.ndarray, lengths: np.ndarray, features: bool = False) -> Reading:
        """The features come from the module itself (the folded copy keeps none); the logits from the scoring
        path, which for an unfolded model is the module's own `linear(features(...))`: one pass either way,
        except a folded model asked for features, which runs the module too."""
        probabilities = np.zeros((len(ids), len(self.classes)), dtype=np.float32)
        logits = np.zeros_like(probabilities)
        found = np.zeros((len(ids), self.model.linear.in_features), dtype=np.float32) if features else None
        with torch.inference_mode():
            for start in range(0, len(ids), PREDICT_BATCH):
                chunk = slice(start, start + PREDICT_BATCH)
                batch, batch_lengths = torch.from_numpy(ids[chunk]), torch.from_numpy(lengths[chunk])
                if features:
                    last_layer_reads = self.model.features(batch, batch_lengths)
                    found[chunk] = last_layer_reads.numpy()
                out = (
                    self.model.linear(last_layer_reads)
                    if features and self.scoring is self.model
                    else self.scoring(batch, batch_lengths)
                )
                logits[chunk] = out.numpy()
                probabilities[chunk] = torch.softmax(out, dim=1).numpy()
        return Reading(probabilities, logits, ids, lengths, found)

    def is_known(self, token: str) -> bool:
        return token in self.vocab

    def embedding_gradients(self, tokens: Sequence[str]) -> EmbeddingGradients:
        """Gradients through the token embedding and, with an n-gram bag, through the bag's rows too (each
        bag row's attribution goes to the tokens it was hashed from, so the tokens add up to the whole).

        The baseline is the all-`<UNK>` input: the id of `<UNK>` is also the padding id, so it is the same
        length of the vector the model reads for any word it does not know, and padding gets no attribution.
        """
        model = copy.deepcopy(self.model)
        ids, lengths = self.vocab.encode([tokens], self.max_tokens)
        ids_t = torch.from_numpy(ids)
        bag = model.bag if model.approach.bag_buckets else None

        def to_tokens(per_row: tuple[torch.Tensor, ...]) -> torch.Tensor:
            return per_row[0] + bag.to_tokens(per_row[1]) if bag else per_row[0]

        return EmbeddingGradients(
            module=model,
            layers=(model.embedding, *([bag.embedding] if bag else [])),
            ids=ids_t,
            lengths=torch.from_numpy(lengths),
            baseline=torch.zeros_like(ids_t),  # all <UNK> (id 0, also the padding id)
            to_tokens=to_tokens,
        )

    def randomized(self, seed: int) -> RecurrentTextClassifier:
        """Freshly initialized layers of the same shape, drawn from `seed` (the global generator is left as it was)."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = RecurrentClassifier(self.model.approach, len(self.vocab), len(self.classes))
        return RecurrentTextClassifier(f"{self.name} (random weights)", model, self.vocab, self.classes)


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
