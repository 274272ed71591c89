"""Settings of the server process, made once by streamlit_app.py before its first page: torch's threads
(see rnnclf.core.runtime) and glibc's malloc arenas."""

from __future__ import annotations

import ctypes
import functools
import os

from rnnclf.core.runtime import configure_threads

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def limit_malloc_arenas(arenas: int | None = None) -> None:
    """Each session's script runs on a thread of its own, and glibc hands threads separate malloc arenas
    (up to eight per core); memory freed across many arenas is seldom returned, so a server that sees
    thousands of sessions keeps growing. `arenas` (default: one per core) keeps the heap compact. Python has
    no binding for mallopt, hence ctypes; without glibc this does nothing (tests/system/test_memory.py)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(M_ARENA_MAX, arenas or os.cpu_count() or 1)


@functools.cache
def configure() -> None:
    """Threads and arenas, once per process: the entrypoint's script runs again on every rerun of every session."""
    configure_threads()
    limit_malloc_arenas()
