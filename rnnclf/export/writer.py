"""`rnnclf export NAME --format onnx --out DIR`: a checkpoint as files any ONNX runtime can serve.

DIR gets `model.onnx` (token ids, or TF-IDF term counts, to class probabilities), `tokenizer.json` (the
tokenizer's rules, the vocabulary or terms, the token window, the class names) and `predict.py` (standalone:
numpy and onnxruntime, no rnnclf). Each export is checked before it is kept: onnxruntime's probabilities on
the checkpoint's whole test split against the project's, within `TOLERANCE` and the same class everywhere;
`parity.json` records the figures. Needs the optional extra (`pip install rnnclf[export]`): torch's
exporter (`torch.onnx.export(dynamo=True)`, built on onnxscript) and onnxruntime.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from rnnclf.checkpoints.families import RECURRENT, TFIDF_LR
from rnnclf.checkpoints.registry import Checkpoint
from rnnclf.core.text import _RULES, UNK
from rnnclf.export.graphs import RecurrentGraph, TfidfGraph

MODEL, SETTINGS, PREDICT, PARITY = "model.onnx", "tokenizer.json", "predict.py", "parity.json"
TEMPLATE = Path(__file__).with_name("predict.py")  # copied as it is: it imports nothing of rnnclf
TOLERANCE = 1e-5  # max abs difference of any probability on the test split
FORMAT = 1
OPSET = 18
EXTRA = "pip install rnnclf[export] (or -r requirements-export.txt)"


class ExportError(ValueError):
    """A checkpoint that cannot be exported, or an export that does not match the checkpoint; says why."""


@dataclass(frozen=True)
class Parity:
    """onnxruntime against the project on the checkpoint's test split."""

    checkpoint: str
    rows: int
    max_abs_difference: float
    same_class: int  # rows where both predict the same class
    tolerance: float

    @property
    def holds(self) -> bool:
        return self.max_abs_difference <= self.tolerance and self.same_class == self.rows


@dataclass(frozen=True)
class Graph:
    """A family's exportable module, example inputs, their names and dynamic axes, and the tokenizer settings."""

    module: torch.nn.Module
    inputs: tuple[torch.Tensor, ...]
    names: tuple[str, ...]
    dynamic: tuple[dict[int, object], ...]
    settings: dict


def recurrent_graph(checkpoint: Checkpoint) -> Graph:
    classifier = checkpoint.classifier
    window = classifier.max_tokens
    batch = torch.export.Dim("batch")
    ids = torch.zeros((2, window), dtype=torch.int64)
    ids[0, :3] = torch.tensor([1, 2, 3])
    return Graph(
        RecurrentGraph(classifier.model).eval(),
        (ids, torch.tensor([3, 0], dtype=torch.int64)),
        ("ids", "lengths"),
        ({0: batch}, {0: batch}),
        {"vocabulary": classifier.vocab.itos, "unknown_id": classifier.vocab.stoi[UNK], "max_tokens": window},
    )


def tfidf_graph(checkpoint: Checkpoint) -> Graph:
    classifier = checkpoint.classifier
    batch, terms = torch.export.Dim("batch"), torch.export.Dim("terms")
    module = TfidfGraph(classifier.idf, classifier.coef, classifier.intercept, classifier.sublinear_tf)
    return Graph(
        module.eval(),
        (
            torch.tensor([[0, 1, 2], [1, 3, len(classifier.idf)]]),
            torch.tensor([[1.0, 2.0, 1.0], [3.0, 1.0, 0.0]], dtype=torch.float64),
        ),
        ("terms", "counts"),
        ({0: batch, 1: terms}, {0: batch, 1: terms}),
        {"terms": classifier.terms, "ngram_max": classifier.ngram_max, "max_tokens": None},
    )


GRAPHS: dict[str, Callable[[Checkpoint], Graph]] = {RECURRENT: recurrent_graph, TFIDF_LR: tfidf_graph}


