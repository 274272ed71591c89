"""Names and texts made inert before they go into Markdown (the app's elements, the reports).

Markdown renderers (Streamlit's too: LaTeX, colour directives, emoji shortcodes) would otherwise turn
a folder named `approach_1_`, a path with `$` or a news text with `|` into markup.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&=\"'])")


def literal(text: str) -> str:
    """Backslash-escape every Markdown punctuation character (CommonMark allows it for all of them)."""
    return _SPECIAL.sub(r"\\\1", str(text))
