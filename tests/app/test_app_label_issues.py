"""Label issues in the app: the Errors view marks the flagged rows and filters to them or hides them,
Summary shows the estimate without them, the Map lists exactly the selected rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
from toy_datasets import SIX, Toys

from app import state
from app.state import ROOT_ENV
from app.views.errors import LABEL_FILTERS, label_filter
from app.views.map import SELECTED_KEY, selected_rows
from apptest_utils import open_view, pick, rerun, start
from rnnclf import load_checkpoint
from rnnclf.data.dataset import Split
from rnnclf.data.registry import DATASETS_ENV
from rnnclf.inspection.label_issues import LabelIssuesReport, issues_in_test
from rnnclf.inspection.report import write

PLANTED = [2, 40, 99, 130, 171]


@pytest.fixture
def toy_app(toys: Toys, monkeypatch: pytest.MonkeyPatch, tmp_path) -> LabelIssuesReport:
    """The toy checkpoints, and a label-issues report of `six` with planted flips in its own folder."""
    monkeypatch.setenv(ROOT_ENV, str(toys.checkpoints))
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    monkeypatch.setattr(state, "LABEL_ISSUES_DIR", tmp_path)
    checkpoints = [load_checkpoint(name, toys.checkpoints) for name in toys.names("six")]
    dataset = checkpoints[0].dataset
    split = dataset.read_test()
    labels = split.labels.copy()
    labels[PLANTED] = (labels[PLANTED] + 1) % len(SIX)
    issues, accuracy = issues_in_test(checkpoints, Split(split.texts, labels))
    report = LabelIssuesReport("six", dataset.test.sha256, tuple(c.name for c in checkpoints), issues, None, accuracy)
    write(report, tmp_path)
    assert report.test.issues
    return report


def test_label_filter_keeps_marks_or_hides_the_flagged_rows() -> None:
    rows = np.array([9, 4, 7, 1])
    assert label_filter(rows, {4, 1, 100}, LABEL_FILTERS[0]).tolist() == [9, 4, 7, 1]
    assert label_filter(rows, {4, 1, 100}, LABEL_FILTERS[1]).tolist() == [4, 1]
    assert label_filter(rows, {4, 1, 100}, LABEL_FILTERS[2]).tolist() == [9, 7]
    assert label_filter(rows, set(), LABEL_FILTERS[1]).tolist() == []


def _cell_of(report: LabelIssuesReport) -> tuple[int, str, str]:
    issue = report.test.issues[0]
    return issue.row, issue.given, issue.suggested


def _errors_at_first_issue(report: LabelIssuesReport):
    """Errors on six_tfidf, at the confusion cell of the report's most doubtful row."""
    row = report.test.issues[0].row
    at = open_view(pick(start(), "six_tfidf"), "Errors")
    checkpoint = load_checkpoint("six_tfidf", state.checkpoint_root())
    true = SIX[int(checkpoint.dataset.read_test().labels[row])]  # the dataset's own label
    predicted = SIX[int(np.asarray(checkpoint.test_predictions)[row].argmax())]
    at.selectbox(key="errors_true").set_value(true)
    at.selectbox(key="errors_predicted").set_value(predicted)
    return rerun(at)


def test_errors_marks_flagged_rows_and_filters_to_them(toy_app: LabelIssuesReport) -> None:
    row, given, suggested = _cell_of(toy_app)
    at = _errors_at_first_issue(toy_app)
    # The report was of a copy with flipped labels; the dataset itself is unchanged, so the mark reads the report.
    marks = [m.value for m in at.markdown if "label may be wrong" in m.value]
    flagged_here = {i.row for i in toy_app.test.issues}
    captions = [c.value for c in at.caption if c.value.startswith("#")]
    listed = {int(c.split("test row ")[1].replace(",", "")) for c in captions}
    assert len(marks) == len(listed & flagged_here) and row in listed
    at.segmented_control(key="errors_label_filter").set_value(LABEL_FILTERS[1])
    at = rerun(at)
    only = {int(c.value.split("test row ")[1].replace(",", "")) for c in at.caption if c.value.startswith("#")}
    assert only and only <= flagged_here
    at.segmented_control(key="errors_label_filter").set_value(LABEL_FILTERS[2])
    at = rerun(at)
    hidden = {int(c.value.split("test row ")[1].replace(",", "")) for c in at.caption if c.value.startswith("#")}
    assert hidden and not hidden & flagged_here  # each view shows its first page
    assert any(f"suggested {suggested}" in m.replace("\\", "") for m in marks) and given in SIX


def test_summary_shows_the_estimate_marked_as_one(toy_app: LabelIssuesReport) -> None:
    at = open_view(pick(start(), "six_rnn"), "Summary")
    [frame] = [f.value for f in at.dataframe if "without flagged rows (estimate)" in f.value.columns]
    by_name = {a.checkpoint: a for a in toy_app.accuracy}
    assert set(frame["checkpoint"]) == set(by_name)
    for _, line in frame.iterrows():
        assert line["without flagged rows (estimate)"] == by_name[line["checkpoint"]].accuracy_without_flagged
    assert any("An estimate, not a measurement" in c.value for c in at.caption)


def test_a_selection_event_gives_its_rows() -> None:
    event = {
        "selection": {
            "points": [
                {"customdata": 12, "point_index": 0},
                {"customdata": [3], "point_index": 1},
                {"customdata": 12, "point_index": 5},
                {"customdata": -1},  # the placed text
                {"point_index": 4},
            ]
        }
    }
    assert selected_rows(event) == [3, 12]
    assert selected_rows(None) == [] and selected_rows({"selection": {"points": []}}) == []


def test_the_map_draws_every_test_row_and_lists_exactly_the_selected_ones(toy_app: LabelIssuesReport) -> None:
    at = open_view(pick(start(), "six_tfidf"), "Map")
    split_rows = load_checkpoint("six_tfidf", state.checkpoint_root()).dataset.test.rows
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    drawn = sorted(int(r) for trace in spec["data"] for r in trace["customdata"])
    assert drawn == list(range(split_rows))
    at.session_state[SELECTED_KEY] = ("six", [3, 17, 120])
    at = rerun(at)
    listed = [int(c.value.split("test row ")[1].replace(",", "")) for c in at.caption if c.value.startswith("test row")]
    assert listed == [3, 17, 120]
    assert len([b for b in at.button if b.key.startswith("map_load_")]) == 3
    at.text_input(key="map_text").input("rain storm forecast wind thunder snow")
    at = rerun(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][-1]["name"] == "your text"


def test_a_verdict_recorded_in_errors_lands_beside_the_dataset(
    toy_app: LabelIssuesReport, toys: Toys, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from rnnclf.data.registry import get_dataset
    from rnnclf.inspection.verdicts import read_verdicts

    copy = tmp_path / "datasets"
    shutil.copytree(toys.datasets, copy)
    monkeypatch.setenv(DATASETS_ENV, str(copy))
    at = _errors_at_first_issue(toy_app)
    at.segmented_control(key="errors_label_filter").set_value(LABEL_FILTERS[1])
    at = rerun(at)
    [first, *_] = [c for c in at.segmented_control if c.key.startswith("errors_verdict_")]
    row = int(first.key.rsplit("_", 1)[1])
    first.set_value("wrong")
    at = rerun(at)
    assert read_verdicts(get_dataset("six")) == {("test", row): "wrong"}
    assert at.segmented_control(key=first.key).value == "wrong"
