"""Driving the app through AppTest: shared by the test files of its views."""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.pages import VIEWS
from app.state import ROOT_ENV
from rnnclf import list_checkpoints, load_checkpoint
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


def shown_checkpoints(at: AppTest) -> list[str]:
    """The checkpoint picker's names (its options are their labels: name · accuracy, Markdown-escaped)."""
    return [option.split(" · ")[0].replace("\\", "") for option in at.radio(key="checkpoint").options]


def pick(at: AppTest, checkpoint: str) -> AppTest:
    """Choose `checkpoint` in the sidebar, its dataset first where the sidebar offers several."""
    if any(radio.key == "dataset" for radio in at.radio) and checkpoint not in shown_checkpoints(at):
        root = os.environ.get(ROOT_ENV, str(CHECKPOINT_DIR))
        at.radio(key="dataset").set_value(load_checkpoint(checkpoint, Path(root)).dataset.name)
        at = rerun(at)
    at.radio(key="checkpoint").set_value(checkpoint)
    return rerun(at)


def messages(at: AppTest) -> str:
    return " ".join(str(e.value) for group in (at.info, at.warning, at.error, at.success) for e in group)
