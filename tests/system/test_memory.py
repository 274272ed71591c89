"""The app caps glibc's malloc arenas: session threads then share a few heaps instead of one each."""

from __future__ import annotations

import subprocess
import sys

from rnnclf.core.paths import PROJECT_ROOT as ROOT

# Eight threads allocate, then glibc's malloc_info lists the heaps (one <heap nr=...> per arena).
COUNT_HEAPS = """
import ctypes, os, sys, tempfile, threading
sys.path.insert(0, {root!r})
if {capped}:
    from app.process import limit_malloc_arenas
    limit_malloc_arenas(2)
together = threading.Barrier(8)
def work():
    together.wait()  # all eight alive at once, as sessions are: no thread inherits a finished one's arena
    kept = [bytearray(1000) for _ in range(1000)]
    together.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
path = tempfile.mktemp()
handle = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(handle))
libc.fclose(ctypes.c_void_p(handle))
print(open(path).read().count("<heap nr="))
os.remove(path)
"""


def heaps(capped: bool) -> int:
    code = COUNT_HEAPS.format(root=str(ROOT), capped=capped)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return int(result.stdout.strip())


def test_threads_share_the_capped_number_of_arenas():
    assert heaps(capped=True) <= 2 < heaps(capped=False)
