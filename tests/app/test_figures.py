"""The Summary chart: tutorial bars only where there are tutorial figures (AG News), never an empty legend entry."""

from __future__ import annotations

from app.figures import accuracy_vs_tutorial


def test_tutorial_bars_only_where_the_tutorial_has_figures() -> None:
    ag_news = accuracy_vs_tutorial(["approach1", "bigru_bag_avg"], [0.83, 0.92], [0.8728, None])
    assert [trace.name for trace in ag_news.data] == ["test accuracy (ours)", "tutorial's reported"]
    other = accuracy_vs_tutorial(["debian-bigru_bag_avg"], [0.87], [None])
    assert [trace.name for trace in other.data] == ["test accuracy (ours)"]
