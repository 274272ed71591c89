import itertools
import json
import re
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnclf.core.text import (
    ARROW_BATCH,
    UNK,
    Vocab,
    build_vocab,
    token_spans,
    tokenize,
    tokenize_by_regex,
    tokenize_many,
)

GOLDEN = json.loads((Path(__file__).parent / "basic_english_golden.json").read_text(encoding="utf-8"))


def test_golden_cases_match_torchtext_exactly():
    assert len(GOLDEN) == 1006
    mismatches = [case["text"] for case in GOLDEN if tokenize(case["text"]) != case["tokens"]]
    assert mismatches == []


@pytest.mark.parametrize("max_tokens", [None, 1, 25])
def test_a_batch_tokenizes_as_each_text_alone(max_tokens):
    texts = [case["text"] for case in GOLDEN]
    assert tokenize_many(texts, max_tokens) == [case["tokens"][:max_tokens] for case in GOLDEN]


def test_batch_neighbours_do_not_change_a_text():
    # A final sigma lower-cases by its neighbours; "<br" + "/>" would join into a rule across texts.
    texts = ["ΑΣ", "ΣΑ", "Σ", "x <br", "/> y", "", "  "]
    assert tokenize_many(texts) == [["ας"], ["σα"], ["σ"], ["x", "<br"], ["/>", "y"], [], []]
    assert tokenize_many(["a\x00b c", "ΑΣ"], 1) == [["a\x00b"], ["ας"]]  # the separator in a text: text by text
    assert tokenize_many([]) == []


def test_tutorial_example():
    assert tokenize("Hello how are you?, Welcome to CoderzColumn!!") == [
        "hello",
        "how",
        "are",
        "you",
        "?",
        ",",
        "welcome",
        "to",
        "coderzcolumn",
        "!",
        "!",
    ]


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("It's", ["it", "'", "s"]),  # \' -> " '  "
        ('say "hi"', ["say", "hi"]),  # \" -> ""
        ('a"b', ["ab"]),  # a deleted quote joins
        ("U.S. economy", ["u", ".", "s", ".", "economy"]),  # \. -> " . "
        ("one<br />two", ["one", "two"]),  # <br /> -> " "
        ('one<b"r />two', ["one", "two"]),  # quotes go before <br /> is matched
        ("a,b", ["a", ",", "b"]),
        ("(x)", ["(", "x", ")"]),
        ("wow!", ["wow", "!"]),
        ("why?", ["why", "?"]),
        ("a;b", ["a", "b"]),  # \; -> " "
        ("a:b", ["a", "b"]),  # \: -> " "
        ("a \t\n  b", ["a", "b"]),  # \s+
        ("Short-sellers, U.S.", ["short-sellers", ",", "u", ".", "s", "."]),
        ("", []),
    ],
)
def test_each_rule(text, tokens):
    assert tokenize(text) == tokens


# torchtext.data.utils._basic_english_normalize, verbatim: the reference the fast `tokenize` must equal.
TORCHTEXT_PATTERNS = [r"\'", r"\"", r"\.", r"<br \/>", r",", r"\(", r"\)", r"\!", r"\?", r"\;", r"\:", r"\s+"]
TORCHTEXT_REPLACEMENTS = [" '  ", "", " . ", " ", " , ", " ( ", " ) ", " ! ", " ? ", " ", " ", " "]


def torchtext_basic_english(line: str) -> list[str]:
    line = line.lower()
    for pattern, replacement in zip(TORCHTEXT_PATTERNS, TORCHTEXT_REPLACEMENTS):
        line = re.compile(pattern).sub(replacement, line)
    return line.split()


# Pieces that make the rules meet each other (`<b"r />`, `<br" />`, `<br;/>`): every string of up to
# three of them is checked, and Hypothesis adds any Unicode around them.
PIECES = ["<br />", "<br", "<", "b", "r", " />", "/>", *"'\".,()!?;:", "\t", "\u00a0", "\u2028", "İ", "Ab"]


def test_tokenize_equals_torchtext_regexes_on_every_short_mix_of_rule_characters():
    texts = ["".join(p) for n in range(4) for p in itertools.product(PIECES, repeat=n)]
    assert [t for t in texts if tokenize(t) != torchtext_basic_english(t)] == []
    assert [t for t in texts if tokenize_by_regex(t) != torchtext_basic_english(t)] == []


