"""The verdict file round-trips, stays in its dataset's folder and leaves the dataset's own files alone."""

from __future__ import annotations

import pytest

from rnnclf.core.files import sha256_file
from rnnclf.data.dataset import DataError
from rnnclf.data.registry import DATASETS_ENV, RECORD, get_dataset
from rnnclf.inspection.verdicts import FILE, dataset_folder, read_verdicts, record_verdict, verdict_file
from tests.toy_datasets import Toys


@pytest.fixture
def six(toys: Toys, monkeypatch: pytest.MonkeyPatch, tmp_path):
    """A copy of the toy dataset `six`, so recording verdicts never touches the shared one."""
    import shutil

    shutil.copytree(toys.datasets / "six", tmp_path / "six")
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    return get_dataset("six")


def test_verdicts_round_trip_and_the_dataset_is_untouched(six) -> None:
    folder = verdict_file(six).parent
    assert folder == dataset_folder(six)
    files = [*folder.iterdir(), six.test.location, six.train.location]
    before = {str(p): sha256_file(p) for p in files}
    assert read_verdicts(six) == {}
    record_verdict(six, "test", 3, "wrong")
    record_verdict(six, "train", 10, "unsure")
    record_verdict(six, "test", 3, "right")  # a second verdict replaces the first
    assert read_verdicts(six) == {("test", 3): "right", ("train", 10): "unsure"}
    after = {str(p): sha256_file(p) for p in [*folder.iterdir(), six.test.location, six.train.location]}
    assert set(after) == set(before) | {str(folder / FILE)}
    assert all(after[name] == digest for name, digest in before.items())
    assert get_dataset("six").read_test().texts  # the record still pins its files
    assert str(folder / RECORD) in before


@pytest.mark.parametrize("name", ["../escape.json", "/tmp/elsewhere.json", "sub/dir.json", "verdicts.txt", ".."])
def test_a_verdict_file_cannot_be_written_outside_its_folder(six, name: str) -> None:
    with pytest.raises(DataError, match="directly in"):
        verdict_file(six, name)
    with pytest.raises(DataError):
        record_verdict(six, "test", 1, "wrong", name)
    assert not (dataset_folder(six).parent / "escape.json").exists()


def test_bad_verdicts_are_refused_and_change_nothing(six) -> None:
    for split, row, verdict in (
        ("test", 180, "wrong"),
        ("test", -1, "wrong"),
        ("test", 0, "maybe"),
        ("dev", 0, "right"),
    ):
        with pytest.raises(DataError):
            record_verdict(six, split, row, verdict)
    assert not verdict_file(six).exists()


def test_the_report_reads_the_verdicts(six, toys: Toys) -> None:
    from rnnclf.checkpoints.registry import load_checkpoint
    from rnnclf.data.dataset import Split
    from rnnclf.inspection.label_issues import LabelIssuesReport, issues_in_test, with_verdicts
    from rnnclf.inspection.report import markdown

    checkpoints = [load_checkpoint(name, toys.checkpoints) for name in toys.names("six")]
    split = six.read_test()
    labels = split.labels.copy()
    labels[[2, 40, 99]] = (labels[[2, 40, 99]] + 1) % len(six.classes)
    issues, accuracy = issues_in_test(checkpoints, Split(split.texts, labels))
    first = issues.issues[0].row
    record_verdict(six, "test", first, "wrong")
    reviewed = with_verdicts(issues, read_verdicts(six))
    assert [i.verdict for i in reviewed.issues] == ["wrong"] + [None] * (len(issues.issues) - 1)
    report = LabelIssuesReport("six", six.test.sha256, tuple(c.name for c in checkpoints), reviewed, None, accuracy)
    assert "Reviewed: 1 of these rows (1 wrong), verdicts from label_verdicts.json." in markdown(report)
