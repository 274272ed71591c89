"""The four attribution methods: each checked against an independent computation of what it claims."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from apptest_utils import SHIPPED
from rnnclf import load_classifier
from rnnclf.checkpoints.families import RECURRENT as RECURRENT_KIND
from rnnclf.checkpoints.registry import read_records
from rnnclf.checkpoints.storage import Folder
from rnnclf.cli import main
from rnnclf.core.paths import CHECKPOINT_DIR
from rnnclf.core.text import UNK, tokenize
from rnnclf.explain.faithfulness import Report, measure, ranking, read, removal_counts
from rnnclf.explain.methods import attribute, available, ig_scores, linear_scores, occlusion_scores
from rnnclf.explain.words import MAX_WORDS, Words
from rnnclf.models.recurrent import RecurrentTextClassifier

TEXT = (
    "Oil prices rose on Monday as traders worried about supply, and oil stocks on Wall Street fell "
    "while the Federal Reserve said it would keep interest rates unchanged."
)
RECURRENT = [name for name in SHIPPED if read_records(Folder(CHECKPOINT_DIR / name))[0].kind == RECURRENT_KIND]
HOSTILE = {
    "markup": '<script>alert("x")</script> <b>Oil</b> **prices** $x$ rise',
    "odd unicode": "Ölpreise steigen \u200b\u202e 石油 🚀 e\u0301 prices rise",
    "one word": "oil",
    "huge": "Oil prices rise as markets fall. " * 33_000,  # about 1 MB
}


@pytest.fixture(scope="module")
def tiny(tiny_checkpoint: Path) -> RecurrentTextClassifier:
    return load_classifier(tiny_checkpoint)


@pytest.fixture(scope="module")
def tfidf():
    return load_classifier("tfidf_lr")


@pytest.mark.parametrize("name", RECURRENT)
def test_integrated_gradients_is_complete_on_every_recurrent_checkpoint(name: str) -> None:
    """Sum of word attributions = P(text) - P(all <UNK>), up to the integral's error, which Captum reports."""
    classifier = load_classifier(name)
    words = Words.of(TEXT)
    read_tokens = list(words.tokens[: classifier.max_tokens])
    p = classifier.predict_proba_tokens([read_tokens, [UNK] * len(read_tokens)])
    label = int(p[0].argmax())
    gap = p[0, label] - p[1, label]
    coarse = ig_scores(classifier, words, label)
    assert coarse.values.sum() - gap == pytest.approx(coarse.delta, abs=1e-4)  # every token reaches a word
    fine = ig_scores(classifier, words, label, steps=300)
    assert abs(fine.values.sum() - gap) <= 0.005  # stated tolerance: half a percentage point at 300 steps


def test_occlusion_equals_removing_each_word_by_hand(tiny, tfidf) -> None:
    for classifier in (tiny, tfidf):
        words = Words.of(TEXT)
        spans = [TEXT[s:e] for s, e in words.spans]  # one token each
        tokens = tokenize(TEXT)
        full = classifier.predict_proba_tokens([tokens])[0]
        label = int(full.argmax())
        expected = []
        for feature in words.features:  # every occurrence goes: "oil" and "Oil" are different words
            without = [t for t, w in zip(tokens, spans, strict=True) if w != feature]
            expected.append(full[label] - classifier.predict_proba_tokens([without])[0, label])
        assert np.allclose(occlusion_scores(classifier, words, label).values, expected, atol=1e-6)


def test_tfidf_contributions_sum_to_its_logit_difference(tfidf) -> None:
    words = Words.of(TEXT)
    log_p = np.log(tfidf.predict_proba_tokens([list(words.tokens), []]).astype(np.float64))
    centred = log_p - log_p.mean(axis=1, keepdims=True)  # softmax's logits up to a shift per row
    for label in range(len(tfidf.classes)):
        values = linear_scores(tfidf, words, label).values
        assert values.sum() == pytest.approx(centred[0, label] - centred[1, label], abs=1e-4)
    unknown = Words.of("zzqxv oil")
    assert linear_scores(tfidf, unknown, 0).values[0] == 0.0