def settings(checkpoint: Checkpoint, graph: Graph) -> dict:
    """tokenizer.json: what predict.py needs besides the graph, every rule taken from the project's own."""
    return {
        "format": FORMAT,
        "checkpoint": checkpoint.name,
        "kind": checkpoint.config.kind,
        "classes": list(checkpoint.classes),
        "inputs": list(graph.names),
        # rnnclf.core.text.tokenize: lower-case, these literal replacements in order, split on whitespace.
        "tokenizer": {"name": "basic_english", "lowercase": True, "replace": [list(rule) for rule in _RULES]},
        **graph.settings,
    }


def to_onnx(graph: Graph, path: Path) -> None:
    """torch's exporter, its progress lines and warnings kept off the command's output."""
    try:
        with redirect_stdout(io.StringIO()), warnings.catch_warnings(), _quiet(logging.getLogger("torch.onnx")):
            warnings.simplefilter("ignore")
            torch.onnx.export(
                graph.module,
                graph.inputs,
                str(path),
                input_names=list(graph.names),
                output_names=["probabilities"],
                dynamic_shapes=graph.dynamic,
                opset_version=OPSET,
                external_data=False,
                dynamo=True,
            )
    except ImportError as error:
        raise ExportError(f"ONNX export needs the optional extra: {EXTRA} ({error})") from None
    except Exception as error:  # the exporter raises many kinds; each means ONNX cannot express this graph
        raise ExportError(
            f"torch's ONNX exporter could not express this model: {type(error).__name__}: {error}"
        ) from None


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """The exporter logs what it skips (torchvision's operators) at warning level: not the user's concern."""
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def load_standalone(folder: Path, threads: int = 1):  # -> the exported predict.py's Model
    """The exported predict.py's `Model`, loaded from `folder` as the script loads it (for checks and bench)."""
    import importlib.util

    try:
        import onnxruntime  # noqa: F401 - predict.py imports it; said here with the extra to install
    except ImportError:
        raise ExportError(f"checking an export needs onnxruntime: {EXTRA}") from None
    spec = importlib.util.spec_from_file_location("rnnclf_exported_predict", folder / PREDICT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Model(folder, threads)


def parity(checkpoint: Checkpoint, folder: Path, texts: Sequence[str], expected: np.ndarray) -> Parity:
    """The exported files' probabilities on `texts` (through predict.py's tokenizer and onnxruntime) against
    the project's `expected`."""
    found = load_standalone(folder).predict_proba(texts)
    return Parity(
        checkpoint.name,
        len(texts),
        float(np.abs(found - expected).max()) if len(texts) else 0.0,
        int(np.sum(found.argmax(1) == expected.argmax(1))),
        TOLERANCE,
    )


def export(checkpoint: Checkpoint, out: Path) -> Parity:
    """Write the export to `out` (replacing it whole, or leaving it as it was), after checking parity on the
    checkpoint's test split."""
    kind = checkpoint.config.kind
    if kind not in GRAPHS:
        raise ExportError(f"checkpoint {checkpoint.name!r}: no ONNX export for models of kind {kind!r}")
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / SETTINGS).is_file())):
        raise ExportError(f"{out} exists and is not an earlier export: choose another --out (nothing was written)")
    graph = GRAPHS[kind](checkpoint)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        to_onnx(graph, tmp / MODEL)
        (tmp / SETTINGS).write_text(
            json.dumps(settings(checkpoint, graph), ensure_ascii=False) + "\n", encoding="utf-8"
        )
        shutil.copyfile(TEMPLATE, tmp / PREDICT)
        split = checkpoint.dataset.read_test()
        found = parity(checkpoint, tmp, split.texts, checkpoint.test_probabilities(split))
        if not found.holds:
            raise ExportError(
                f"checkpoint {checkpoint.name!r}: the ONNX graph differs from the model by up to "
                f"{found.max_abs_difference:.2g} (tolerance {TOLERANCE:g}) and agrees on {found.same_class:,} of "
                f"{found.rows:,} test texts; nothing was written"
            )
        (tmp / PARITY).write_text(json.dumps(asdict(found), indent=2) + "\n", encoding="utf-8")
        for path in (tmp, *tmp.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return found
