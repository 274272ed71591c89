"""Browser load test: 8 headless Chromium pages against one `streamlit run`, all at once.

`python -m bench.load [--users 8]` writes reports/loadtest.md. Each page is one user: it opens the
app, pastes its own test text, waits for the predicted class (Probe), then opens Explain and waits
for the LIME highlights. Latencies run from pasting the text. A single user goes first, alone (the
baseline, which also loads the models), then all users at once; the server's CPU and resident
memory are sampled throughout. Not part of the test suite: it takes a minute and wants a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from rnnclf.data import PROJECT_ROOT, TEST_PATH, read_csv

from .server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_S, streamlit_app

REPORT = PROJECT_ROOT / "reports" / "loadtest.md"


@dataclass
class UserResult:
    prediction_s: float | None = None
    explanation_s: float | None = None
    error: str | None = None


class ServerSampler:
    """Samples the server's CPU (% of one core) and resident memory every half second."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.cpu: list[float] = []
        self.rss_mb: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.process.cpu_percent()
        while not self._stop.wait(0.5):
            self.cpu.append(self.process.cpu_percent())
            self.rss_mb.append(self.process.memory_info().rss / 2**20)

    def __enter__(self) -> ServerSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def one_user(browser, url: str, text: str) -> UserResult:  # browser: playwright.async_api.Browser
    from playwright.async_api import expect

    result = UserResult()
    page = await browser.new_page(viewport={"width": 1440, "height": 1000})
    page.set_default_timeout(TIMEOUT_S * 1000)
    try:
        await page.goto(url)
        area = page.get_by_label("News text")
        await area.fill(text)
        started = time.monotonic()
        await area.press("Control+Enter")
        await expect(page.get_by_test_id("stMetricValue")).not_to_have_text("", timeout=TIMEOUT_S * 1000)
        result.prediction_s = time.monotonic() - started
        await page.get_by_role("link", name="Explain").click()
        await expect(page.locator(".lime-text")).to_be_visible(timeout=TIMEOUT_S * 1000)
        result.explanation_s = time.monotonic() - started
    except Exception as error:  # noqa: BLE001 - a failed user is a result to report, not a crash
        result.error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        await page.close()
    return result


async def run_users(url: str, texts: list[str]) -> list[UserResult]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(one_user(browser, url, text) for text in texts))
        finally:
            await browser.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency_rows(label: str, results: list[UserResult]) -> list[str]:
    ok = [r for r in results if r.error is None]
    rows = [f"| {label}: users that got prediction and explanation | {len(ok)} / {len(results)} |"]
    for name, values in (
        ("prediction", [r.prediction_s for r in ok]),
        ("prediction + explanation", [r.explanation_s for r in ok]),
    ):
        if values:
            rows.append(
                f"| {label}: {name} latency p50 / p95 / max (s) | {statistics.median(values):.2f} / "
                f"{percentile(values, 0.95):.2f} / {max(values):.2f} |"
            )
    return rows


def report(
    users: int, alone: list[UserResult], results: list[UserResult], sampler: ServerSampler, wall_s: float, load: float
) -> str:
    lines = [
        "# Browser load test",
        "",
        f"Written by `python -m bench.load --users {users}`: {users} headless Chromium pages at once against one "
        "`streamlit run`, each with its own test text; Probe (predicted class), then Explain (LIME highlights, "
        "the app's default settings). Latency is from pasting the text.",
        "",
        "| measure | value |",
        "|---|---:|",
        *latency_rows("1 user alone", alone),
        *latency_rows(f"{users} users at once", results),
    ]
    if sampler.cpu:
        lines.append(
            f"| server CPU, mean / max (% of one core) | {statistics.mean(sampler.cpu):.0f} / {max(sampler.cpu):.0f} |"
        )
        lines.append(f"| server resident memory, max (MB) | {max(sampler.rss_mb):.0f} |")
    lines.append(f"| wall time of the {users} users (s) | {wall_s:.1f} |")
    errors = [r.error for r in (*alone, *results) if r.error]
    if errors:
        lines += ["", "Errors:", *(f"- {e}" for e in errors)]
    lines += [
        "",
        f"Machine: {psutil.cpu_count()} cores, shared by the server and the {users} Chromium pages; "
        f"1-minute load average before the run {load:.2f}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--out", default=str(REPORT))
    args = parser.parse_args(argv)
    texts = read_csv(TEST_PATH).texts[100 : 101 + args.users]  # the extra one is the lone baseline
    with tempfile.TemporaryFile() as log, streamlit_app(log) as server:
        load = psutil.getloadavg()[0]
        with ServerSampler(server.process.pid) as sampler:
            alone = asyncio.run(asyncio.wait_for(run_users(server.url, texts[-1:]), timeout=TIMEOUT_S))
            started = time.monotonic()
            results = asyncio.run(asyncio.wait_for(run_users(server.url, texts[:-1]), timeout=5 * TIMEOUT_S))
            wall = time.monotonic() - started
        text = report(args.users, alone, results, sampler, wall, load)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(r.error is None for r in (*alone, *results)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
