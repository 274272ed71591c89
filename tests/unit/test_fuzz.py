"""Property-based tests (Hypothesis) on arbitrary text and bytes: the tokenizer's spans, every prediction
and explanation path, and the CSV reader. The tokenizer itself: tests/unit/core/test_text.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnclf import load_classifier
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.text import _normalize_many, build_vocab, token_spans, tokenize, tokenize_many
from rnnclf.explain.lime import explain
from rnnclf.scoring.batch import BatchError, read_table

# Any code point, lone surrogates included (Python strings may hold them), plus what the rules act on and
# characters that lower-case into several (İ) or depending on their neighbours (Σ).
RULE_PIECES = ["'", '"', ".", "<br />", "<BR />", "<br", "/>", ",", "(", ")", "!", "?", ";", ":", " ", "\t", "\n"]
ODD_PIECES = ["\u0130", "\u03a3", "\u0391", "\u0301", "\x00", "\x1c", "\x85", "\u2028", "\u3000", "\ud800", "ß", "ﬁ"]
PIECES = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from(RULE_PIECES + ODD_PIECES),
    st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)
# The same but for what Arrow cannot hold or the batch tokenizer uses as its separator.
ARROW_TEXTS = st.lists(
    st.one_of(
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
        st.sampled_from([p for p in RULE_PIECES + ODD_PIECES if p not in ("\x00", "\ud800")]),
        st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
    ),
    max_size=40,
).map("".join)


@given(st.lists(TEXTS, max_size=6), st.none() | st.integers(1, 5))
def test_a_batch_tokenizes_as_each_text_alone(texts: list[str], max_tokens: int | None):
    assert tokenize_many(texts, max_tokens) == [tokenize(text)[:max_tokens] for text in texts]


@given(st.lists(ARROW_TEXTS, min_size=1, max_size=6), st.integers(1, 5))
def test_arrow_encodes_a_batch_as_python_does(texts: list[str], max_tokens: int):
    """`Vocab.encode_texts`'s large-batch path, on any batch it takes (tests/unit/core/test_text.py: the others)."""
    vocab = build_vocab(tokenize(text) for text in texts[::2])  # the other texts bring unknown words
    ids, lengths = vocab._encode_by_arrow(_normalize_many(texts), max_tokens)
    expected_ids, expected_lengths = vocab.encode(tokenize_many(texts, max_tokens), max_tokens)
    assert np.array_equal(ids, expected_ids) and np.array_equal(lengths, expected_lengths)


@given(TEXTS)
def test_token_spans_cut_the_text_into_its_tokens(text: str):
    spans = token_spans(text)
    tokens = tokenize(text)
    assert len(spans) == len(tokens)
    previous_end = 0
    for (start, end), token in zip(spans, tokens):
        assert previous_end <= start < end <= len(text)
        # Python lower-cases Σ by its neighbours (final sigma), so a span read alone may differ there only.
        alone = "".join(tokenize(text[start:end]))
        assert alone.replace("ς", "σ") == token.replace("ς", "σ"), (text[start:end], token)
        previous_end = end


@pytest.fixture(scope="module", params=["tiny", "tfidf_lr"])
def classifier(request, tiny_checkpoint):
    """One model of each family: the tiny recurrent checkpoint and the shipped TF-IDF baseline."""
    return load_classifier(tiny_checkpoint if request.param == "tiny" else CHECKPOINT_DIR / request.param)


def assert_distributions(probabilities: np.ndarray, rows: int) -> None:
    assert probabilities.shape == (rows, 4)
    assert np.isfinite(probabilities).all() and (probabilities >= 0).all()
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


@given(texts=st.lists(TEXTS, min_size=1, max_size=4))
def test_predictions_are_distributions(classifier, texts: list[str]):
    probabilities = classifier.predict_proba(texts)
    assert_distributions(probabilities, len(texts))
    tokens = [tokenize(t) for t in texts]
    assert np.allclose(classifier.predict_proba_tokens(tokens), probabilities, atol=1e-6)
    keep = np.random.default_rng(len(texts)).random((3, len(tokens[0]))) < 0.5
    masked = classifier.predict_proba_masked(tokens[0], keep)
    assert_distributions(masked, 3)
    expected = classifier.predict_proba_tokens([[t for t, k in zip(tokens[0], row) if k] for row in keep])
    assert np.allclose(masked, expected, atol=1e-6)


@given(text=TEXTS, label=st.none() | st.integers(0, 3))
def test_explanations_are_defined(classifier, text: str, label: int | None):
    if not tokenize(text):
        with pytest.raises(ValueError):
            explain(classifier, text, label=label, num_samples=40, num_features=4)
        return
    explanation = explain(classifier, text, label=label, num_samples=40, num_features=4)
    whole = classifier.predict_proba([text])[0]
    assert 0 <= explanation.probability <= 1
    assert abs(explanation.probability - whole[explanation.label]) < 1e-5  # what LIME saw is the text itself
    assert all(np.isfinite(w) for _, w in explanation.top)
    assert np.isfinite([explanation.intercept, explanation.local_pred]).all()
    assert "".join(piece.text for piece in explanation.pieces) == text


CSV_PIECES = st.one_of(
    st.binary(max_size=8), st.sampled_from([b",", b'"', b"\n", b"\r", b"\r\n", b"text", b"\xef\xbb\xbf"])
)


@given(st.lists(CSV_PIECES, max_size=30).map(b"".join))
def test_the_csv_reader_refuses_only_with_its_own_error(data: bytes):
    try:
        frame = read_table(data)
    except BatchError as error:
        assert str(error)
        return
    assert len(frame) >= 1 and all(isinstance(v, str) for v in frame.to_numpy().ravel())
