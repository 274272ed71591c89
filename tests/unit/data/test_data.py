import gzip

import pytest

from rnnclf import CLASSES
from rnnclf.data.dataset import TEST_PATH, TRAIN_PATH, DataError, read_csv, train_val_split


def test_committed_splits():
    test = read_csv(TEST_PATH)
    assert len(test) == 7600
    assert [int((test.labels == i).sum()) for i in range(4)] == [1900] * 4
    train = read_csv(TRAIN_PATH)
    assert len(train) == 49770
    assert not set(train.texts) & set(test.texts)
    assert CLASSES == ("World", "Sports", "Business", "Sci/Tech")


def test_three_column_form_joins_title_and_description(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('"3","Wall St. Bears","Reuters - Short-sellers"\n"1","T","D"\n', encoding="utf-8")
    data = read_csv(path)
    assert data.texts == ["Wall St. Bears Reuters - Short-sellers", "T D"]
    assert data.labels.tolist() == [2, 0]


def test_two_column_gzipped(tmp_path):
    path = tmp_path / "b.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write('"2","a text, with a comma"\n')
    data = read_csv(path)
    assert data.texts == ["a text, with a comma"] and data.labels.tolist() == [1]


@pytest.mark.parametrize(
    "content, message",
    [
        ('"1","a"\n"5","b"\n', "line 2: the class must be a whole number from 1 to 4"),
        ('"1","a"\n"2"\n', "line 2: expected 2 or 3 fields, found 1"),
        ('"1","a","b","c"\n', "line 1: expected 2 or 3 fields, found 4"),
        ("", "holds no rows"),
    ],
)
def test_malformed_rows_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        read_csv(path, n_classes=4)
    assert str(path) in str(info.value)


def test_undecodable_bytes_are_a_clear_error(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b'"1","caf\xe9"\n')
    with pytest.raises(DataError, match="not UTF-8"):
        read_csv(path)


def test_validation_split_is_fixed_and_disjoint():
    data = read_csv(TRAIN_PATH)
    train, val = train_val_split(data, 0.05, seed=0)
    again, val_again = train_val_split(data, 0.05, seed=0)
    assert val.texts == val_again.texts and len(val) == round(0.05 * len(data))
    assert len(train) + len(val) == len(data)
    assert not set(train.texts) & set(val.texts)
