"""Names and messages from checkpoint files, made inert before they go into Markdown elements.

Streamlit renders Markdown (and LaTeX, colour directives, emoji shortcodes) in titles, alerts and
captions; a folder named `approach_1_` or a path with `$` must still show as written. User text never
goes through Markdown at all (see highlight.py and the text area). The escaping itself is shared with
the Markdown reports (`rnnclf.markdown`).
"""

from __future__ import annotations

from rnnclf.core.markdown import literal

__all__ = ["literal"]
