"""Word removal and replacement, the diff, and the flip search: flips are real (re-scored) and minimal."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnclf import load_classifier
from rnnclf.core.text import token_spans, tokenize
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.explain.counterfactual import diff, flip_search, remove, remove_all, replace, words
from rnnclf.explain.words import MAX_CHARS

SPLIT = read_csv(TEST_PATH)
TEXTS = SPLIT.texts[:40:2]


@pytest.fixture(scope="module")
def classifier():
    return load_classifier("approach2")


@pytest.fixture(scope="module")
def baseline():
    return load_classifier("tfidf_lr")


def _label(classifier, text: str) -> int:
    return int(classifier.predict_proba([text])[0].argmax())


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SPLIT.texts[:500]), st.data())
def test_removing_a_word_removes_exactly_its_tokens(text: str, data) -> None:
    word = data.draw(st.sampled_from(words(text)))
    spans = token_spans(text)
    expected = [t for s, e in spans if text[s:e] != word for t in tokenize(text[s:e])]
    assert tokenize(remove_all(text, {word})) == expected
    assert tokenize(remove(text, word)) == expected


def test_one_occurrence_or_every_occurrence() -> None:
    text = "Oil rises. Oil falls. Oil, again."
    assert remove(text, "Oil") == "rises. falls. , again."
    assert remove(text, "Oil", 1) == "Oil rises. falls. Oil, again."
    assert replace(text, "Oil", "Gold", 2) == "Oil rises. Oil falls. Gold, again."
    assert replace(text, "Oil", "Gold") == "Gold rises. Gold falls. Gold, again."
    assert replace(text, "Oil", "  ", 0) == remove(text, "Oil", 0)  # a blank replacement removes


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80))
def test_diff_rebuilds_both_texts(original: str, edited: str) -> None:
    pieces = diff(original, edited)
    assert "".join(p.text for p in pieces if p.kind != "inserted") == original
    assert "".join(p.text for p in pieces if p.kind != "removed") == edited


def _single_flips(classifier, text: str) -> list[str]:
    """Brute force: every word whose removal alone changes the predicted class, scored as text."""
    label = _label(classifier, text)
    return [w for w in dict.fromkeys(words(text)) if _label(classifier, remove_all(text, {w})) != label]


@pytest.mark.parametrize("which", ["classifier", "baseline"])
def test_flips_really_flip_and_are_minimal(which: str, request) -> None:
    model = request.getfixturevalue(which)
    found = 0
    for text in TEXTS:
        flip = flip_search(model, text, max_removed=3)
        label = _label(model, text)
        assert flip.label == label
        singles = _single_flips(model, text)
        if not flip.found:
            assert not singles, "a single word flips, yet the search found nothing"
            continue
        found += 1
        assert flip.text == remove_all(text, set(flip.removed))
        rescored = model.predict_proba([flip.text])[0]
        assert int(rescored.argmax()) == flip.new_label != label
        assert flip.new_probability == pytest.approx(float(rescored.max()))
        assert 1 <= len(flip.removed) <= 3
        assert (len(flip.removed) == 1) == bool(singles)
        if len(flip.removed) == 1:
            assert flip.removed[0] in singles
    assert found, "no flip at all on these texts: the test checks nothing"


def test_flip_search_refuses_what_it_cannot_search(classifier) -> None:
    for text in ("", "   \n", "!!! ;;; ::"):
        if not tokenize(text):
            with pytest.raises(ValueError):
                flip_search(classifier, text)
    with pytest.raises(ValueError, match="characters"):
        flip_search(classifier, "Stocks rally as oil slides. " * 35_715)
    assert MAX_CHARS < 1_000_000


def test_flip_search_on_markup_is_plain_text(baseline) -> None:
    text = "<script>alert(1)</script> Shares of Google fell after earnings **missed** $x$ forecasts"
    flip = flip_search(baseline, text)
    if flip.found:
        assert np.argmax(baseline.predict_proba([flip.text])[0]) != flip.label
    assert flip.label == _label(baseline, text)


def test_flip_search_scores_the_tokens_of_the_text_itself(baseline) -> None:
    """Lower-casing reads neighbours: a capital sigma is final ("ς") after a cased letter and an apostrophe,
    but not alone ("σ"); and "ΑΣ" before "'Σ" keeps its "σ". The masks must hold the text's own tokens."""
    text = "Greek lender ΑΣ'Σ shares fell as oil prices rose"
    word_by_word = [t for s, e in token_spans(text) for t in tokenize(text[s:e])]
    assert word_by_word != tokenize(text)  # else this test would check nothing
    with mock.patch.object(baseline, "predict_proba_masked", wraps=baseline.predict_proba_masked) as masked:
        flip_search(baseline, text, max_removed=2)
    assert masked.call_args_list, "the search scored no masks"
    for call in masked.call_args_list:
        assert list(call.args[0]) == tokenize(text)
