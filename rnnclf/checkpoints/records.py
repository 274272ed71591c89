"""What a checkpoint says about itself: typed, frozen records of its config.json and metrics.json.

Written in one place (`to_dict`, by training and publishing) and read in every other (`from_dict`).
Accuracies are fractions (0.9108), formatted only for display. Files carry `format`; files written
before it existed (format 1: no `format` key, the title inside the approach, the tutorial's accuracy
in percent) are read through `_upgrade_config` so every shipped checkpoint keeps loading unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rnnclf.checkpoints.families import FAMILIES, RECURRENT, Spec
from rnnclf.checkpoints.schema import RecordError, build, plain
from rnnclf.core.files import sha256_file
from rnnclf.core.paths import relative
from rnnclf.data.registry import AG_NEWS

FORMAT = 2


@dataclass(frozen=True)
class SearchStep:
    """One value of a hyperparameter tried on the validation split."""

    C: float  # noqa: N815 - scikit-learn's name
    val_accuracy: float
    iterations: int
    seconds: float


@dataclass(frozen=True)
class TrainingRecord:
    """Where the model's weights came from: data, rows, schedule, seed, threads and processes."""

    data: str
    data_sha256: str
    rows: int
    val_rows: int
    seed: int
    threads: int
    processes: int = 1  # training processes (torchrun ranks); the global batch is the same at any count
    epochs: int | None = None  # None: not trained in epochs (the linear baseline)
    max_epochs: int | None = None
    epochs_for_tutorial_steps: int | None = None
    best_epoch: int | None = None
    steps: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    sparse_embedding_grad: bool | None = None
    search: tuple[SearchStep, ...] = ()  # hyperparameter values tried, if any

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingRecord:
        return build(cls, data, search=tuple(build(SearchStep, s) for s in data.get("search", ())))

    @classmethod
    def for_data(
        cls, train_path: str | Path, train_rows: int, val_rows: int, seed: int, threads: int, **details: Any
    ) -> TrainingRecord:
        """The part every model family records alike: the training file (pinned by its sha256), the
        split's sizes, seed and threads; `details` are the family's own fields (schedule, search)."""
        return cls(
            data=relative(train_path),
            data_sha256=sha256_file(Path(train_path)),
            rows=train_rows,
            val_rows=val_rows,
            seed=seed,
            threads=threads,
            **details,
        )


@dataclass(frozen=True)
class CheckpointConfig:
    """config.json: what the checkpoint is and how it was trained."""

    kind: str  # a model family: RECURRENT or TFIDF_LR
    title: str
    max_tokens: int | None  # the model reads only this many tokens; None: the whole text
    parameters: int
    model: Spec
    training: TrainingRecord
    versions: Mapping[str, str]
    format: int = FORMAT
    dataset: str = AG_NEWS  # the dataset's name (`rnnclf.data.registry`): its classes, its splits

    @property
    def tutorial_accuracy(self) -> float | None:
        """The tutorial's reported test accuracy (a fraction), for its own approaches."""
        return self.model.tutorial_accuracy

    def to_dict(self) -> dict[str, Any]:
        return plain(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckpointConfig:
        data = _upgrade_config(data)
        kind = data.get("kind")
        if kind not in FAMILIES:
            raise RecordError(f"unknown kind {kind!r}")
        try:
            return build(
                cls,
                data,
                model=FAMILIES[kind].spec.from_dict(data["model"]),
                training=TrainingRecord.from_dict(data["training"]),
            )
        except (KeyError, TypeError) as error:
            raise RecordError(f"config is missing or mistypes {error}") from None


@dataclass(frozen=True)
class ClassScores:
    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class TestMetrics:
    """Metrics on one labelled split. confusion[i][j] counts true class i predicted as j."""

    accuracy: float
    rows: int
    macro_f1: float
    per_class: tuple[ClassScores, ...]
    confusion: tuple[tuple[int, ...], ...]
    classes: tuple[str, ...]
    data: str | None = None  # the split's file, relative to the project

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TestMetrics:
        return build(
            cls,
            data,
            per_class=tuple(build(ClassScores, _renamed(c, "class", "name")) for c in data["per_class"]),
            confusion=tuple(tuple(row) for row in data["confusion"]),
            classes=tuple(data["classes"]),
        )


@dataclass(frozen=True)
class EpochRecord:
    epoch: int
    train_loss: float
    val_loss: float
    val_accuracy: float
    seconds: float


@dataclass(frozen=True)
class Calibration:
    """Temperature scaling fitted on the validation split (never the test split), and its effect on both."""

    temperature: float  # calibrated probabilities are softmax(log p / temperature)
    val_rows: int
    val_nll_before: float
    val_nll_after: float
    test_ece_before: float
    test_ece_after: float
    bins: int  # of the reliability diagram the ECE is measured on


@dataclass(frozen=True)
class Metrics:
    """metrics.json: test metrics, the per-epoch history, training time, and (once fitted) calibration."""

    test: TestMetrics | None
    history: tuple[EpochRecord, ...] = ()
    training_seconds: float | None = None
    format: int = FORMAT
    calibration: Calibration | None = None  # written by `rnnclf calibrate`; older files have none

    def to_dict(self) -> dict[str, Any]:
        return plain(asdict(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Metrics:
        data = {**data, "format": FORMAT}  # format 1 differs only in lacking the key
        try:
            return build(
                cls,
                data,
                test=TestMetrics.from_dict(data["test"]) if data.get("test") else None,
                history=tuple(build(EpochRecord, h) for h in data.get("history", ())),
                calibration=build(Calibration, data["calibration"]) if data.get("calibration") else None,
            )
        except (KeyError, TypeError) as error:
            raise RecordError(f"metrics are missing or mistype {error}") from None


def _renamed(data: Mapping[str, Any], old: str, new: str) -> dict[str, Any]:
    """`data` with key `old` (a format-1 name) called `new`."""
    return {(new if key == old else key): value for key, value in data.items()}


def _upgrade_config(data: Mapping[str, Any]) -> dict[str, Any]:
    """A format-1 config.json in today's layout; a current one unchanged."""
    data = dict(data)
    if data.get("format", 1) != 1:
        return data
    kind = data.get("kind", RECURRENT)
    training = _renamed(data.get("training") or {}, "c_search", "search")
    common = {
        "format": FORMAT,
        "kind": kind,
        "max_tokens": data.get("max_tokens"),
        "parameters": data.get("parameters"),
        "training": training,
        "versions": data.get("versions", {}),
        "dataset": data.get("dataset", AG_NEWS),
    }
    if kind == RECURRENT:
        approach = dict(data.get("approach") or {})
        if approach.get("tutorial_accuracy") is not None:  # format 1 kept the tutorial's percent
            approach["tutorial_accuracy"] = round(approach["tutorial_accuracy"] / 100, 6)
        model = {"approach": approach, "vocab": data.get("vocab"), "weights_dtype": data.get("weights_dtype")}
        return {**common, "title": approach.get("title"), "model": model}
    features = data.get("features") or {}
    model = {
        **{key: features.get(key) for key in ("ngram_max", "min_df", "sublinear_tf", "terms")},
        "C": (data.get("classifier") or {}).get("C"),
        "weights_dtype": data.get("weights_dtype"),
    }
    return {**common, "title": data.get("title"), "model": model}
