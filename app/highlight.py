"""LIME weights as highlighted text: safe HTML built from escaped pieces, for `st.html`.

User text never reaches the page as markup: every piece and every tooltip goes through
`html.escape`, and `st.html` does no Markdown processing, so `<script>`, `**bold**` or `$x$` show
literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from rnnclf.explain.words import Piece
from rnnclf.reporting.style import AGAINST, TOWARD

MIN_ALPHA, MAX_ALPHA = 0.15, 0.85

BOX_STYLE = (
    "font-size:1.02rem;line-height:2.1;word-spacing:.12rem;white-space:pre-wrap;overflow-wrap:anywhere;"
    "max-height:22rem;overflow-y:auto;padding:.75rem 1rem;border:1px solid rgba(128,128,128,.3);border-radius:.5rem"
)
SWATCH_STYLE = (
    "display:inline-block;width:.9rem;height:.9rem;border-radius:.2rem;vertical-align:-.1rem;margin-right:.3rem"
)
TINT_STYLE = "border-radius:.25rem;padding:.1rem .08rem"  # hugs the word: no extra gap before punctuation
FADED = "opacity:.4"  # outside the model's window: shown, but visibly not read
OUTSIDE_STYLE = FADED + ";text-decoration:underline dotted"


def _word(piece: Piece, scale: float, class_name: str, outside: str) -> str:
    weight = piece.weight or 0.0
    direction = "toward" if weight >= 0 else "against"
    tip = f"{piece.text}: {weight:+.4f} ({direction} {class_name})"
    styles = []
    if weight and scale:
        alpha = MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * abs(weight) / scale
        styles += [TINT_STYLE, f"background:{(TOWARD if weight > 0 else AGAINST).rgba(alpha)}"]
    if not piece.in_window:
        tip += f"; {outside}"
        styles.append(OUTSIDE_STYLE)
    css_class = "lime-word" if weight else "lime-word lime-zero"
    style = f' style="{";".join(styles)}"' if styles else ""
    return (
        f'<span class="{css_class}" data-weight="{weight:.6f}"{style} title="{escape(tip)}">{escape(piece.text)}</span>'
    )


def highlighted_text(pieces: Sequence[Piece], class_name: str, name: str, max_tokens: int | None) -> str:
    """The whole text, each LIME word tinted by its weight for `class_name` (the weight on hover)."""
    scale = max((abs(p.weight) for p in pieces if p.weight), default=0.0)
    outside = f"outside the {max_tokens}-token window of {name}: the model never reads it"
    parts = []
    for piece in pieces:
        if piece.weight is not None:
            parts.append(_word(piece, scale, class_name, outside))
        elif piece.in_window:
            parts.append(escape(piece.text))
        else:
            parts.append(f'<span style="{FADED}">{escape(piece.text)}</span>')
    return f'<div class="lime-text" style="{BOX_STYLE}">{"".join(parts)}</div>'


def legend(class_name: str, max_tokens: int | None, has_outside: bool) -> str:
    """One line explaining the colours, in the same safe HTML."""
    name = escape(class_name)
    items = [
        f'<span style="{SWATCH_STYLE};background:{TOWARD.rgba(0.7)}"></span>toward {name}',
        f'<span style="{SWATCH_STYLE};background:{AGAINST.rgba(0.7)}"></span>against {name}',
    ]
    if has_outside:
        items.append(f'<span style="{OUTSIDE_STYLE}">faded</span>: beyond the first {max_tokens} tokens, never read')
    items.append('<span style="opacity:.7">deeper colour = larger weight · hover a word for its weight</span>')
    return f'<div style="font-size:.85rem;margin:.2rem 0 .4rem">{" &nbsp;·&nbsp; ".join(items)}</div>'
