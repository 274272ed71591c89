"""Odd and hostile text through the API and the CLI: a defined result every time, never a traceback."""

import json
import subprocess
import sys

import numpy as np
import pytest

from rnnclf import load_classifier
from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.core.text import tokenize
from rnnclf.explain.lime import explain
from rnnclf.explain.words import MAX_WORDS

HOSTILE = {
    "million characters": "Stocks rally as oil slides. " * 35_715,
    "one 10,000-character word": "x" * 10_000,
    "only punctuation": "!!! ??? ... ,,, ((( )))",
    "only digits": "1234567890 42 2004",
    "emoji": "Markets 📈🚀 soar 💰",
    "combining marks": "Ame\u0301lie cafe\u0301 Z\u0335\u0327a\u0336lgo",
    "right-to-left": "الأسهم ترتفع في وول ستريت שלום עולם",
    "cjk": "東京株式市場で日経平均が上昇",
    "control characters": "oil\x00prices\x07rise\x1b[31m red \x7f",
    "lone surrogates": "oil \ud800 prices \udfff rise",
    "script tag": "<script>alert(1)</script> Shares fell",
    "img onerror": "<img src=x onerror=alert(1)> Team wins",
    "javascript link": "[click](javascript:alert(1)) javascript:alert(1)",
    "markdown and latex": "**bold** _it_ $x^2$ :red[alert] # Heading `code`",
    "all unknown words": "qzxv wqrtp zzzyx vbnmq",
}


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return load_classifier(tiny_checkpoint)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_prediction_and_explanation_are_defined(classifier, case):
    text = HOSTILE[case]
    probabilities = classifier.predict_proba([text])
    assert probabilities.shape == (1, 4) and np.isfinite(probabilities).all()
    assert abs(float(probabilities.sum()) - 1) < 1e-5
    if not tokenize(text):
        with pytest.raises(ValueError):
            explain(classifier, text)
        return
    result = explain(classifier, text, num_samples=200)
    assert "".join(p.text for p in result.pieces) == text
    assert 0 < sum(p.weight is not None for p in result.pieces) <= MAX_WORDS
    assert result.unknown_only == (not any(classifier.is_known(t) for t in tokenize(text)))


def test_all_unknown_words_are_flagged(classifier):
    assert explain(classifier, HOSTILE["all unknown words"], num_samples=100).unknown_only


def test_empty_and_whitespace_cannot_be_explained(classifier):
    for text in ("", " ", "\n\t\u00a0"):
        with pytest.raises(ValueError, match="no text"):
            explain(classifier, text)


CLI_TEXTS = {
    "100,000 characters": "Stocks rally as oil slides. " * 3_572,  # one argv string may hold 128 KiB
    "undecodable bytes": b"oil \xff\xfe prices \xed\xa0\x80 rise",  # Python reads them as lone surrogates
    "script tag": HOSTILE["script tag"],
    "right-to-left": HOSTILE["right-to-left"],
    "emoji": HOSTILE["emoji"],
}


@pytest.mark.parametrize("case", sorted(CLI_TEXTS))
def test_cli_predicts_odd_text(tiny_checkpoint, case):
    text = CLI_TEXTS[case]
    result = subprocess.run(
        [sys.executable, "-m", "rnnclf", "predict", "--checkpoint", str(tiny_checkpoint), "--text", text, "--json"],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["label"] in ("World", "Sports", "Business", "Sci/Tech")
