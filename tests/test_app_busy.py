"""Eight users asking for LIME at once queue for a core; one who waits too long is told, not stuck."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from app import state

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Oil prices rose on Monday as traders worried about supply."


def test_explanations_wait_for_a_free_slot_then_say_the_server_is_busy(monkeypatch):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.session_state["view"] = next(tab.label for tab in at.tabs if tab.label.endswith("Explain"))
    at.text_area(key="text").input(TEXT)
    monkeypatch.setattr(state, "LIME_WAIT_SECONDS", 0.2)
    taken = 0
    while state.LIME_SLOTS.acquire(blocking=False):  # every slot busy with someone else's explanation
        taken += 1
    try:
        at.run()
    finally:
        for _ in range(taken):
            state.LIME_SLOTS.release()
    assert taken >= 1 and not at.exception
    assert any("busy explaining other texts" in w.value for w in at.warning)
    at.run()  # a slot is free again: the same request now gets its explanation
    assert not at.exception
    assert not any("busy" in w.value for w in at.warning)
    assert any('class="lime-text"' in h.value for h in at.html)
