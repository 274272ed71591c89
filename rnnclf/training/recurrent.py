"""Training: pre-tokenize once, Adam on batches of pre-built id tensors, keep the best validation epoch."""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from rnnclf.checkpoints.families import RECURRENT, RecurrentSpec, VocabRef, recurrent_files
from rnnclf.checkpoints.records import CheckpointConfig, EpochRecord, TrainingRecord
from rnnclf.checkpoints.storage import publish, write_once
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.runtime import configure_threads, library_versions
from rnnclf.core.text import Vocab, build_vocab, tokenize
from rnnclf.data.dataset import VAL_FRACTION, load_train_val
from rnnclf.data.registry import AG_NEWS, get_dataset
from rnnclf.evaluation.metrics import final_metrics
from rnnclf.models.approaches import TUTORIAL_BATCHES_PER_EPOCH, Approach
from rnnclf.models.networks import RecurrentClassifier, count_parameters
from rnnclf.models.recurrent import STORAGE_DTYPE, RecurrentTextClassifier, round_to_storage
from rnnclf.training import distributed
from rnnclf.training.pretrain import ppmi_svd


@dataclass
class Encoded:
    """A split as tensors: ids (rows, max_tokens), real lengths, labels."""

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor

    @classmethod
    def from_tokens(cls, token_lists: list[list[str]], labels: np.ndarray, vocab: Vocab, max_tokens: int) -> Encoded:
        ids, lengths = vocab.encode(token_lists, max_tokens)
        return cls(torch.from_numpy(ids), torch.from_numpy(lengths), torch.from_numpy(labels))


@dataclass
class TrainResult:
    model: RecurrentClassifier
    epochs: int
    best_epoch: int
    steps: int
    seconds: float
    history: list[EpochRecord] = field(default_factory=list)


def default_epochs(approach: Approach, train_rows: int) -> int:
    """The tutorial's number of optimizer steps (118 batches x its epochs), whatever the row count."""
    if not approach.match_tutorial_steps:
        return approach.epochs
    batches = math.ceil(train_rows / approach.batch_size)
    return max(1, math.ceil(TUTORIAL_BATCHES_PER_EPOCH * approach.epochs / batches))


def dataset_epochs(approach: Approach, train_rows: int, dataset: str) -> int:
    """AG News: the tutorial's steps (`default_epochs`). Another dataset: as many passes over its rows as
    AG News's training makes over its own, so a small dataset costs no more per row than AG News does
    (steps fixed at the tutorial's would train 2,000 rows as long as 47,000;
    `test_a_small_dataset_gets_ag_news_epochs`)."""
    if dataset == AG_NEWS:
        return default_epochs(approach, train_rows)
    ag_news_rows = get_dataset(AG_NEWS).train.rows
    return default_epochs(approach, ag_news_rows - max(1, round(ag_news_rows * VAL_FRACTION)))


def make_optimizers(model: RecurrentClassifier, lr: float, sparse: bool) -> list[torch.optim.Optimizer]:
    """Adam, as in the tutorial; with `sparse`, the embedding gets SparseAdam on the rows a batch touched.

    `foreach=True`: the same arithmetic as torch's CPU default (single-tensor), bitwise the same weights,
    in fewer passes over the 3M-value embedding: about a third less optimizer time (bench/).
    """
    embedding = list(model.embedding.parameters()) if sparse else []
    rest = [p for p in model.parameters() if all(p is not e for e in embedding)]
    dense = torch.optim.Adam(parameter_groups(model, rest, lr), lr=lr, foreach=True)
    return [torch.optim.SparseAdam(embedding, lr=lr), dense] if sparse else [dense]


def parameter_groups(model: RecurrentClassifier, parameters: list[torch.nn.Parameter], lr: float) -> list[dict]:
    """One group; with an n-gram bag, its rows in a second group at `approach.bag_lr_scale` times `lr`."""
    bag = list(model.bag.parameters()) if model.approach.bag_buckets else []
    groups = [{"params": [p for p in parameters if all(p is not b for b in bag)]}]
    if bag:
        groups.append({"params": bag, "lr": lr * model.approach.bag_lr_scale})
    return groups


