"""How stored values and dataset texts are shown to people; never what a model reads or is scored on.

AG News was scraped with its HTML half-escaped: entities lost their `&` to a space (`world #39;s`, ` quot;`), markup stayed
escaped (`&lt;b&gt;`), and `\\` marks a line break. Lists and captions show a readable version; the
text box, the links and the models always get the exact stored text.
"""

from __future__ import annotations

import html
import re

MISSING = "–"  # shown for a value a checkpoint does not have (no tutorial figure, no epochs)
NOTE = (
    "Texts are shown tidied (HTML entities decoded, line-break marks removed); the models read them exactly as stored."
)

# The scrape turned the `&` of an entity into a space: "world&#39;s" reads "world #39;s".
_BARE_ENTITY = re.compile(r"(?:\s|(?<![&\w]))(#\d{1,5}|quot|amp|lt|gt|nbsp|hellip|apos);")
_MARKUP = re.compile(r"</?(?:b|i|p|br|em|strong|font|a|img)\b[^<>]{0,300}>", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"\s*\\+\s*")
_SPACES = re.compile(r"\s{2,}")


def readable(text: str) -> str:
    """`text` as a reader expects it: entities decoded, formatting tags and line-break marks gone.

    Tickers such as `&lt;TXN.N&gt;` become `<TXN.N>`; only formatting tags are removed.
    """
    text = html.unescape(_BARE_ENTITY.sub(r"&\1;", text))
    text = _MARKUP.sub(" ", text)
    return _SPACES.sub(" ", _LINE_BREAKS.sub(" ", text)).strip()
