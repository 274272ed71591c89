"""Scoring on a Dask cluster: one actor per worker loads the checkpoints once and scores the chunks
sent to it; the chunks go round-robin and come back in their order, so the output is the local one.

The file is read (and the output written) by this process, with the same chunks as a local run: the
workers do the scoring, which is where the time goes. At most `IN_FLIGHT` chunks per worker are out
at once, so memory stays bounded here too.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import pandas as pd

from rnnclf.checkpoints.registry import load_classifier
from rnnclf.checkpoints.storage import resolve
from rnnclf.core.runtime import configure_threads
from rnnclf.scope.record import load_scope
from rnnclf.scoring.batch import score
from rnnclf.scoring.stream import Scorer

IN_FLIGHT = 2  # chunks queued per worker: one scoring, one on the wire


class ChunkScorer:
    """Lives on a worker: the checkpoints loaded once, then every chunk sent to it scored."""

    def __init__(self, checkpoints: Sequence[str], column: str):
        configure_threads()
        self.classifiers = [load_classifier(name) for name in checkpoints]
        self.scopes = [load_scope(resolve(name)) for name in checkpoints]
        self.column = column

    def score(self, chunk: pd.DataFrame) -> pd.DataFrame:
        return score(chunk, self.column, self.classifiers, scopes=self.scopes)


@contextmanager
def dask_scorer(
    checkpoints: Sequence[str], address: str | None, workers: int | None = None
) -> Iterator[Callable[[str], Scorer]]:
    """A `scorer` for `stream.score_file` on the cluster at `address`, or on a new local one of `workers`
    single-threaded processes (closed on exit)."""
    from distributed import Client  # the optional engine: imported only when asked for

    options = {"n_workers": workers or os.cpu_count() or 1, "threads_per_worker": 1, "dashboard_address": None}
    # Checkpoint folders are made absolute here, so workers started elsewhere on this machine find them.
    names = [os.path.abspath(n) if os.path.exists(n) else n for n in checkpoints]
    with Client(address) if address else Client(**options) as client:

        def scorer(column: str) -> Scorer:
            addresses = sorted(client.scheduler_info()["workers"])
            actors = [
                client.submit(ChunkScorer, names, column, actor=True, workers=[w], pure=False).result()
                for w in addresses
            ]

            def run(chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
                pending: deque = deque()
                for i, chunk in enumerate(chunks):
                    pending.append(actors[i % len(actors)].score(chunk))
                    if len(pending) >= IN_FLIGHT * len(actors):
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()

            return run

        yield scorer