@given(st.lists(st.sampled_from(PIECES) | st.characters(exclude_categories=()), max_size=30).map("".join))
def test_tokenize_equals_torchtext_regexes_on_any_text(text):
    assert tokenize(text) == torchtext_basic_english(text)


def test_spans_are_raw_substrings_that_tokenize_to_the_model_tokens():
    for case in GOLDEN:
        text = case["text"]
        spans = token_spans(text)
        assert [t for s, e in spans for t in tokenize(text[s:e])] == case["tokens"]


def test_spans_preserve_case_and_odd_unicode():
    text = 'The U.S. İstanbul "Quoted" short-sellers a"b'
    pieces = [text[s:e] for s, e in token_spans(text)]
    assert pieces == ["The", "U", ".", "S", ".", "İstanbul", "Quoted", "short-sellers", 'a"b']


def test_vocab_order_is_frequency_then_alphabetical_with_unk_first():
    vocab = build_vocab([["b", "a", "c"], ["c", "b"], ["c", "d"], [UNK.lower()]])
    assert vocab.itos == [UNK, "c", "b", "<unk>", "a", "d"]  # '<' sorts before 'a'
    assert vocab.lookup(["c", "never-seen"]) == [1, 0]


def test_vocab_min_freq_and_encode_pads_and_truncates():
    vocab = build_vocab([["x", "x", "y"]], min_freq=2)
    assert vocab.itos == [UNK, "x"]
    ids, lengths = vocab.encode([["x"], ["x", "y", "x", "x"]], max_tokens=3)
    assert ids.tolist() == [[1, 0, 0], [1, 0, 1]]
    assert lengths.tolist() == [1, 3]


def test_vocab_round_trip():
    vocab = build_vocab([["é", "日本", "a\\b"]])
    assert Vocab.from_json(vocab.to_json()).itos == vocab.itos
    with pytest.raises(ValueError):
        Vocab(["a"])


def test_arrow_whitespace_is_python_whitespace_on_every_code_point():
    """`Vocab.encode_texts` lets Arrow split large batches: its trim and split must see `str.isspace()`."""
    code_points = [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]  # UTF-8 has none
    split = pc.utf8_split_whitespace(pa.array([f"a{c}b" for c in code_points])).to_pylist()
    trimmed = pc.utf8_trim_whitespace(pa.array([f"{c}a{c}" for c in code_points])).to_pylist()
    assert [c for c, s in zip(code_points, split) if s != f"a{c}b".split()] == []
    assert [c for c, t in zip(code_points, trimmed) if t != f"{c}a{c}".strip()] == []


@pytest.mark.parametrize("max_tokens", [1, 25, 400])
def test_a_large_batch_encodes_like_its_token_lists(max_tokens):
    vocab = build_vocab(tokenize(case["text"]) for case in GOLDEN[::2])  # the other half brings unknown words
    edges = ["", " \u3000\t ", "x", "\x1cA b\x1c", " ΑΣ ", "<br />", '"" ; :']
    texts = ([case["text"] for case in GOLDEN] + edges) * 3
    assert len(texts) >= ARROW_BATCH
    expected = vocab.encode(tokenize_many(texts, max_tokens), max_tokens)
    real = Vocab._encode_by_arrow
    with mock.patch.object(Vocab, "_encode_by_arrow", autospec=True, side_effect=real) as arrow:
        assert_same_ids(vocab.encode_texts(texts, max_tokens), expected)
        assert arrow.call_count == 1
        assert_same_ids(vocab.encode_texts(texts[:10], max_tokens), (expected[0][:10], expected[1][:10]))
        assert arrow.call_count == 1  # a small batch stays in Python


@pytest.mark.parametrize("odd", ["a\x00b", "a\ud800b"])
def test_a_large_batch_arrow_cannot_hold_falls_back_to_python(odd):
    """The separator inside a text, or a lone surrogate (not UTF-8): the same ids, by the Python path."""
    vocab = build_vocab([["a"], ["b"], ["a\x00b"]])
    texts = ["a b", odd] * ARROW_BATCH
    assert_same_ids(vocab.encode_texts(texts, 3), vocab.encode([tokenize(text) for text in texts], 3))


def assert_same_ids(got: tuple[np.ndarray, np.ndarray], expected: tuple[np.ndarray, np.ndarray]) -> None:
    assert got[0].dtype == expected[0].dtype and got[1].dtype == expected[1].dtype
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
