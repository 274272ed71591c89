"""The pieces of `data add`: the seeded stratified hold-out, the class order, and the stored splits read back
as training reads them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnclf.data.ingest import add_dataset, class_order, holdout
from rnnclf.data.registry import DATASETS_ENV, get_dataset

FIXTURE = Path(__file__).parents[2] / "fixtures/debian_sections/packages.csv.gz"


def test_holdout_is_stratified_and_seeded() -> None:
    labels = np.repeat(np.arange(3), [100, 40, 7])
    chosen = holdout(labels, 3, 0.1, seed=0)
    assert np.bincount(labels[chosen]).tolist() == [10, 4, 1]  # round(7 * 0.1) = 1: at least one
    assert np.array_equal(chosen, holdout(labels, 3, 0.1, seed=0))
    assert not np.array_equal(chosen, holdout(labels, 3, 0.1, seed=1))


def test_classes_are_sorted_numerically_when_all_are_whole_numbers() -> None:
    assert class_order(["10", "2", "1", "2"]) == ("1", "2", "10")
    assert class_order(["b", "10", "a"]) == ("10", "a", "b")


def test_the_real_fixture_becomes_a_six_class_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    added = add_dataset("debian", FIXTURE, text_columns=["package", "summary"], label_column="section")
    dataset = get_dataset("debian")
    assert added.dataset == dataset and added.leaked == 0
    train, test = dataset.read_train(), dataset.read_test()
    assert np.bincount(test.labels).tolist() == [35] * 6 and len(train) == 6 * 315
    assert "hex-a-hop puzzle game based on hexagonal tiles" in train.texts + test.texts  # columns joined by a space
    assert dataset.sources[0].sha256 and dataset.holdout.fraction == 0.1


@pytest.mark.parametrize(("line", "problem"), [("{broken", "not valid JSON"), ("[1, 2]", "not a JSON object")])
def test_a_json_lines_file_stops_at_a_line_without_an_object(tmp_path: Path, line: str, problem: str) -> None:
    from rnnclf.data.dataset import DataError
    from rnnclf.data.ingest import Table

    path = tmp_path / "rows.jsonl"
    path.write_text(f'{{"text": "a", "label": "x"}}\n\n{line}\n', encoding="utf-8")
    with pytest.raises(DataError, match=rf"rows\.jsonl, line 3: {problem}"):
        list(Table(path).rows())
