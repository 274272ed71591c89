import numpy as np
import pandas as pd
import pytest

from rnnclf import load_classifier
from rnnclf.scoring.batch import MAX_BYTES, BatchError, frame_from_lines, guess_text_column, read_table, score


def test_read_table_limits_and_encodings():
    frame = read_table("\ufefftext,n\nhello,1\n".encode("utf-8"))  # a BOM is fine
    assert list(frame.columns) == ["text", "n"] and frame["n"].tolist() == ["1"]
    with pytest.raises(BatchError, match="limit is 20 MB"):
        read_table(b"text\n" + b"x" * (MAX_BYTES + 1))
    with pytest.raises(BatchError, match="not UTF-8"):
        read_table(b"text\n\xff\xfe\n")


def test_guess_text_column():
    frame = pd.DataFrame({"id": ["1", "2"], "body": ["a long news text", "another long one"]})
    assert guess_text_column(frame) == "body"
    assert guess_text_column(pd.DataFrame({"TEXT": ["a"], "x": ["bbbbbbbb"]})) == "TEXT"


def test_score_matches_single_predictions_and_reports_progress(tiny_checkpoint):
    classifier = load_classifier(tiny_checkpoint)
    frame = frame_from_lines("Oil prices rise\n\n  \nThe team won the final\n")
    seen: list[float] = []
    table = score(frame, "text", [classifier], seen.append)
    assert len(table) == 2 and seen[-1] == 1.0
    single = classifier.predict_proba(["Oil prices rise"])[0]
    row = table.iloc[0][[f"tiny P({c})" for c in classifier.classes]].to_numpy(dtype=np.float32)
    assert np.allclose(row, single, atol=1e-6)
    with pytest.raises(BatchError, match="no lines"):
        frame_from_lines(" \n ")