def test_the_models_own_occlusion_ranking_beats_random_orders(tiny) -> None:
    from rnnclf.data.dataset import TEST_PATH, read_csv

    split = read_csv(TEST_PATH)
    own, random = [], []
    for text in split.texts[:8]:
        words = Words.of(text)
        label = int(tiny.predict_proba([text])[0].argmax())
        order = ranking(occlusion_scores(tiny, words, label).values)
        faithful, baseline = measure(tiny, words, label, {"occlusion": order})
        own.append(faithful["occlusion"].comprehensiveness)
        random.append(baseline.comprehensiveness)
    assert np.mean(own) > np.mean(random)


def test_removal_counts_cover_one_word_to_half() -> None:
    assert removal_counts(40) == [1, 2, 4, 8, 20]
    assert removal_counts(1) == [1, 1, 1, 1, 1]


def test_the_same_request_gives_the_same_scores(tiny, tfidf) -> None:
    for classifier in (tiny, tfidf):
        first = attribute(classifier, TEXT, samples=300)
        assert [a.method for a in first] == list(available(classifier))
        assert attribute(classifier, TEXT, samples=300) == first


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_through_every_method(tiny, tfidf, case: str) -> None:
    text = HOSTILE[case]
    for classifier in (tiny, tfidf):
        results = attribute(classifier, text, samples=100)
        assert len(results) == len(available(classifier))
        for result in results:
            assert "".join(p.text for p in result.pieces) == text
            assert len(result.scores) == len(result.features) <= MAX_WORDS
            assert np.all(np.isfinite(result.scores))
            assert result.truncated == (case == "huge")
    for empty in ("", "   \n", '"" ;;'):
        with pytest.raises(ValueError):
            attribute(tiny, empty)


def test_cli_explains_and_refuses_empty_text(tiny_checkpoint: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        main(["explain", "--checkpoint", str(tiny_checkpoint), "--text", TEXT, "--method", "occlusion", "--json"]) == 0
    )
    printed = json.loads(capsys.readouterr().out)
    [method] = printed["methods"]
    assert method["method"] == "occlusion" and len(method["words"]) == len(Words.of(TEXT).features)
    assert main(["explain", "--checkpoint", str(tiny_checkpoint), "--text", "  "]) == 2
    assert main(["explain", "--checkpoint", str(tiny_checkpoint), "--text", TEXT, "--label", "Nope"]) == 2
    assert "error:" in capsys.readouterr().err


def test_faithfulness_command_writes_the_report(tiny_checkpoint: Path, tmp_path: Path) -> None:
    args = ["faithfulness", "--checkpoint", str(tiny_checkpoint), "--samples", "3", "--out", str(tmp_path)]
    assert main(args) == 0
    report = read(tmp_path)
    assert isinstance(report, Report) and report.samples == 3
    assert [row.method for row in report.rows] == list(available(load_classifier(tiny_checkpoint)))
    for row in report.rows:
        assert row.comprehensiveness.low <= row.comprehensiveness.estimate <= row.comprehensiveness.high
    assert Report.from_dict(report.to_dict()) == report
    assert "| tiny | Integrated Gradients |" in (tmp_path / "faithfulness.md").read_text(encoding="utf-8")


def test_faithfulness_intervals_are_scipys_one_sample_bootstrap() -> None:
    """The faithfulness means use the project's one bootstrap, which draws as scipy's own on one sample."""
    from scipy.stats import bootstrap

    from rnnclf.explain.faithfulness import interval

    data = np.random.default_rng(3).normal(size=41)
    reference = bootstrap(
        (data,), np.mean, confidence_level=0.95, n_resamples=1000, method="percentile", rng=np.random.default_rng(5)
    )
    found = interval(data, seed=5)
    assert (found.low, found.high) == tuple(map(float, reference.confidence_interval))
    assert found.estimate == float(data.mean())
    assert interval([0.5, 0.5, 0.5]).low == interval([0.5, 0.5, 0.5]).high == 0.5  # nothing to resample
