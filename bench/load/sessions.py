"""Load tests against one `streamlit run`: headless Chromium pages, or protocol-level sessions.

`python -m bench.load [--users 8]` writes its section of reports/loadtest.md. Each page is one user: it opens the
app, pastes its own test text, waits for the predicted class (Probe), then opens Explain and waits
for the LIME highlights. Latencies run from pasting the text. A single user goes first, alone (the
baseline, which also loads the models), then all users at once; the server's CPU and resident
memory are sampled throughout. Not part of the test suite: it takes a minute and wants a quiet machine.

`python -m bench.load --protocol --users 50` does the same with sessions that speak Streamlit's
websocket protocol (bench/load/protocol.py), so no browser shares the cores; `--soak 600` then keeps
`--users` sessions opening and closing for ten minutes and reports how the server's memory grows.
Each writes its own section of the report, beside the others.
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

from bench.lib.server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_S, streamlit_app
from rnnclf.core.paths import PROJECT_ROOT
from rnnclf.data.dataset import TEST_PATH, read_csv

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
        self.at_s: list[float] = []  # when each sample was taken, from the start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.process.cpu_percent()
        started = time.monotonic()
        while not self._stop.wait(0.5):
            self.cpu.append(self.process.cpu_percent())
            self.rss_mb.append(self.process.memory_info().rss / 2**20)
            self.at_s.append(time.monotonic() - started)

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


def latencies(results: list[UserResult]) -> list[tuple[str, list[float]]]:
    """The successful users' seconds to the prediction and to the explanation."""
    ok = [r for r in results if r.error is None]
    return [("prediction", [r.prediction_s for r in ok]), ("prediction + explanation", [r.explanation_s for r in ok])]


def latency_rows(label: str, results: list[UserResult]) -> list[str]:
    ok = [r for r in results if r.error is None]
    rows = [f"| {label}: users that got prediction and explanation | {len(ok)} / {len(results)} |"]
    for name, values in latencies(results):
        if values:
            rows.append(
                f"| {label}: {name} latency p50 / p95 / max (s) | {statistics.median(values):.2f} / "
                f"{percentile(values, 0.95):.2f} / {max(values):.2f} |"
            )
    return rows


BROWSER_INTRO = (
    "# Browser load test\n\nWritten by `python -m bench.load --users {users}`: {users} headless Chromium pages at once "
    "against one `streamlit run`, each with its own test text; Probe (predicted class), then Explain (LIME "
    "highlights, the app's default settings). Latency is from pasting the text."
)
PROTOCOL_INTRO = (
    "# Protocol load test\n\nWritten by `python -m bench.load --protocol --users {users}`: {users} sessions at once "
    "against one `streamlit run`, speaking Streamlit's websocket protocol (no browser); each opens Probe with its "
    "own test text in the URL's query string, then Explain (LIME, the app's default settings). Latency is from "
    "the request for the Probe run."
)
GOALS = {"prediction": 1.5, "prediction + explanation": 8.0}  # p95 seconds, protocol run
GOAL_RSS_MB = 1024


