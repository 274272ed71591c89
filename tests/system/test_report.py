"""The HTML report: built by `rnnclf report`, opened in Chromium with networking off, every checkpoint
shown, a pinned markup text kept as text; and the app's "Add to report" buttons."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.pages import BY_ID
from apptest_utils import SHIPPED, enter, open_view, rerun, start
from bench.lib.server import CHROMIUM, CHROMIUM_ARGS
from rnnclf.cli import main
from rnnclf.core.paths import REPORT_DIR

HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> Oil **prices** rose'
SPORTS = "The Yankees beat the Red Sox 5-3 on Sunday in the ninth inning of the baseball game."


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", "--out", str(out), "--probe", HOSTILE, "--probe", SPORTS]) == 0
    return out


def test_the_report_is_self_contained_and_escapes_user_text(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert "<script>window.pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    assert not re.search(r"<script[^>]*\bsrc=", html)  # plotly.js inline, nothing fetched (the browser test checks)
    assert "@import" not in html and "<link" not in html
    assert html.count("Plotly.newPlot") >= 4
    assert main(["report", "--out", str(report.with_name("empty.html")), "--probe", "  "]) == 2


@pytest.mark.browser
def test_the_report_opens_offline_in_chromium_with_every_checkpoint(report: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True)
            requests: list[str] = []
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            page.goto(report.as_uri())
            page.wait_for_selector(".js-plotly-plot .main-svg")
            assert page.locator(".js-plotly-plot").count() >= 4  # plotly.js ran from the inlined copy
            first_column = page.locator("table").first.locator("tr td:first-child").all_inner_texts()
            assert first_column == SHIPPED
            assert page.locator(".pin .text").first.inner_text() == HOSTILE
            assert page.evaluate("window.pwned") is None
            assert requests == [report.as_uri()]
        finally:
            browser.close()


def test_add_to_report_pins_every_checkpoint_and_the_explanation() -> None:
    at = enter(start(), SPORTS)
    at.button(key="probe_pin").click()
    rerun(at)
    [pin] = at.session_state["report_pins"]
    assert pin.text == SPORTS and [p.checkpoint for p in pin.predictions] == SHIPPED
    assert any("1 pinned" in c.value for c in at.sidebar.caption)
    open_view(at, "Explain")
    at.button(key="explain_pin").click()
    rerun(at)
    explained = at.session_state["report_pins"][-1]
    assert explained.view == "Explain" and len(explained.explanations[0].words) == 10
    assert [b.label for b in at.sidebar.get("download_button")] == ["Download report"]


def test_a_failing_behavior_case_can_be_pinned() -> None:
    report = json.loads((REPORT_DIR / "behavior.json").read_text(encoding="utf-8"))
    name = SHIPPED[1]
    test = max(report["tests"], key=lambda t: len(t["failed"][name]))
    at = start()
    at.query_params.update(model=name, test=test["name"])
    at.switch_page(BY_ID["behaviour"].script)
    at.query_params.update(model=name, test=test["name"])
    rerun(at)
    [first, *_] = [b for b in at.button if str(b.key).startswith("behavior_pin_")]
    first.click()
    rerun(at)
    [pin] = at.session_state["report_pins"]
    case = test["cases"][test["failed"][name][0]]
    assert pin.view == "Behaviour" and pin.text == report["texts"][case["text"]]
    assert test["name"] in pin.note and len(pin.predictions) == len(report["checkpoints"])
