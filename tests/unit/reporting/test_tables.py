"""The command line's tables, on rows made here: aligned text, Markdown, and the cells of missing values."""

from __future__ import annotations

from rnnclf.checkpoints.records import Calibration
from rnnclf.checkpoints.registry import SummaryRow
from rnnclf.evaluation.significance import RESAMPLES, SEED, Interval
from rnnclf.reporting.tables import (
    CALIBRATION_ALIGN,
    CALIBRATION_HEADER,
    calibration_document,
    calibration_row,
    failure_rates_table,
    intervals_table,
    summary_table,
)

ROWS = [
    SummaryRow("approach1", "Approach 1: one layer", 0.83134, 0.8728, 47282, 38, 3089604, 84.4),
    SummaryRow("tfidf_lr", "TF-IDF", 0.9164, None, 47282, None, 899976, 57.0),
    SummaryRow("broken", error="no such folder"),
]


def test_summary_as_aligned_text() -> None:
    assert summary_table(ROWS, markdown=False).splitlines() == [
        "checkpoint             test acc %  tutorial %  train rows  epochs  parameters  train s  title",
        "approach1                   83.13       87.28      47,282      38   3,089,604       84  Approach 1: one layer",
        "tfidf_lr                    91.64           -      47,282       -     899,976       57  TF-IDF",
        "broken      ERROR: no such folder" + " " * 55,  # the error widens its column; the empty cells stay
    ]


def test_summary_as_markdown() -> None:
    assert summary_table(ROWS[:2], markdown=True).splitlines() == [
        "| checkpoint | test acc % | tutorial % | train rows | epochs | parameters | train s | title |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        "| approach1 | 83.13 | 87.28 | 47,282 | 38 | 3,089,604 | 84 | Approach 1: one layer |",
        "| tfidf_lr | 91.64 | - | 47,282 | - | 899,976 | 57 | TF-IDF |",
    ]


FOUND = {
    "approach1": (Interval(0.8313, 0.8225, 0.8396), Interval(0.83174, 0.82312, 0.83969)),
    "bigru_bag_avg": (Interval(0.9229, 0.9168, 0.9283), Interval(0.9228, 0.9168, 0.9282)),
}
TITLE = f"95 % bootstrap intervals on the test split ({RESAMPLES:,} resamples, seed {SEED}):"


def test_intervals_as_aligned_text() -> None:
    assert intervals_table(FOUND, markdown=False).splitlines() == [
        TITLE,
        "checkpoint     test acc %  95 % interval  macro-F1    95 % interval",
        "approach1           83.13  82.25 – 83.96    0.8317  0.8231 – 0.8397",
        "bigru_bag_avg       92.29  91.68 – 92.83    0.9228  0.9168 – 0.9282",
    ]


def test_intervals_as_markdown() -> None:
    assert intervals_table(FOUND, markdown=True).splitlines() == [
        TITLE,
        "",
        "| checkpoint | test acc % | 95 % interval | macro-F1 | 95 % interval |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| approach1 | 83.13 | 82.25 – 83.96 | 0.8317 | 0.8231 – 0.8397 |",
        "| bigru_bag_avg | 92.29 | 91.68 – 92.83 | 0.9228 | 0.9168 – 0.9282 |",
    ]


def test_calibration_document() -> None:
    fitted = Calibration(1.2345, 2500, 0.51234, 0.49876, 0.04321, 0.01234, bins=15)
    row = calibration_row("approach1", fitted)
    assert row == "| approach1 | 1.234 | 0.5123 | 0.4988 | 4.32% | 1.23% |"
    document = calibration_document([CALIBRATION_HEADER, CALIBRATION_ALIGN, row], fitted.bins)
    assert document.startswith("Temperature scaling, fitted on each checkpoint's validation split; ECE over 15 ")
    assert document.endswith(f"\n\n{CALIBRATION_HEADER}\n{CALIBRATION_ALIGN}\n{row}\n")


def test_failure_rates_cut_long_names_to_the_column() -> None:
    rates = {
        "Sports results": {"approach1": 1.0, "bigru_bag_avg": 0.02},
        "INV typo": {"approach1": 0.0, "bigru_bag_avg": 0.5},
    }
    assert failure_rates_table(rates, ["approach1", "bigru_bag_avg"]).splitlines() == [
        "                 approach1  bigru_bag_",
        "Sports results      100.0%        2.0%",
        "INV typo              0.0%       50.0%",
    ]
