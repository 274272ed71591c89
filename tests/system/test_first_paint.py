"""Every page, opened in a fresh Chromium as a new visitor would: no exception box, a main area with
content, and tables drawn (Streamlit paints them on a canvas). Screenshots go to test-artifacts/."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from test_browser import ARTIFACTS, app_url, browser  # noqa: F401 - fixtures

from app.pages import VIEWS, View

pytestmark = pytest.mark.browser
WAIT_MS = 90_000  # generous: CI may share the machine's cores


def address(view: View) -> str:
    """The view's own path (the default one is the root), with a test example where it reads a text."""
    path = "" if view is VIEWS[0] else view.id
    return f"/{path}?row=0" if "row" in view.params else f"/{path}"


def colours(png: bytes) -> int:
    return len(Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16))


@pytest.mark.parametrize("view", VIEWS, ids=[view.id for view in VIEWS])
def test_first_paint_of_every_page(app_url: str, browser, view: View) -> None:  # noqa: F811
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(app_url + address(view))
        expect(page.get_by_role("button", name="Share this view")).to_be_visible()  # the page's run has ended
        main = page.get_by_test_id("stMain")
        # Charts and tables show a grey skeleton until their code has loaded; then they must draw.
        expect(page.locator("[data-testid=stSkeleton], [data-testid=stSkeletonElement]")).to_have_count(0)
        shown = main.get_by_test_id("stElementContainer").filter(visible=True)
        page.screenshot(path=str(ARTIFACTS / f"first-paint-{view.id}.png"), full_page=True)
        assert page.get_by_test_id("stException").count() == 0
        assert page.get_by_text("Page not found").count() == 0
        assert shown.count() >= 2, "only the Share control in the main area"
        for table in main.get_by_test_id("stDataFrame").filter(visible=True).all():  # not those in a closed expander
            expect(table.locator("canvas").first).to_be_visible()
            assert colours(table.screenshot()) > 8, "a table drawn empty"
    finally:
        context.close()
