"""The scope signal's cost: a warm nearest-training-texts query per shipped checkpoint against one forward
pass, the one-off index build it needs per process, and scoring a file with the scope columns against
without them (what `predict --input` adds)."""

from __future__ import annotations

import time

import pandas as pd

from bench.lib import subjects
from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import interleaved, timed
from rnnclf.checkpoints.registry import list_checkpoints, load_checkpoint
from rnnclf.scope.neighbors import K, NeighborIndex
from rnnclf.scope.record import load_scope
from rnnclf.scoring.batch import score

TARGET_NEIGHBORS_MS = 50.0
TARGET_OVERHEAD = 1.15  # scoring with the scope columns, over scoring without them


def measure(settings: Settings) -> list[Table]:
    text = subjects.explained_text()
    rows, overhead = [], []
    frame = pd.DataFrame({"text": subjects.test_data().texts[: settings.predict_rows]})
    names = list_checkpoints()
    for name in names[:1] if settings.quick else names:  # quick: a smoke run; each index reads a training split
        checkpoint = load_checkpoint(name)
        classifier = checkpoint.classifier
        started = time.perf_counter()
        index = NeighborIndex.build(checkpoint)
        seconds = time.perf_counter() - started
        runs = interleaved(
            {
                "query": timed(lambda: index.nearest(text, K)),
                "forward": timed(lambda: classifier.predict_proba([text])),
            },
            settings.latency_repeats,
            3,
        )
        query, forward = runs["query"].map(lambda s: 1000 * s), runs["forward"].map(lambda s: 1000 * s)
        rows.append(
            Row(
                f"{name}: {K} nearest of {len(index.train):,} training texts (index built once: {seconds:.1f} s)",
                "ms",
                query,
                compared=forward,
                ratio=query.median / forward.median,
                target=f"< {TARGET_NEIGHBORS_MS:g} ms",
                met=query.median < TARGET_NEIGHBORS_MS if not settings.quick else None,
            )
        )
        started = time.perf_counter()
        scope = load_scope(checkpoint.folder)  # counts what its method counts from the training split, once
        loading = time.perf_counter() - started
        if scope is None:
            continue
        scoring = interleaved(
            {
                "with": timed(lambda: score(frame, "text", [classifier], scopes=[scope])),
                "without": timed(lambda: score(frame, "text", [classifier])),
            },
            settings.throughput_repeats,
        )
        ratio = scoring["with"].median / scoring["without"].median
        overhead.append(
            Row(
                f"{name}: {len(frame):,} texts with the scope columns ({scope.record.method}; "
                f"scope loaded once: {loading:.1f} s)",
                "s",
                scoring["with"],
                compared=scoring["without"],
                ratio=ratio,
                target=f"< {TARGET_OVERHEAD:.2f}x",
                met=ratio < TARGET_OVERHEAD if not settings.quick else None,
            )
        )
    notes = [
        "Warm: the training split's representation is computed once per process (the build time in the row); "
        "a query is one forward pass for the text plus a cosine against every training text. 1 thread."
    ]
    return [
        Table("Nearest training texts", "One forward pass", "Ratio (query ÷ forward)", rows, notes),
        Table(
            "Scope overhead of scoring a file",
            "Without scope",
            "Ratio (with ÷ without)",
            overhead,
            [
                "`rnnclf.scoring.batch.score`, what `predict --input` runs per chunk; 1 thread. Loading a scope "
                "whose method reads the language score counts the training split's words first (once per process)."
            ],
        ),
    ]
