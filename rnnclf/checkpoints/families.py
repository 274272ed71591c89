"""The model families a checkpoint can hold: each one's config record, how its classifier is built from
verified files, and which files it writes. The only module that knows which classifier class a kind names.

Storage (`storage`) knows files; each family here turns verified files into a `Classifier`; `registry`
puts the two together. Adding a family means a spec record, a loader and a writer here, and one row in
`FAMILIES`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from safetensors.torch import save as save_tensors

from rnnclf.checkpoints.schema import build
from rnnclf.checkpoints.storage import PREDICTIONS, WEIGHTS, CheckpointError, Folder, predictions_bytes
from rnnclf.core.text import Vocab
from rnnclf.models.approaches import Approach, Recurrent
from rnnclf.models.classifier import Classifier
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.models.recurrent import STORAGE_DTYPE, RecurrentTextClassifier
from rnnclf.models.tfidf import COEF_DTYPE, TfidfLogisticClassifier

RECURRENT, TFIDF_LR = "recurrent", "tfidf_lr"  # the kinds config.json names


@dataclass(frozen=True)
class VocabRef:
    """The shared vocabulary file a recurrent checkpoint reads, named and pinned by its sha256."""

    file: str
    sha256: str
    size: int


@dataclass(frozen=True)
class RecurrentSpec:
    """A recurrent model: its approach (the whole architecture) and its vocabulary."""

    approach: Approach
    vocab: VocabRef
    weights_dtype: str

    @property
    def tutorial_accuracy(self) -> float | None:
        return self.approach.tutorial_accuracy

    @property
    def architecture(self) -> str:
        """The model in one sentence, for its card (`tests/unit/reporting/test_cards.py`)."""
        a = self.approach
        layers = ", then ".join(_layer_phrase(layer) for layer in a.layers)
        readout = READOUTS.get(a.readout, a.readout)
        bag = (
            f"; beside it, the mean of {a.bag_dim}-dimensional vectors of its words and of their hashed n-grams "
            f"of up to {a.bag_ngrams} words ({a.bag_buckets:,} buckets)"
            if a.bag_buckets
            else ""
        )
        return (
            f"Each token is looked up in a vocabulary of {self.vocab.size:,} words and embedded in "
            f"{a.embed_dim} dimensions; {layers} read the embeddings, {readout}{bag}; "
            "a linear layer gives one logit per class, and a softmax the probabilities."
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecurrentSpec:
        return build(cls, data, approach=Approach.from_dict(data["approach"]), vocab=build(VocabRef, data["vocab"]))


@dataclass(frozen=True)
class TfidfSpec:
    """TF-IDF features over the project's tokens, then multinomial logistic regression."""

    ngram_max: int
    min_df: int
    sublinear_tf: bool
    terms: int
    C: float  # noqa: N815 - scikit-learn's name for the inverse regularization strength
    weights_dtype: Mapping[str, str]

    tutorial_accuracy = None  # the tutorial has no such model

    @property
    def architecture(self) -> str:
        """The model in one sentence, for its card."""
        tf = "1 + ln(count)" if self.sublinear_tf else "the count"
        return (
            f"Each text's tokens and their runs of up to {self.ngram_max} tokens are looked up among "
            f"{self.terms:,} terms (seen in at least {self.min_df} training texts); each term found is weighted "
            f"by {tf} times its smoothed inverse document frequency, the row is scaled to unit length, and "
            f"multinomial logistic regression (C = {self.C:g}) gives the class probabilities."
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TfidfSpec:
        return build(cls, data)


Spec = RecurrentSpec | TfidfSpec
READOUTS = {  # how each readout turns the recurrent outputs into one vector, in words
    "last_step": "and the output after the last position (padding included) is read",
    "last_token": "and the final state at each text's real end is read",
    "mean": "and their outputs are averaged over the real tokens",
    "max": "and the largest of their outputs over the real tokens is taken, feature by feature",
}


def _layer_phrase(layer: Recurrent) -> str:
    cell = f"{layer.nonlinearity} RNN" if layer.cell == "rnn" else layer.cell.upper()
    stack = f"{layer.num_layers} stacked " if layer.num_layers > 1 else "one "
    direction = "bidirectional " if layer.bidirectional else ""
    return f"{stack}{direction}{cell} layer{'s' if layer.num_layers > 1 else ''} of {layer.hidden} units"


def load_recurrent(folder: Folder, spec: RecurrentSpec, classes: tuple[str, ...]) -> RecurrentTextClassifier:
    """The classifier of a verified recurrent checkpoint: its vocabulary, then its weights."""
    vocab_json = folder.sibling(spec.vocab.file, spec.vocab.sha256, "vocabulary")
    try:
        vocab = Vocab.from_json(vocab_json)
    except ValueError as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: {spec.vocab.file}: {error}") from None
    arrays, _ = folder.read_tensors(WEIGHTS)
    model = RecurrentClassifier(spec.approach, len(vocab), len(classes))
    try:
        model.load_state_dict({key: torch.from_numpy(value).float() for key, value in arrays.items()})
    except RuntimeError as error:
        lines = str(error).strip().splitlines()
        raise CheckpointError(
            f"checkpoint {folder.name!r}: weights do not fit {spec.approach.id} "
            f"({lines[1].strip() if len(lines) > 1 else lines[0]})"
        ) from None
    return RecurrentTextClassifier(folder.name, model, vocab, classes)


def recurrent_files(model: RecurrentClassifier, predictions: np.ndarray | None) -> dict[str, bytes]:
    """The files of a recurrent checkpoint besides its JSON: weights, and test predictions if given."""
    tensors = {k: v.detach().to(STORAGE_DTYPE).contiguous() for k, v in model.state_dict().items()}
    files = {WEIGHTS: save_tensors(tensors, metadata={"format": "rnnclf"})}
    if predictions is not None:
        files[PREDICTIONS] = predictions_bytes(predictions)
    return files


def load_tfidf(folder: Folder, spec: TfidfSpec, classes: tuple[str, ...]) -> TfidfLogisticClassifier:
    """The classifier of a verified TF-IDF checkpoint."""
    arrays, metadata = folder.read_tensors(WEIGHTS)
    try:
        return TfidfLogisticClassifier(
            folder.name,
            json.loads(metadata["terms"]),
            arrays["idf"].astype(np.float32),
            arrays["coef"].astype(np.float32),
            arrays["intercept"].astype(np.float32),
            spec.ngram_max,
            spec.sublinear_tf,
            classes,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"checkpoint {folder.name!r}: not a usable {TFIDF_LR} checkpoint ({error!r})") from None


def tfidf_files(classifier: TfidfLogisticClassifier, predictions: np.ndarray) -> dict[str, bytes]:
    """Weights (the terms in their metadata) and test predictions."""
    tensors = {
        "idf": torch.from_numpy(classifier.idf).float(),
        "coef": torch.from_numpy(classifier.coef).to(COEF_DTYPE),
        "intercept": torch.from_numpy(classifier.intercept).float(),
    }
    # One key: safetensors writes a metadata map in an order of its own in each process, so a second key
    # would make the same training give other bytes run to run (`tests/unit/training/test_jobs.py`).
    metadata = {"terms": json.dumps(classifier.terms, ensure_ascii=False)}
    return {WEIGHTS: save_tensors(tensors, metadata=metadata), PREDICTIONS: predictions_bytes(predictions)}


@dataclass(frozen=True)
class Family:
    """A kind of checkpoint: the record of its config's `model` and how its classifier is loaded."""

    kind: str
    spec: type[Spec]
    load: Callable[[Folder, Any, tuple[str, ...]], Classifier]  # (verified folder, its spec, class names)


FAMILIES: dict[str, Family] = {
    family.kind: family
    for family in (Family(RECURRENT, RecurrentSpec, load_recurrent), Family(TFIDF_LR, TfidfSpec, load_tfidf))
}
