"""ONNX export: onnxruntime against the project's own scoring path, one thread each, on the same inputs.

Recurrent checkpoints are timed twice: on the same id matrices (the model alone: `classifier.scoring` against
the exported graph), and from texts (the project's `predict_proba` against the standalone predict.py, whose
tokenizer and lookup are plain Python). TF-IDF has no id matrix the project scores (its rows are built from
token lists), so it is timed from texts only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import torch

from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import interleaved, timed
from rnnclf import list_checkpoints, load_checkpoint
from rnnclf.export.writer import export, load_standalone
from rnnclf.models.recurrent import PREDICT_BATCH

QUICK_SUBJECTS = ("approach1", "tfidf_lr")


def scored_ids(scoring: torch.nn.Module, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The project's scoring path on ready ids, in its own chunks."""
    with torch.inference_mode():
        return np.concatenate(
            [
                torch.softmax(
                    scoring(
                        torch.from_numpy(ids[i : i + PREDICT_BATCH]), torch.from_numpy(lengths[i : i + PREDICT_BATCH])
                    ),
                    dim=1,
                ).numpy()
                for i in range(0, len(ids), PREDICT_BATCH)
            ]
        )


def run_graph(session, feeds: dict[str, np.ndarray], inputs: set[str]) -> np.ndarray:
    """The exported graph on ready inputs, in predict.py's chunks."""
    rows = len(next(iter(feeds.values())))
    return np.concatenate(
        [
            session.run(None, {k: v[i : i + PREDICT_BATCH] for k, v in feeds.items() if k in inputs})[0]
            for i in range(0, rows, PREDICT_BATCH)
        ]
    )


def measure(settings: Settings) -> list[Table]:
    names = [n for n in (QUICK_SUBJECTS if settings.quick else list_checkpoints()) if n in list_checkpoints()]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            checkpoint = load_checkpoint(name)
            export(checkpoint, Path(tmp) / name)
            standalone = load_standalone(Path(tmp) / name, threads=1)
            texts = checkpoint.dataset.read_test().texts[: settings.predict_rows]
            runs = {
                "project texts": timed(lambda c=checkpoint: c.classifier.predict_proba(texts)),
                "onnx texts": timed(lambda s=standalone: s.predict_proba(texts)),
            }
            feeds = standalone.feeds(texts)
            if "ids" in feeds:
                scoring = checkpoint.classifier.scoring
                runs["project ids"] = timed(lambda m=scoring, f=feeds: scored_ids(m, f["ids"], f["lengths"]))
                runs["onnx ids"] = timed(lambda s=standalone, f=feeds: run_graph(s.session, f, s.inputs))
            times = interleaved(runs, settings.throughput_repeats)
            for what, label in (("ids", "the same ids (model alone)"), ("texts", "texts in, probabilities out")):
                if f"onnx {what}" not in times:
                    continue
                onnx, project = (times[f"{side} {what}"].map(lambda s: len(texts) / s) for side in ("onnx", "project"))
                rows.append(
                    Row(
                        f"{name}: {label}, {len(texts):,} test texts",
                        "texts/s",
                        project,
                        compared=onnx,
                        ratio=onnx.median / project.median,
                    )
                )
    notes = [
        "onnxruntime 1 intra-op and 1 inter-op thread, CPU provider; the project 1 torch thread.",
        "Each checkpoint is exported first (not timed) and checked on its whole test split: probabilities within "
        "1e-5 and the same class everywhere (`rnnclf export`).",
    ]
    return [
        Table(
            "ONNX export: onnxruntime against the project",
            "onnxruntime",
            "Speed ratio (onnxruntime ÷ project)",
            rows,
            notes,
        )
    ]
