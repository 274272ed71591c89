"""Data-parallel training under `torchrun` (PyTorch DDP on CPU, gloo): the hooks `train.py` calls.

Outside torchrun (no WORLD_SIZE, or 1) every hook is the identity and training is unchanged. Under
it, every rank draws the same shuffled global batches, computes on its own slice of each, and DDP
all-reduces (averages) the gradients; the loss is scaled so that the average equals the gradient of
the single-process global-batch mean even when a batch does not split evenly. Only rank 0 evaluates
(its validation figures are broadcast, so every rank takes the same decisions) and publishes.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def is_main() -> bool:
    """True in a single process and on rank 0: the one that logs, evaluates and publishes."""
    return rank() == 0


def start() -> None:
    """Join the torchrun group (gloo: CPU tensors); nothing outside torchrun."""
    if world_size() > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")


def wrap(model: nn.Module) -> nn.Module:
    """The model DDP-wrapped under torchrun (rank 0's weights broadcast to all), else itself."""
    if world_size() == 1:
        return model
    if any(isinstance(m, nn.Embedding) and m.sparse for m in model.modules()):
        raise ValueError("--sparse is not supported with torchrun (DDP all-reduces dense gradients)")
    return nn.parallel.DistributedDataParallel(model)


def shard(index: torch.Tensor) -> torch.Tensor:
    """This rank's rows of a global batch: every `world_size`-th, starting at its rank."""
    return index if world_size() == 1 else index[rank() :: world_size()]


def batch_loss(
    logits: torch.Tensor, labels: torch.Tensor, global_rows: int, label_smoothing: float = 0.0
) -> torch.Tensor:
    """Cross-entropy whose DDP-averaged gradient is that of the mean over the whole global batch."""
    if world_size() == 1:
        return F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
    return F.cross_entropy(logits, labels, reduction="sum", label_smoothing=label_smoothing) * (
        world_size() / global_rows
    )


def total(value: float) -> float:
    """`value` summed over the ranks (a per-epoch figure such as the training loss)."""
    if world_size() == 1:
        return value
    tensor = torch.tensor([value], dtype=torch.float64)
    dist.all_reduce(tensor)
    return float(tensor.item())


def from_main(compute: Callable[[], tuple[float, ...]], count: int) -> tuple[float, ...]:
    """`compute()` (`count` floats) run on rank 0 only, its result given to every rank."""
    if world_size() == 1:
        return compute()
    tensor = torch.tensor(compute() if is_main() else [0.0] * count, dtype=torch.float64)
    dist.broadcast(tensor, src=0)
    return tuple(tensor.tolist())


def barrier() -> None:
    """Wait for every rank (e.g. until rank 0 has published)."""
    if world_size() > 1:
        dist.barrier()
