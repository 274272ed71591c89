"""Names and messages from checkpoint files, made inert before they go into Markdown elements.

Streamlit renders Markdown (and LaTeX, colour directives, emoji shortcodes) in titles, alerts and
captions; a folder named `approach_1_` or a path with `$` must still show as written. User text never
goes through Markdown at all (see highlight.py and the text area).
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&=\"'])")


def literal(text: str) -> str:
    """Backslash-escape every Markdown punctuation character (CommonMark allows it for all of them)."""
    return _SPECIAL.sub(r"\\\1", str(text))
