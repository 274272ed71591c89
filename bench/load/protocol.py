"""A Streamlit user without a browser: Streamlit's own websocket messages (`streamlit.proto`).

A session connects to `/_stcore/stream` as the browser does and asks for script runs with a
`rerun_script` BackMsg whose query string carries the text (the app's links preload it, see
app/links.py): first the Probe page, then Explain. It reads the ForwardMsgs the server sends: the
prediction is the "Predicted class" metric, the explanation is the LIME highlight (`lime-text`).
Nothing is rendered, so the timings are the server's. No library speaks this protocol for clients
(Streamlit's own AppTest runs the script in-process, without the server), hence this small client.
"""

from __future__ import annotations

import time
import urllib.parse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from bench.load.sessions import UserResult

PROBE, EXPLAIN = "", "explain"  # page names: Probe is the app's default page (URL path "/")
BUSY = "No explanation yet"  # the app's warning when LIME waited too long for a free core


def rerun(page: str, text: str) -> bytes:
    message = BackMsg()
    message.rerun_script.query_string = urllib.parse.urlencode({"text": text})
    message.rerun_script.page_name = page
    return message.SerializeToString()


def _element(message: ForwardMsg) -> tuple[str, object] | None:
    """(kind, proto) of a new element in a delta, e.g. ("metric", Metric)."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return None
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    return (kind, getattr(element, kind)) if kind else None


async def _until_finished(ws, started: float, wanted) -> float | None:
    """Read one script run's messages; the seconds since `started` at the first one `wanted` accepts."""
    seen = None
    while True:
        message = ForwardMsg()
        message.ParseFromString(await ws.recv())
        element = _element(message)
        if element:
            kind, proto = element
            if kind == "exception":
                raise RuntimeError(f"the app raised {proto.type}: {proto.message}")
            if kind == "alert" and BUSY in proto.body:
                raise RuntimeError("the server was busy (LIME waited too long)")
            if seen is None and wanted(kind, proto):
                seen = time.monotonic() - started
        if message.WhichOneof("type") == "script_finished":
            return seen


async def session(url: str, text: str, timeout_s: float = 120) -> UserResult:
    """One user: open a session, Probe with `text` (prediction), then Explain (LIME), then close."""
    result = UserResult()
    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    try:
        async with connect(ws_url, max_size=None, open_timeout=timeout_s, close_timeout=5) as ws:
            started = time.monotonic()
            await ws.send(rerun(PROBE, text))
            result.prediction_s = await _until_finished(
                ws, started, lambda kind, p: kind == "metric" and p.label == "Predicted class" and p.body
            )
            await ws.send(rerun(EXPLAIN, text))
            result.explanation_s = await _until_finished(
                ws, started, lambda kind, p: kind == "html" and 'class="lime-text"' in p.body
            )
        if result.prediction_s is None or result.explanation_s is None:
            result.error = "a run finished without the prediction or the explanation"
    except Exception as error:  # noqa: BLE001 - a failed user is a result to report, not a crash
        result.error = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return result
