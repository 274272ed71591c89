"""A reviewer's verdicts on flagged rows (is the given label wrong, right, or unsure?), kept in one JSON file
beside the dataset's own files and never in them: the dataset stays exactly as its record pins it, and the
label-issues report reads the verdicts (`tests/unit/inspection/test_verdicts.py`)."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from rnnclf.checkpoints.schema import RecordError, build
from rnnclf.core.files import write_json
from rnnclf.data.dataset import DataError, Dataset
from rnnclf.data.registry import RECORD, dataset_roots

FILE = "label_verdicts.json"
VERDICTS = ("wrong", "right", "unsure")  # of the given label
SPLITS = ("test", "train")
FORMAT = 1
_WRITING = threading.Lock()  # one read-modify-write at a time per process (the app's sessions share it)


@dataclass(frozen=True)
class Verdict:
    split: str  # "test" or "train"
    row: int
    verdict: str  # one of VERDICTS


def dataset_folder(dataset: Dataset) -> Path:
    """The folder holding `dataset`'s record, found as the registry finds it (the first root that has it)."""
    for root in dataset_roots():
        if (root / dataset.name / RECORD).is_file():
            return (root / dataset.name).resolve()
    raise DataError(f"no folder holds the record of dataset {dataset.name!r}")


def verdict_file(dataset: Dataset, name: str = FILE) -> Path:
    """The verdict file in `dataset`'s folder; a DataError for a name that would leave that folder."""
    folder = dataset_folder(dataset)
    path = (folder / name).resolve()
    if path.parent != folder or not path.name.endswith(".json"):
        raise DataError(f"a verdict file must be a .json file directly in {folder}, not {name!r}")
    return path


def read_verdicts(dataset: Dataset, name: str = FILE) -> dict[tuple[str, int], str]:
    """(split, row) -> verdict; empty when nobody has recorded one. A damaged file is a DataError."""
    path = verdict_file(dataset, name)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        records = [build(Verdict, item) for item in data["verdicts"]]
    except (OSError, ValueError, KeyError, TypeError, RecordError) as error:
        raise DataError(f"{path}: cannot be read as label verdicts ({error})") from None
    return {(v.split, v.row): v.verdict for v in records}


def record_verdict(dataset: Dataset, split: str, row: int, verdict: str, name: str = FILE) -> Path:
    """Add or replace the verdict on `row` of `split`; bad input is a DataError and changes nothing."""
    rows = {"test": dataset.test.rows, "train": dataset.train.rows}
    if split not in SPLITS or verdict not in VERDICTS:
        raise DataError(f"a verdict is one of {', '.join(VERDICTS)} on a row of the {' or '.join(SPLITS)} split")
    if not 0 <= row < rows[split]:
        raise DataError(f"the {split} split of {dataset.name!r} has rows 0 to {rows[split] - 1}, not {row}")
    path = verdict_file(dataset, name)
    with _WRITING:
        found = read_verdicts(dataset, name)
        found[(split, int(row))] = verdict
        records = [asdict(Verdict(s, r, v)) for (s, r), v in sorted(found.items())]
        write_json(path, {"format": FORMAT, "dataset": dataset.name, "verdicts": records})
    return path
