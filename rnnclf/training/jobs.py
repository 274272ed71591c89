"""Several trainings of one dataset, one after another or in separate processes at once (`train --jobs N`).

Each training is a `Job`; a process trains one job at a time with one thread, so N jobs at once use N cores
and give the same checkpoints, bit for bit, as one at a time (`tests/unit/training/test_jobs.py`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rnnclf.checkpoints.families import TFIDF_LR
from rnnclf.core.paths import CHECKPOINT_DIR, PROJECT_ROOT
from rnnclf.data.registry import AG_NEWS
from rnnclf.models.approaches import APPROACHES, TUTORIAL, get_approach

BEST_RECIPE = "bigru_bag_avg"  # the project's best recurrent recipe, shipped for AG News (bench/RESULTS.md)
ALL = "all"  # every tutorial approach, the best recipe and the baseline
BASELINE = TFIDF_LR


def expand(approaches: Sequence[str]) -> list[str]:
    """The approach ids `--approach` names, `all` spelled out, each once, in the order given."""
    ids: list[str] = []
    for approach in approaches:
        for found in (*(a.id for a in TUTORIAL), BEST_RECIPE, BASELINE) if approach == ALL else (approach,):
            if found not in ids:
                ids.append(found)
    return ids


def checkpoint_name(dataset: str, approach: str) -> str:
    """AG News's checkpoints keep their names (`approach1`, `tfidf_lr`); another dataset's are NAME-APPROACH."""
    return approach if dataset == AG_NEWS else f"{dataset}-{approach}"


@dataclass(frozen=True)
class Job:
    """One training: an approach (or the baseline) on a dataset, published to `out`."""

    approach: str
    dataset: str
    out: Path
    train_path: Path | None = None
    test_path: Path | None = None
    epochs: int | None = None
    seed: int = 0
    max_rows: int | None = None
    sparse: bool = False
    threads: int | None = None
    progress: bool = True
    position: int | None = None


def jobs_for(approaches: Sequence[str], dataset: str, parent: Path | None = None, **options) -> list[Job]:
    parent = parent or CHECKPOINT_DIR
    return [Job(a, dataset, parent / checkpoint_name(dataset, a), **options) for a in expand(approaches)]


def run_job(job: Job) -> Path:
    """Train and publish one job; its folder."""
    if job.approach == BASELINE:
        from rnnclf.training.tfidf import run as baseline

        return baseline(
            out=job.out,
            train_path=job.train_path,
            test_path=job.test_path,
            seed=job.seed,
            max_rows=job.max_rows,
            threads=job.threads,
            log=job.progress,
            dataset=job.dataset,
        )
    from rnnclf.training.recurrent import run

    return run(
        get_approach(job.approach),
        out=job.out,
        train_path=job.train_path,
        test_path=job.test_path,
        epochs=job.epochs,
        seed=job.seed,
        max_rows=job.max_rows,
        sparse=job.sparse,
        threads=job.threads,
        progress=job.progress,
        dataset=job.dataset,
        position=job.position,
    )


class JobError(RuntimeError):
    """A training run in a process of its own that did not finish; its own message is on standard error."""


def run_jobs(jobs: Sequence[Job], processes: int = 1) -> list[Path]:
    """Every job's folder, in the order given. With `processes` > 1, that many at once, each a fresh
    `python -m rnnclf.training.jobs JOB` (no state shared with this process, not even its main module, which
    multiprocessing's spawn would run again) on one thread, its progress bar on a line of its own."""
    if processes <= 1:
        return [run_job(job) for job in jobs]
    spread = [replace(job, threads=1, position=i % processes) for i, job in enumerate(jobs)]
    with ThreadPoolExecutor(processes) as pool:
        return list(pool.map(_in_a_process, spread))


def _in_a_process(job: Job) -> Path:
    record = {key: str(value) if isinstance(value, Path) else value for key, value in asdict(job).items()}
    command = [sys.executable, "-m", __name__, json.dumps(record)]  # this interpreter and module; no shell
    done = subprocess.run(command, cwd=PROJECT_ROOT, check=False)  # noqa: S603
    if done.returncode != 0:
        raise JobError(f"training {job.out.name} stopped (exit status {done.returncode}); nothing was published")
    return job.out


def _job(record: str) -> Job:
    """A job as `_in_a_process` wrote it."""
    data = json.loads(record)
    paths = {key: Path(data[key]) for key in ("out", "train_path", "test_path") if data[key] is not None}
    return Job(**{**data, **paths})


CHOICES = (*sorted(APPROACHES), BASELINE, ALL)  # what `train --approach` accepts


if __name__ == "__main__":  # one job of `run_jobs`, in a process of its own
    run_job(_job(sys.argv[1]))
