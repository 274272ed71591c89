"""Text to token ids: torchtext's `basic_english` tokenizer and vocabulary, without torchtext.

torchtext is retired and no longer imports with current PyTorch, so its two small rules are
re-implemented here and checked against its own output (tests/unit/core/basic_english_golden.json).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

UNK = "<UNK>"
# From this many texts on, `Vocab.encode_texts` hands splitting and lookup to Arrow (bench/ measures it).
ARROW_BATCH = 2048

# torchtext.data.utils._basic_english_normalize, applied in this order to the lower-cased text. Its
# patterns (r"\'", r"\.", r"<br \/>", ...) are all literal strings but the last, r"\s+" -> " ".
_RULES: tuple[tuple[str, str], ...] = (
    ("'", " '  "),
    ('"', ""),
    (".", " . "),
    ("<br />", " "),
    (",", " , "),
    ("(", " ( "),
    (")", " ) "),
    ("!", " ! "),
    ("?", " ? "),
    (";", " "),
    (":", " "),
)
_COMPILED = (*((re.compile(re.escape(old)), new) for old, new in _RULES), (re.compile(r"\s+"), " "))


def tokenize(text: str) -> list[str]:
    r"""Exactly torchtext's `basic_english`: lower-case, the substitutions above, then split.

    A literal pattern's `re.sub` is `str.replace` (leftmost, non-overlapping), which skips the regex
    engine; and `\s+` -> " " followed by `split()` is `split()` (both use `str.isspace`).
    """
    return _normalize(text).split()


def _normalize(text: str) -> str:
    """Lower-cased, then the literal rules in their order (torchtext's last rule, `\\s+`, is left to `split()`)."""
    line = text.lower()
    for old, new in _RULES:
        if old in line:
            line = line.replace(old, new)
    return line


# Joins a batch for `tokenize_many`. No rule's pattern or replacement holds it, so no match can span two
# texts; it is neither cased nor case-ignorable, so `lower()` (whose only context rule, the Greek final
# sigma, looks across case-ignorable characters to the nearest cased one) cannot see past it.
_SEPARATOR = "\x00"


def tokenize_many(texts: Sequence[str], max_tokens: int | None = None) -> list[list[str]]:
    """`[tokenize(text)[:max_tokens] for text in texts]`, with the rules run once over the whole batch.

    Per-text Python work (a lower-casing and eleven replaces per text, then every token of a long text
    built although the model reads the first `max_tokens`) was most of the cost of scoring raw text.
    """
    if not texts:
        return []
    parts = _normalize_many(texts)
    if parts is None:  # a text holds the separator itself: no shortcut
        return [tokenize(text)[:max_tokens] for text in texts]
    if max_tokens is None:
        return [part.split() for part in parts]
    token_lists = [part.split(None, max_tokens) for part in parts]
    for tokens in token_lists:  # split(None, n) stops after n tokens, leaving the rest as one more item
        del tokens[max_tokens:]
    return token_lists


def _normalize_many(texts: Sequence[str]) -> list[str] | None:
    """`[_normalize(text) for text in texts]` in one pass over the joined batch; None if a text holds the separator."""
    line = _SEPARATOR.join(texts)
    if line.count(_SEPARATOR) != len(texts) - 1:
        return None
    return _normalize(line).split(_SEPARATOR)


def tokenize_by_regex(text: str) -> list[str]:
    """torchtext's own code path, one regex substitution per rule: what the tutorial runs (bench/ times it)."""
    line = text.lower()
    for pattern, replacement in _COMPILED:
        line = pattern.sub(replacement, line)
    return line.split()


def token_spans(text: str) -> list[tuple[int, int]]:
    """Where each model token comes from in the raw text, as (start, end) character offsets.

    The same rules as `tokenize`, replayed on (character, raw offset) pairs, so a span is a
    substring of the original, case preserved: LIME explains exactly the words the model reads.
    A quote deleted inside a word ("ab\"cd" -> "abcd") stays inside that word's span.
    """
    chars: list[tuple[str, int]] = [(low, i) for i, ch in enumerate(text) for low in ch.lower()]
    for pattern, replacement in _COMPILED:
        line = "".join(c for c, _ in chars)
        rebuilt: list[tuple[str, int]] = []
        last = 0
        for match in pattern.finditer(line):
            rebuilt.extend(chars[last : match.start()])
            # A kept symbol (the "." of " . ") remembers the offset of the text it replaced.
            rebuilt.extend((c, chars[match.start()][1]) for c in replacement)
            last = match.end()
        rebuilt.extend(chars[last:])
        chars = rebuilt
    spans: list[tuple[int, int]] = []
    current: list[int] = []
    for c, offset in [*chars, (" ", -1)]:
        if not c.isspace():
            current.append(offset)
        elif current:
            spans.append((min(current), max(current) + 1))
            current = []
    return spans


def padded(flat: np.ndarray, lengths: np.ndarray, max_tokens: int) -> np.ndarray:
    """Rows of `max_tokens` ids, right-padded with 0, from each row's ids laid end to end in `flat`."""
    ids = np.zeros((len(lengths), max_tokens), dtype=np.int64)
    # One scatter: a row-major mask fills each row's first `length` cells in order.
    ids[np.arange(max_tokens) < lengths[:, None]] = flat
    return ids


class _IdOrUnknown(dict):
    """token -> id, where an unknown token reads as 0 (`<UNK>`) without being added."""

    def __missing__(self, token: str) -> int:
        return 0


class Vocab:
    """Token <-> id, like torchtext's `build_vocab_from_iterator(min_freq=1, specials=["<UNK>"])`.

    Index 0 is `<UNK>`; it is also the padding id, as in the tutorial.
    """

    def __init__(self, itos: Sequence[str]):
        if not itos or itos[0] != UNK:
            raise ValueError(f"a vocabulary must start with {UNK}")
        self.itos = list(itos)
        self.stoi = _IdOrUnknown((token, i) for i, token in enumerate(self.itos))
        if len(self.stoi) != len(self.itos):
            raise ValueError("a vocabulary must not repeat a token")

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def lookup(self, tokens: Iterable[str]) -> list[int]:
        return list(map(self.stoi.__getitem__, tokens))

    def encode(self, token_lists: Sequence[Sequence[str]], max_tokens: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids right-padded with 0 or truncated to `max_tokens`, and each row's real length."""
        kept = token_lists
        if token_lists and max(map(len, token_lists)) > max_tokens:
            kept = [tokens[:max_tokens] for tokens in token_lists]
        lengths = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept))
        flat = map(self.stoi.__getitem__, chain.from_iterable(kept))
        return padded(np.fromiter(flat, dtype=np.int64, count=int(lengths.sum())), lengths, max_tokens), lengths

    def encode_texts(self, texts: Sequence[str], max_tokens: int) -> tuple[np.ndarray, np.ndarray]:
        """`encode(tokenize_many(texts, max_tokens), max_tokens)`, the same arrays.

        Making, hashing and looking up a Python string per token was most of the cost of scoring raw
        text with a small model; a large batch is split and looked up by Arrow's kernels instead.
        """
        if len(texts) >= ARROW_BATCH:
            parts = _normalize_many(texts)
            if parts is not None:
                try:
                    return self._encode_by_arrow(parts, max_tokens)
                except UnicodeEncodeError:  # a lone surrogate: Arrow strings are valid UTF-8
                    pass
        return self.encode(tokenize_many(texts, max_tokens), max_tokens)

    def _encode_by_arrow(self, normalized: list[str], max_tokens: int) -> tuple[np.ndarray, np.ndarray]:
        """`encode_texts` of texts already through `_normalize`: what remains is `split()` and the lookup.

        Arrow's UTF-8 whitespace is `str.isspace()` on every code point (tests check them all). Its
        split makes an empty token of leading or trailing whitespace, so texts are trimmed first, and
        an empty text is a null (no tokens) rather than one empty token.
        """
        import pyarrow as pa  # only here: large batches
        import pyarrow.compute as pc

        text = pc.utf8_trim_whitespace(pa.array(normalized, pa.large_string()))
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)
        token_lists = pc.list_slice(pc.utf8_split_whitespace(text, max_splits=max_tokens), 0, max_tokens)
        lengths = pc.list_value_length(token_lists).fill_null(0).to_numpy().astype(np.int64)
        # index_in hashes the whole vocabulary on every call: why small batches stay in Python.
        flat = pc.index_in(pc.list_flatten(token_lists), value_set=self._arrow_itos).fill_null(0)
        return padded(flat.to_numpy(), lengths, max_tokens), lengths

    @cached_property
    def _arrow_itos(self) -> pa.Array:
        import pyarrow as pa

        return pa.array(self.itos, pa.large_string())

    def to_json(self) -> str:
        return json.dumps(self.itos, ensure_ascii=False)

    def sha256(self) -> str:
        """The hash of the saved file's bytes: checkpoints name their vocabulary by it."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, data: str | bytes) -> Vocab:
        """The vocabulary saved by `to_json` (a JSON list in id order)."""
        itos = json.loads(data)
        if not isinstance(itos, list) or not all(isinstance(t, str) for t in itos):
            raise ValueError("a vocabulary file holds a JSON list of strings")
        return cls(itos)


def build_vocab(token_lists: Iterable[Sequence[str]], min_freq: int = 1) -> Vocab:
    """Most frequent first, ties alphabetical, `<UNK>` at 0: torchtext's order."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    counts.pop(UNK, None)
    ordered = sorted(counts.items(), key=lambda item: item[0])
    ordered.sort(key=lambda item: item[1], reverse=True)
    return Vocab([UNK] + [token for token, n in ordered if n >= min_freq])
