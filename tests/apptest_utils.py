"""Driving the app through AppTest: shared by the test files of its views."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app.pages import VIEWS
from rnnclf import list_checkpoints
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.paths import PROJECT_ROOT as ROOT

TIMEOUT = 60  # seconds per script run: the CPU may be shared with training
SHIPPED = list_checkpoints(CHECKPOINT_DIR)


def start() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def rerun(at: AppTest) -> AppTest:
    """Run the script again (after setting a widget), failing on any exception it shows."""
    at.run()
    assert not at.exception, at.exception
    return at


def open_view(at: AppTest, name: str) -> AppTest:
    """Open a view the way its navigation link does (`name`: its title, e.g. "Explain")."""
    [view] = [view for view in VIEWS if view.title == name]
    at.switch_page(view.script)
    return rerun(at)


def enter(at: AppTest, text: str) -> AppTest:
    at.text_area(key="text").input(text)
    return rerun(at)


def pick(at: AppTest, checkpoint: str) -> AppTest:
    at.radio(key="checkpoint").set_value(checkpoint)
    return rerun(at)


def messages(at: AppTest) -> str:
    return " ".join(str(e.value) for group in (at.info, at.warning, at.error, at.success) for e in group)
