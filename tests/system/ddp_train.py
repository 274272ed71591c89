"""A few steps of `train_model` on the first rows of a CSV, in one process or one torchrun rank.

`torchrun --standalone --nproc_per_node 2 tests/system/ddp_train.py DATA OUT` trains with DDP; rank 0 writes
the float32 weights and the validation figures. `tests/system/test_distributed.py` compares them with one process.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from safetensors.torch import save_file

from rnnclf import CLASSES
from rnnclf.core.runtime import configure_threads
from rnnclf.core.text import build_vocab, tokenize
from rnnclf.data.dataset import read_csv
from rnnclf.models.approaches import get_approach
from rnnclf.training.distributed import is_main, start
from rnnclf.training.recurrent import Encoded, TrainResult, train_model

ROWS, VAL_ROWS = 600, 200
# An odd batch: its two halves are 19 and 18 rows, so a wrongly weighted average of the ranks shows.
APPROACH = dataclasses.replace(get_approach("approach1"), batch_size=37, lr=3e-3)


def train_tiny(data: Path, epochs: int = 2) -> TrainResult:
    split = read_csv(data)
    tokens = [tokenize(t) for t in split.texts[: ROWS + VAL_ROWS]]
    vocab = build_vocab(tokens[:ROWS])
    train = Encoded.from_tokens(tokens[:ROWS], split.labels[:ROWS], vocab, APPROACH.max_tokens)
    val = Encoded.from_tokens(tokens[ROWS:], split.labels[ROWS : ROWS + VAL_ROWS], vocab, APPROACH.max_tokens)
    return train_model(
        APPROACH, train, val, len(vocab), epochs, seed=0, progress=False, log=False, n_classes=len(CLASSES)
    )


def save(result: TrainResult, out: Path) -> None:
    save_file({k: v.contiguous() for k, v in result.model.state_dict().items()}, out / "weights.safetensors")
    history = [dataclasses.asdict(r) | {"seconds": 0} for r in result.history]
    (out / "result.json").write_text(json.dumps({"steps": result.steps, "history": history}))


if __name__ == "__main__":
    configure_threads(1)
    start()
    trained = train_tiny(Path(sys.argv[1]))
    if is_main():
        save(trained, Path(sys.argv[2]))
