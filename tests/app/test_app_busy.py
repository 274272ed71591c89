"""Eight users asking for heavy work at once queue for a core; one who waits too long is told, not stuck."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from streamlit.testing.v1 import AppTest

from app import state
from apptest_utils import messages, open_view, rerun, start

TEXT = "Oil prices rose on Monday as traders worried about supply."


@contextmanager
def every_slot_taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if other users held every per-core slot; and nobody waits long for one."""
    monkeypatch.setattr(state, "HEAVY_WAIT_SECONDS", 0.2)
    taken = 0
    while state.HEAVY_SLOTS.acquire(blocking=False):
        taken += 1
    assert taken >= 1
    try:
        yield
    finally:
        for _ in range(taken):
            state.HEAVY_SLOTS.release()


def test_explanation_waits_then_says_the_server_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_view(start(), "Explain")
    at.text_area(key="text").input(TEXT)
    with every_slot_taken(monkeypatch):
        rerun(at)
    assert "busy explaining texts for other users" in messages(at)
    rerun(at)  # a slot is free again: the same request now gets its explanation
    assert "busy" not in messages(at)
    assert any('class="lime-text"' in h.value for h in at.html)


def test_batch_scoring_waits_then_says_the_server_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    at: AppTest = open_view(start(), "Batch")
    at.segmented_control(key="batch_source").set_value("Paste lines")
    rerun(at)
    at.text_area(key="batch_lines").input(TEXT)
    rerun(at)
    with every_slot_taken(monkeypatch):
        at.button(key="batch_score").click()
        rerun(at)
    assert "busy scoring for other users" in messages(at) and not at.dataframe
    at.button(key="batch_score").click()
    rerun(at)
    assert "Scored 1 row" in messages(at) and at.dataframe
