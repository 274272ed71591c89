"""A checkpoint's stored scope: `scope.safetensors` in its folder, the chosen method's arrays and, in the
file's metadata, the `ScopeRecord` (JSON) that says which method, which threshold and how they were chosen.

Written only by `store` (through the storage layer's `republish`, so the manifest stays valid and every other
file is kept byte for byte); read by `load_scope`, which gives None for a folder without one (a toy or an
older checkpoint: it still predicts, with no scope verdict).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import save as save_safetensors

from rnnclf.checkpoints.schema import RecordError, build
from rnnclf.checkpoints.storage import SCOPE, CheckpointError, Folder, republish
from rnnclf.models.classifier import Classifier
from rnnclf.scope.methods import BY_NAME, Seen, seen

RECORD_KEY = "record"  # the metadata entry of scope.safetensors that holds the ScopeRecord


@dataclass(frozen=True)
class Candidate:
    """One method as measured for the choice: validation split (in-domain) against the off-topic `choose` part."""

    method: str
    threshold: float
    auroc: float
    missed: float  # off-topic texts inside the threshold (FPR at 95 % in-domain TPR)


@dataclass(frozen=True)
class ScopeRecord:
    """Which method a checkpoint uses, its threshold, and what they were fitted and chosen on."""

    method: str
    threshold: float  # a text scoring above it is outside the checkpoint's scope
    target_inside: float  # the share of validation texts the threshold keeps inside
    inside: float  # the share it does keep (equal up to ties)
    val_rows: int
    bank_rows: int  # training rows a kNN bank holds (a seeded sample); every other part is fitted on all of them
    seed: int
    offtopic: str  # the off-topic file the choice was made on, and its sha256
    offtopic_sha256: str
    offtopic_rows: int  # its `choose` part
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> ScopeRecord:
        return build(cls, data, candidates=tuple(build(Candidate, c) for c in data.get("candidates", ())))


@dataclass(frozen=True)
class Verdict:
    """One text against one checkpoint's scope: what `predict --json` gives under "scope"."""

    method: str
    score: float
    threshold: float
    outside: bool


@dataclass(frozen=True)
class Scope:
    """A checkpoint's record and the arrays its method scores with."""

    record: ScopeRecord
    arrays: Mapping[str, np.ndarray]

    @property
    def features(self) -> bool:
        """Whether its method reads the last layer's features: a reading without them can be cheaper."""
        return BY_NAME[self.record.method].features

    def scores(self, texts: Seen) -> np.ndarray:
        return BY_NAME[self.record.method].score(texts, self.arrays)

    def read_and_score(self, classifier: Classifier, texts: Sequence[str]) -> np.ndarray:
        return self.scores(seen(classifier, list(texts), features=self.features))

    def verdicts(self, classifier: Classifier, texts: Sequence[str]) -> list[Verdict]:
        scores = self.read_and_score(classifier, texts)
        return [self.verdict(float(s)) for s in scores]

    def verdict(self, score: float) -> Verdict:
        return Verdict(self.record.method, score, self.record.threshold, bool(score > self.record.threshold))


def predict_and_score(
    classifier: Classifier, texts: Sequence[str], scope: Scope | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Probabilities and, with a scope, each text's scope score, from one reading of the texts: what `predict`
    gives per text and per file. None for the scores without a scope."""
    if scope is None:
        return classifier.predict_proba(texts), None
    reading = classifier.read(texts, features=scope.features)
    return reading.probabilities, scope.scores(Seen(reading))


def scope_bytes(scope: Scope) -> bytes:
    """The record and the arrays its method does not count again on loading (`Method.storable`)."""
    stored = BY_NAME[scope.record.method].storable(scope.arrays)
    arrays = {name: np.ascontiguousarray(array) for name, array in stored.items()}
    if not arrays:  # safetensors writes no file without a tensor; a method with nothing fitted keeps a marker
        arrays = {"none": np.zeros(0, dtype=np.float32)}
    return save_safetensors(arrays, metadata={RECORD_KEY: json.dumps(scope.record.to_dict())})


def store(folder: Path, scope: Scope) -> None:
    """Write scope.safetensors into the checkpoint folder; every other file is republished byte for byte."""
    republish(folder, {SCOPE: scope_bytes(scope)})


def load_scope(folder: Path) -> Scope | None:
    """The checkpoint's stored scope, verified against its manifest; None when it has none. What its method
    counts from the training texts (`Method.recount`) is counted again here, once per process and checkpoint."""
    source = Folder(folder)
    if not source.has(SCOPE):
        return None
    arrays, metadata = source.read_tensors(SCOPE)
    try:
        record = ScopeRecord.from_dict(json.loads(metadata[RECORD_KEY]))
    except (KeyError, ValueError, RecordError) as error:
        raise CheckpointError(f"checkpoint {source.name!r}: {SCOPE} holds no readable record ({error})") from None
    if record.method not in BY_NAME:
        raise CheckpointError(
            f"checkpoint {source.name!r}: {SCOPE} names an unknown method {record.method!r} (an older rnnclf's? "
            "`python -m rnnclf scope` fits the checkpoint's scope again)"
        )
    arrays.pop("none", None)
    if BY_NAME[record.method].recount:
        arrays.update(
            recounted(str(Path(folder).resolve()), json.dumps(source.manifest, sort_keys=True), record.method)
        )
    return Scope(record, arrays)


@functools.lru_cache(maxsize=16)
def recounted(folder: str, manifest: str, method: str) -> dict[str, np.ndarray]:
    """`method`'s counts over the checkpoint's training split as its model reads it (token ids alone, no forward
    pass); keyed by the manifest too, so a republished checkpoint is counted again."""
    from rnnclf.checkpoints.registry import load_checkpoint
    from rnnclf.evaluation.temperature import training_splits

    checkpoint = load_checkpoint(folder)
    train, _ = training_splits(checkpoint.config)
    return BY_NAME[method].recount(*checkpoint.classifier.token_ids(train.texts))
