"""A `streamlit run` of the app on a free local port, and the Chromium that visits it.

Shared by the benchmark's app step, the browser load test and the browser tests, so all three start,
wait for and stop the server the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rnnclf.core.paths import PROJECT_ROOT

# Debian's Chromium (Playwright's own browser download does not work here); RNNCLF_CHROMIUM names another.
CHROMIUM = Path(os.environ.get("RNNCLF_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
APP = PROJECT_ROOT / "streamlit_app.py"
TIMEOUT_S = 120


@dataclass(frozen=True)
class AppServer:
    url: str
    process: subprocess.Popen
    started: float  # time.monotonic() just before the process was launched


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, deadline: float) -> None:
    """Return once /_stcore/health answers; raise if the server dies or the deadline passes."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310 - our own http URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"streamlit was not healthy within {TIMEOUT_S} s")


@contextmanager
def streamlit_app(log: IO, timeout_s: float = TIMEOUT_S) -> Iterator[AppServer]:
    """The app served on 127.0.0.1 (its output into `log`), healthy on entry, always stopped on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, started + timeout_s)
        yield AppServer(url, process, started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
