"""`predict --engine dask`: on a real 2-worker cluster, exactly the single-process output (scope columns
included, as `predict --input` writes them)."""

from __future__ import annotations

import csv
from pathlib import Path

from distributed import LocalCluster

from rnnclf import load_checkpoint, load_classifier
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.scope.record import load_scope
from rnnclf.scoring.cluster import dask_scorer
from rnnclf.scoring.stream import score_file


def test_dask_engine_gives_the_local_output_byte_for_byte(tiny_checkpoint: Path, tmp_path: Path):
    source = tmp_path / "in.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows([i, "" if i % 50 == 0 else text] for i, text in enumerate(read_csv(TEST_PATH).texts[:1500]))
    names = [str(tiny_checkpoint), "tfidf_lr"]
    classifiers = [load_classifier(name) for name in names]
    scopes = [load_scope(load_checkpoint(name).folder) for name in names]  # the tiny one stores none
    assert scopes[0] is None and scopes[1] is not None
    local = score_file(source, tmp_path / "local.csv", classifiers, chunk_rows=200, progress=False, scopes=scopes)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with dask_scorer(names, cluster.scheduler_address) as scorer:
            remote = score_file(
                source, tmp_path / "dask.csv", classifiers, chunk_rows=200, progress=False, scorer=scorer
            )
    assert remote == local and local.rows == 1500
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