def report(
    users: int,
    alone: list[UserResult],
    results: list[UserResult],
    sampler: ServerSampler,
    wall_s: float,
    load: float,
    intro: str = BROWSER_INTRO,
) -> str:
    lines = [
        intro.format(users=users),
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
    if intro is PROTOCOL_INTRO:
        lines += ["", *goal_lines(results, sampler)]
    errors = [r.error for r in (*alone, *results) if r.error]
    if errors:
        lines += ["", "Errors:", *(f"- {e}" for e in errors)]
    lines += [
        "",
        f"Machine: {psutil.cpu_count()} cores, shared by the server and the {users} clients; "
        f"1-minute load average before the run {load:.2f}.",
    ]
    return "\n".join(lines) + "\n"


def goal_lines(results: list[UserResult], sampler: ServerSampler) -> list[str]:
    """Each goal of the protocol run, met or not."""
    ok = [r for r in results if r.error is None]
    lines = [f"- Goal: no errors: {'met' if len(ok) == len(results) else '**missed**'}."]
    for name, values in latencies(results):
        if values:
            p95 = percentile(values, 0.95)
            lines.append(
                f"- Goal: p95 {name} <= {GOALS[name]:g} s: {'met' if p95 <= GOALS[name] else '**missed**'} ({p95:.2f} s)."
            )
    if sampler.rss_mb:
        peak = max(sampler.rss_mb)
        lines.append(
            f"- Goal: server memory <= {GOAL_RSS_MB:,} MB: {'met' if peak <= GOAL_RSS_MB else '**missed**'} ({peak:.0f} MB)."
        )
    return lines


def write_section(path: Path, text: str) -> None:
    """Put `text` (which starts with a `# title` line) in the report, replacing that title's section."""
    title = text.splitlines()[0]
    sections = path.read_text(encoding="utf-8").split("\n# ") if path.exists() else []
    sections = [s if i == 0 else "# " + s for i, s in enumerate(sections)]
    kept = [s.rstrip("\n") + "\n" for s in sections if s.strip() and s.splitlines()[0] != title]
    path.write_text("\n".join([*kept, text]), encoding="utf-8")


async def run_sessions(url: str, texts: list[str]) -> list[UserResult]:
    from bench.load.protocol import session

    return await asyncio.gather(*(session(url, text) for text in texts))


async def soak(url: str, texts: list[str], users: int, seconds: float) -> list[UserResult]:
    """`users` sessions at a time, each closed and replaced by the next text until `seconds` pass."""
    from bench.load.protocol import session

    deadline = time.monotonic() + seconds
    results: list[UserResult] = []
    queue = iter(range(10**9))

    async def user() -> None:
        while time.monotonic() < deadline:
            results.append(await session(url, texts[next(queue) % len(texts)]))

    await asyncio.gather(*(user() for _ in range(users)))
    return results


def soak_report(users: int, seconds: float, results: list[UserResult], sampler: ServerSampler, load: float) -> str:
    """Sessions done, their latencies, and the server's memory after the first minute against the end."""
    after_minute = [rss for at, rss in zip(sampler.at_s, sampler.rss_mb) if at >= 60]
    lines = [
        "# Protocol soak test",
        "",
        f"Written by `python -m bench.load --protocol --users {users} --soak {seconds:g}`: {users} protocol sessions "
        f"at a time for {seconds / 60:g} minutes, each closed after its explanation and replaced by a new one with "
        "the next test text.",
        "",
        "| measure | value |",
        "|---|---:|",
        *latency_rows(f"{len(results)} sessions", results),
    ]
    if after_minute:
        first, last, peak = after_minute[0], after_minute[-1], max(after_minute)
        growth = (peak - first) / first
        lines += [
            f"| server resident memory at 1 min / at the end / max after 1 min (MB) | {first:.0f} / {last:.0f} / {peak:.0f} |",
            f"| growth after the first minute (max ÷ 1-minute figure - 1) | {growth:.1%} |",
            "",
            f"- Goal: memory growth after the first minute < 10 %: {'met' if growth < 0.10 else '**missed**'}.",
        ]
    errors = sorted({r.error for r in results if r.error})
    if errors:
        lines += ["", f"Errors ({sum(r.error is not None for r in results)}):", *(f"- {e}" for e in errors)]
    lines += ["", f"Machine: {psutil.cpu_count()} cores; 1-minute load average before the run {load:.2f}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--protocol", action="store_true", help="websocket sessions instead of browsers")
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="with --protocol: sessions opening and closing")
    parser.add_argument("--out", default=str(REPORT))
    args = parser.parse_args(argv)
    if args.soak and not args.protocol:
        parser.error("--soak needs --protocol")
    split = read_csv(TEST_PATH).texts
    texts = split[100 : 101 + args.users]  # the extra one is the lone baseline
    run = run_sessions if args.protocol else run_users
    with tempfile.TemporaryFile() as log, streamlit_app(log) as server:
        load = psutil.getloadavg()[0]
        with ServerSampler(server.process.pid) as sampler:
            alone = asyncio.run(asyncio.wait_for(run(server.url, texts[-1:]), timeout=TIMEOUT_S))
            started = time.monotonic()
            if args.soak:
                results = asyncio.run(soak(server.url, split[100:], args.users, args.soak))
            else:
                results = asyncio.run(asyncio.wait_for(run(server.url, texts[:-1]), timeout=5 * TIMEOUT_S))
            wall = time.monotonic() - started
        if args.soak:
            text = soak_report(args.users, args.soak, results, sampler, load)
        else:
            text = report(
                args.users, alone, results, sampler, wall, load, PROTOCOL_INTRO if args.protocol else BROWSER_INTRO
            )
    write_section(Path(args.out), text)
    print(text)
    return 0 if all(r.error is None for r in (*alone, *results)) else 1
