"""The app: seconds from `streamlit run` to the first prediction in headless Chromium, and its memory.

Chromium starts before the clock (a visitor's browser is already open); the clock runs from launching
the server through loading the page and submitting a text until the predicted class is on screen.
Memory is the server's resident set (with any children) after the Compare view has scored the text
with every checkpoint, so all of them are loaded.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from dataclasses import dataclass

import psutil

from bench.lib import subjects
from bench.lib.report import Row, Table
from bench.lib.server import APP, CHROMIUM, CHROMIUM_ARGS, TIMEOUT_S, streamlit_app
from bench.lib.settings import Settings
from bench.lib.timing import Stats
from rnnclf import list_checkpoints

TARGET_START_S = 10.0
TARGET_MEMORY_MB = 800.0


def available() -> str | None:
    """Why the app cannot be measured here, or None when it can."""
    if not APP.exists():
        return f"{APP.name} is missing"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (install Debian's chromium package)"
    return None


@dataclass(frozen=True)
class AppRun:
    """Seconds from launching the server to each milestone, and its memory at the end."""

    healthy: float  # the server answers /_stcore/health
    text_box: float  # the first script run has drawn the page
    prediction: float  # the predicted class is on screen
    resident_mb: float


def _resident_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in (process, *process.children(recursive=True))) / 2**20


def run_once(browser, text: str) -> AppRun:  # browser: playwright.sync_api.Browser
    from playwright.sync_api import expect

    with tempfile.TemporaryFile() as log:
        try:
            with streamlit_app(log) as server:
                healthy = time.monotonic() - server.started
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.set_default_timeout(TIMEOUT_S * 1000)
                page.goto(server.url)
                area = page.get_by_label("News text")
                area.wait_for()
                text_box = time.monotonic() - server.started
                area.fill(text)
                area.press("Control+Enter")
                expect(page.get_by_test_id("stMetricValue")).not_to_have_text("")
                prediction = time.monotonic() - server.started
                page.get_by_role("link", name="Compare").click()
                expect(page.get_by_text(re.compile(r"checkpoints (agree|disagree)"))).to_be_visible()
                resident = _resident_mb(server.process.pid)
                page.close()
        except Exception:
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace")[-4000:])
            raise
    return AppRun(healthy, text_box, prediction, resident)


def measure(settings: Settings) -> list[Table]:
    from playwright.sync_api import sync_playwright

    text = subjects.explained_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            runs = [run_once(browser, text) for _ in range(settings.app_runs)]
        finally:
            browser.close()
    start = Stats(tuple(r.prediction for r in runs))
    memory = Stats(tuple(r.resident_mb for r in runs))
    judged = not settings.quick
    rows = [
        Row("`streamlit run` until the server answers its health check", "s", Stats(tuple(r.healthy for r in runs))),
        Row("`streamlit run` until the page shows the text box", "s", Stats(tuple(r.text_box for r in runs))),
        Row(
            "`streamlit run` to the first rendered prediction",
            "s",
            start,
            target=f"<= {TARGET_START_S:g} s",
            met=start.median <= TARGET_START_S if judged else None,
        ),
        Row(
            f"server memory (RSS) with all {len(list_checkpoints())} checkpoints loaded",
            "MB",
            memory,
            target=f"< {TARGET_MEMORY_MB:g} MB",
            met=memory.median < TARGET_MEMORY_MB if judged else None,
        ),
    ]
    return [Table("App", "", "", rows, (f"{settings.app_runs} cold starts; headless Chromium via Playwright.",))]
