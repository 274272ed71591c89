"""End to end: a real `streamlit run`, driven by headless Debian Chromium through Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.lib.server import CHROMIUM, CHROMIUM_ARGS, streamlit_app
from rnnclf.core.paths import PROJECT_ROOT as ROOT

ARTIFACTS = ROOT / "test-artifacts"
HOSTILE_TEXT = '<script>alert("x")</script> Stocks <img src=x onerror=alert(1)> rallied, **bold** $x^2$ :red[y]'
SPORTS_TEXT = (
    "The Yankees beat the Red Sox 5-3 on Sunday as the pitcher threw a shutout in the ninth inning "
    "of the baseball game."
)

pytestmark = pytest.mark.browser


@pytest.fixture
def app_url() -> Iterator[str]:
    """`streamlit run streamlit_app.py` on a free port; always terminated, its log checked for errors."""
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "streamlit.log"
    with open(log, "w") as handle:
        try:
            with streamlit_app(handle) as server:
                yield server.url
        except (RuntimeError, TimeoutError) as error:
            pytest.fail(f"{error}:\n{log.read_text()}")
    output = log.read_text()
    assert "Traceback" not in output and "Error" not in output, output


@pytest.fixture
def browser() -> Iterator:
    """Headless Chromium; each test opens its own context (a fresh browser profile)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, url: str):
    from playwright.sync_api import expect

    # Generous waits: CI may share the machine's two cores with other work; expect() defaults to 5 s.
    expect.set_options(timeout=90_000)
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    return page


@pytest.fixture
def page(app_url: str, browser) -> Iterator:
    """A Chromium page on the app, its first run shown."""
    yield new_page(browser, app_url)


def test_a_deep_link_opens_that_view_with_that_text_and_checkpoint(app_url: str, browser) -> None:
    from playwright.sync_api import expect

    from rnnclf.data.dataset import TEST_PATH, read_csv

    text = read_csv(TEST_PATH).texts[12]
    page = new_page(browser, f"{app_url}/explain?model=approach2&row=12")
    expect(page.get_by_label("News text")).to_have_value(text)
    expect(page.get_by_role("radio", name=re.compile(r"^approach2 · "))).to_be_checked()
    expect(page.locator(".lime-word").first).to_be_visible()
    expect(page.locator(".lime-text")).to_contain_text(text.split()[0])
    expect(page.get_by_text("Explain the class")).to_be_visible()
    assert re.search(r"/explain\?.*row=12", page.url) and "model=approach2" in page.url
    page.get_by_role("button", name="Share this view").click()
    expect(page.get_by_text(re.compile(r"/explain\?model=approach2&row=12"))).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "deep_link.png"), full_page=True)


def test_paste_text_see_prediction_and_highlights(page) -> None:
    from playwright.sync_api import expect

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    text_area = page.get_by_label("News text")
    text_area.fill(SPORTS_TEXT)
    text_area.press("Control+Enter")
    expect(page.get_by_test_id("stMetricValue")).to_have_text("Sports")
    expect(page.locator(".js-plotly-plot .bars").first).to_be_visible()  # the chart has drawn
    page.screenshot(path=str(ARTIFACTS / "probe.png"), full_page=True)

    page.get_by_role("link", name="Explain").click()
    words = page.locator(".lime-word")
    expect(words.first).to_be_visible()
    expect(page.locator(".lime-text")).to_contain_text("Yankees")
    assert words.count() >= 10
    expect(page.locator(".js-plotly-plot .bars").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "explain.png"), full_page=True)

    # Markup in the text is shown as text: no script runs, no Markdown is applied.
    text_area.fill(HOSTILE_TEXT)
    text_area.press("Control+Enter")
    expect(page.locator(".lime-text")).to_have_text(HOSTILE_TEXT)
    assert page.locator(".lime-text img, .lime-text script, .lime-text strong").count() == 0
    assert dialogs == []


def test_click_a_confusion_cell_load_its_example_and_refuse_a_big_upload(page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name="Errors").click()
    expect(page.locator(".js-plotly-plot .heatmaplayer").first).to_be_visible()
    plot = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    # Cell (true World, predicted Sports): first row, second of four columns.
    page.mouse.click(plot["x"] + plot["width"] * 1.5 / 4, plot["y"] + plot["height"] * 0.5 / 4)
    expect(page.get_by_text("test examples of World predicted as Sports")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "errors.png"), full_page=True)

    page.get_by_role("button", name="Load into Probe").first.click()
    expect(page).to_have_url(re.compile(r"/(probe)?\?.*row=\d+"))  # the Probe is the default page, at /
    expect(page.get_by_text("true label: World")).to_be_visible()

    page.get_by_role("link", name="Disagreements").click()
    expect(page.locator(".js-plotly-plot .heatmaplayer").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "disagreements.png"), full_page=True)

    big = tmp_path / "big.csv"
    big.write_bytes(b"text\n" + b"x" * (50 * 2**20))
    page.get_by_role("link", name="Batch").click()
    page.locator("input[type=file]").set_input_files(big)
    expect(page.get_by_test_id("stFileUploader")).to_contain_text("File must be 20.0MB or smaller")
    page.screenshot(path=str(ARTIFACTS / "batch.png"), full_page=True)