@torch.inference_mode()
def validation_metrics(model: RecurrentClassifier, data: Encoded, batch: int = 4096) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on `data`."""
    model.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(data.labels), batch):
        logits = model(data.ids[start : start + batch], data.lengths[start : start + batch])
        labels = data.labels[start : start + batch]
        loss += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += int((logits.argmax(1) == labels).sum())
    return loss / len(data.labels), correct / len(data.labels)


def train_model(
    approach: Approach,
    train: Encoded,
    val: Encoded,
    vocab_size: int,
    epochs: int,
    seed: int = 0,
    sparse: bool = False,
    progress: bool = True,
    log: bool = True,
    *,
    n_classes: int,
    position: int | None = None,
) -> TrainResult:
    """Seeded and, on CPU, deterministic. Returns the model at its best validation accuracy.

    An epoch without a better validation accuracy scales the learning rate by
    `approach.lr_plateau_factor`; `approach.patience` such epochs in a row stop training early.

    `progress` shows one bar for the whole training, its ETA for every epoch (early stopping can only end it
    sooner), at line `position` when several trainings share a terminal; `log` prints one line per epoch.
    """
    torch.manual_seed(seed)
    model = RecurrentClassifier(approach, vocab_size, n_classes, sparse=sparse)
    if approach.embed_init == "ppmi_svd":
        with torch.no_grad():
            model.embedding.weight.copy_(ppmi_svd(train.ids, train.lengths, vocab_size, approach.embed_dim, seed=seed))
    forward = distributed.wrap(model)  # under torchrun: DDP, each rank on its slice of every batch
    optimizers = make_optimizers(model, approach.lr, sparse)
    average = WeightAverage(model, approach.weight_average) if approach.weight_average else None
    evaluated = average.model if average else model
    shuffle = torch.Generator().manual_seed(seed)
    rows = len(train.labels)
    history: list[EpochRecord] = []
    best_accuracy, best_epoch, best_state = -1.0, 0, None
    started = time.perf_counter()
    steps = 0
    bar = tqdm(
        total=epochs * math.ceil(rows / approach.batch_size),
        desc=approach.id,
        unit=" steps",
        leave=False,
        position=position,
        disable=not progress or not distributed.is_main(),
    )
    for epoch in range(1, epochs + 1):
        epoch_start = time.perf_counter()
        model.train()
        order = torch.randperm(rows, generator=shuffle)
        total = 0.0
        bar.set_postfix_str(f"epoch {epoch}/{epochs}")
        for start in range(0, rows, approach.batch_size):
            index = order[start : start + approach.batch_size]
            part = distributed.shard(index)
            logits = forward(train.ids[part], train.lengths[part])
            loss = distributed.batch_loss(logits, train.labels[part], len(index), approach.label_smoothing)
            for optimizer in optimizers:
                optimizer.zero_grad(set_to_none=True)
            loss.backward()
            for optimizer in optimizers:
                optimizer.step()
            if average:
                average.update(model)
            total += loss.item() * len(index) / distributed.world_size()
            steps += 1
            bar.update()
        val_loss, val_accuracy = distributed.from_main(lambda: validation_metrics(evaluated, val), 2)
        train_loss = distributed.total(total) / rows
        record = EpochRecord(epoch, train_loss, val_loss, val_accuracy, time.perf_counter() - epoch_start)
        history.append(record)
        if log and distributed.is_main():
            tqdm.write(
                f"{approach.id} epoch {epoch}/{epochs}: train loss {record.train_loss:.4f}  "
                f"val loss {val_loss:.4f}  val acc {val_accuracy:.2%}  ({record.seconds:.1f}s)"
            )
        if val_accuracy > best_accuracy:
            best_accuracy, best_epoch = val_accuracy, epoch
            best_state = {k: v.detach().clone() for k, v in evaluated.state_dict().items()}
        elif approach.patience is not None and epoch - best_epoch >= approach.patience:
            break
        else:
            scale_learning_rate(optimizers, approach.lr_plateau_factor)
    bar.close()
    if best_state is None:
        raise ValueError("training ran no epoch: epochs must be at least 1")
    model.load_state_dict(best_state)
    model.eval()
    return TrainResult(model, len(history), best_epoch, steps, time.perf_counter() - started, history)


class WeightAverage:
    """An exponential moving average of a model's weights (Polyak averaging).

    Adam at a high learning rate ends an epoch at a noisy point; the average sits nearer the middle of
    the last few hundred steps. The decay ramps up as (1 + t) / (10 + t) until it reaches `decay`, so
    the random initial weights fade out within the first steps.
    """

    def __init__(self, model: RecurrentClassifier, decay: float):
        self.model = copy.deepcopy(model).requires_grad_(False)
        self.decay = decay
        self.updates = 0

    @torch.no_grad()
    def update(self, model: RecurrentClassifier) -> None:
        self.updates += 1
        weight = 1 - min(self.decay, (1 + self.updates) / (10 + self.updates))
        for average, current in zip(self.model.parameters(), model.parameters()):
            average.lerp_(current, weight)


def scale_learning_rate(optimizers: list[torch.optim.Optimizer], factor: float) -> None:
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group["lr"] *= factor


def run(
    approach: Approach,
    out: Path | None = None,
    train_path: Path | None = None,
    test_path: Path | None = None,
    epochs: int | None = None,
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    max_rows: int | None = None,
    sparse: bool = False,
    threads: int | None = None,
    progress: bool = True,
    log: bool = True,
    dataset: str = AG_NEWS,
    position: int | None = None,
) -> Path:
    """Train one approach end to end and publish its checkpoint folder; return the folder.

    The checkpoint names `dataset` (its classes); training and test rows are its splits unless
    `train_path` / `test_path` name other files labelled alike.
    """
    record = get_dataset(dataset)
    classes = record.classes
    train_path, test_path = record.paths(train_path, test_path)
    threads = configure_threads(threads)
    distributed.start()  # under torchrun: join the other ranks
    out = Path(out) if out else CHECKPOINT_DIR / approach.id
    train_split, val_split = load_train_val(train_path, val_fraction, seed, max_rows, len(classes))
    train_tokens = [tokenize(t) for t in train_split.texts]
    vocab = build_vocab(train_tokens, approach.min_freq)
    out.parent.mkdir(parents=True, exist_ok=True)
    vocab_sha = vocab.sha256()
    vocab_file = out.parent / f"vocab-{vocab_sha[:12]}.json"
    if distributed.is_main():
        write_once(vocab_file, vocab.to_json().encode("utf-8"))
    train_data = Encoded.from_tokens(train_tokens, train_split.labels, vocab, approach.max_tokens)
    val_tokens = [tokenize(t) for t in val_split.texts]
    val_data = Encoded.from_tokens(val_tokens, val_split.labels, vocab, approach.max_tokens)
    tutorial_epochs = dataset_epochs(approach, len(train_split), dataset)
    epochs = epochs or tutorial_epochs
    result = train_model(
        approach,
        train_data,
        val_data,
        len(vocab),
        epochs,
        seed,
        sparse,
        progress,
        log,
        n_classes=len(classes),
        position=position,
    )
    if not distributed.is_main():  # rank 0 evaluates and publishes; the others wait for it
        distributed.barrier()
        return out
    round_to_storage(result.model)
    config = CheckpointConfig(
        kind=RECURRENT,
        title=approach.title,
        max_tokens=approach.max_tokens,
        parameters=count_parameters(result.model),
        model=RecurrentSpec(
            approach=approach,
            vocab=VocabRef(file=vocab_file.name, sha256=vocab_sha, size=len(vocab)),
            weights_dtype=str(STORAGE_DTYPE).replace("torch.", ""),
        ),
        training=TrainingRecord.for_data(
            train_path,
            len(train_split),
            len(val_split),
            seed,
            threads,
            processes=distributed.world_size(),
            epochs=result.epochs,
            max_epochs=epochs,
            epochs_for_tutorial_steps=tutorial_epochs if approach.match_tutorial_steps else None,
            best_epoch=result.best_epoch,
            steps=result.steps,
            batch_size=approach.batch_size,
            lr=approach.lr,
            sparse_embedding_grad=sparse,
        ),
        versions=library_versions(),
        dataset=dataset,
    )
    classifier = RecurrentTextClassifier(out.name, result.model, vocab, classes)
    metrics, probabilities = final_metrics(classifier, test_path, result.history, result.seconds)
    publish(out, recurrent_files(result.model, probabilities), config.to_dict(), metrics.to_dict())
    distributed.barrier()
    return out
