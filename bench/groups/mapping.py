"""The Map: seconds to compute every shipped checkpoint's projections of its test split (what `rnnclf map`
does once per checkpoint), to build the figure of a stored map, and from opening the page to the drawn
points in headless Chromium with the map cached.

Computing runs in this process: UMAP's first call includes numba's compile, reported on its own row.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time

from bench.lib.report import Row, Table
from bench.lib.server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_S, streamlit_app
from bench.lib.settings import Settings
from bench.lib.timing import Stats, interleaved, timed
from rnnclf import list_checkpoints, load_checkpoint
from rnnclf.inspection.projection import METHODS, compute, manifest_sha, read

TARGET_ALL_S = 600.0  # every shipped checkpoint's maps: minutes, not tens of minutes
TARGET_DRAW_S = 2.0  # a cached map of the whole test split, page opened to points drawn
DRAWN = "approach1"


def _compute_rows(settings: Settings) -> list[Row]:
    names = list_checkpoints()[:1] if settings.quick else list_checkpoints()
    methods = ("pca",) if settings.quick else METHODS
    seconds: dict[str, list[float]] = {method: [] for method in methods}
    for name in names:
        checkpoint = load_checkpoint(name)
        for method in methods:
            started = time.perf_counter()
            compute(checkpoint, method)
            seconds[method].append(time.perf_counter() - started)
            print(f"[bench] map {name} {method}: {seconds[method][-1]:.1f} s", file=sys.stderr, flush=True)
    total = sum(sum(s) for s in seconds.values())
    rows = [
        Row(f"{method.upper()} of one checkpoint's test split", "s", Stats(tuple(s))) for method, s in seconds.items()
    ]
    if "umap" in seconds:
        rows.append(Row("the first UMAP (includes numba's compile)", "s", Stats((seconds["umap"][0],))))
    rows.append(
        Row(
            f"every map of {len(names)} checkpoint(s), {' and '.join(m.upper() for m in methods)}",
            "s",
            Stats((total,)),
            target=f"<= {TARGET_ALL_S:g} s",
            met=total <= TARGET_ALL_S if not settings.quick else None,
        )
    )
    return rows


def _figure_row(settings: Settings) -> Row | None:
    from app.state import hover_texts
    from app.views.map import HOVER_CHARS, figure

    checkpoint = load_checkpoint(DRAWN)
    stored = read(manifest_sha(checkpoint), "umap") or read(manifest_sha(checkpoint), "pca")
    if stored is None:
        return None
    split = checkpoint.dataset.read_test()
    probabilities = checkpoint.test_predictions
    texts = hover_texts(checkpoint.dataset, HOVER_CHARS)  # cached once per dataset by the app
    build = timed(
        lambda: figure(stored.coordinates, texts, split, probabilities, checkpoint.classes, "true class", {}).to_json()
    )
    stats = interleaved({"figure": build}, repeats=2 if settings.quick else 5)["figure"]
    return Row(f"build the figure of {DRAWN}'s stored map ({len(split):,} points) as JSON", "s", stats)


def _draw_rows(settings: Settings) -> list[Row]:
    """Opening the Map page (points drawn) beside opening Probe (its text box shown), in the same browser
    and server, alternately: the difference is the map's own share of the wait."""
    if not CHROMIUM.exists():
        return []
    from playwright.sync_api import sync_playwright

    seconds: dict[str, list[float]] = {"map": [], "probe": []}
    with tempfile.TemporaryFile() as log, streamlit_app(log) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(TIMEOUT_S * 1000)
            for attempt in range(1 + (1 if settings.quick else 5)):  # the first fills the caches, untimed
                started = time.perf_counter()
                page.goto(f"{server.url}/?model={DRAWN}")
                page.get_by_label("News text").wait_for()
                probe = time.perf_counter() - started
                started = time.perf_counter()
                page.goto(f"{server.url}/map?model={DRAWN}")
                page.wait_for_selector(".js-plotly-plot .gl-container canvas, .js-plotly-plot .scatterlayer .point")
                page.get_by_text(re.compile(r"of the [\d,]+ test texts")).wait_for()
                if attempt:
                    seconds["map"].append(time.perf_counter() - started)
                    seconds["probe"].append(probe)
        finally:
            browser.close()
    drawn = Stats(tuple(seconds["map"]))
    return [
        Row(
            f"open the Map page of {DRAWN} to its points drawn (cached)",
            "s",
            drawn,
            target=f"<= {TARGET_DRAW_S:g} s",
            met=drawn.median <= TARGET_DRAW_S if not settings.quick else None,
        ),
        Row("for comparison: open the Probe page to its text box", "s", Stats(tuple(seconds["probe"]))),
    ]


def measure(settings: Settings) -> list[Table]:
    rows = _compute_rows(settings)
    rows += [row for row in (_figure_row(settings),) if row is not None] + _draw_rows(settings)
    notes = (
        "Maps computed in one process (UMAP with one job); the page timed in headless Chromium on a running server.",
    )
    return [Table("Map", "", "", rows, notes)]
