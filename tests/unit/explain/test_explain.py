from pathlib import Path

import numpy as np
import pytest
from lime.lime_text import LimeTextExplainer

from rnnclf import load_classifier
from rnnclf.core.text import token_spans, tokenize
from rnnclf.explain.lime import FEATURE_SELECTION, explain
from rnnclf.explain.words import MAX_WORDS
from rnnclf.models.classifier import Classifier

# Every token stands apart (spaces around punctuation), so LIME's string removal and our token
# masks give the model the same inputs. Where a removed word touches another ("SPACE.com" without
# "."), LIME's strings glue the neighbours into a new token ("spacecom"); token masks don't.
CLEAN = (
    "Oil prices rose on Monday as traders worried about supply , and stocks on Wall Street fell "
    "while the Federal Reserve said it would keep interest rates unchanged for the rest of the year ."
)


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint: Path) -> Classifier:
    return load_classifier(tiny_checkpoint)


def test_equals_lime_text_explainer_on_the_same_seed(classifier):
    ours = explain(classifier, CLEAN, num_samples=800, num_features=8, seed=7)
    lime = LimeTextExplainer(
        split_expression=lambda t: [t[s:e] for s, e in token_spans(t)],
        bow=True,
        random_state=7,
        feature_selection=FEATURE_SELECTION,
    )
    reference = lime.explain_instance(
        CLEAN, classifier.predict_proba, labels=[ours.label], num_features=8, num_samples=800
    )
    theirs = reference.as_list(label=ours.label)
    assert [w for w, _ in ours.top] == [w for w, _ in theirs]
    assert np.allclose([x for _, x in ours.top], [x for _, x in theirs], atol=1e-6)
    assert ours.score == pytest.approx(reference.score)


def test_same_request_same_explanation(classifier):
    assert explain(classifier, CLEAN, seed=1) == explain(classifier, CLEAN, seed=1)


def test_pieces_rebuild_the_text_and_mark_the_window(classifier):
    text = "The U.S. economy, said short-sellers; grew (again)!  " * 5
    result = explain(classifier, text, num_samples=300, num_features=5)
    assert "".join(p.text for p in result.pieces) == text
    words = [p for p in result.pieces if p.weight is not None]
    assert [p.text for p in words][:6] == ["The", "U", ".", "S", ".", "economy"]
    assert all(p.in_window for p in words[: classifier.max_tokens])
    assert not any(p.in_window for p in words[classifier.max_tokens :])
    assert len(result.top) == 5 and sum(p.weight != 0 for p in words if p.weight) >= 5


def test_masked_prediction_equals_token_lists(classifier):
    tokens = "oil prices rose on monday as traders worried about supply".split() * 4
    keep = np.random.default_rng(0).random((50, len(tokens))) > 0.4
    fast = classifier.predict_proba_masked(tokens, keep)
    generic = Classifier.predict_proba_masked(classifier, tokens, keep)
    assert np.array_equal(fast, generic)


def test_huge_text_is_capped_but_shown_whole(classifier):
    text = "markets rally as oil falls . " * 20_000  # 580,000 characters
    result = explain(classifier, text, num_samples=200)
    assert result.truncated
    assert "".join(p.text for p in result.pieces) == text
    assert sum(p.weight is not None for p in result.pieces) == MAX_WORDS


def test_unknown_words_and_empty_text(classifier):
    assert explain(classifier, "zzqx qqzv xxvq", num_samples=100).unknown_only
    assert not explain(classifier, CLEAN, num_samples=100).unknown_only
    for text in ("", "   ", ";;; ::"):
        with pytest.raises(ValueError):
            explain(classifier, text)


class Recording(Classifier):
    """Scores nothing; remembers the tokens LIME hands it."""

    name, classes, max_tokens = "recording", ("a", "b"), None

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def predict_proba_tokens(self, token_lists):
        self.seen.extend(list(t) for t in token_lists)
        return np.full((len(token_lists), 4), 0.25)

    def is_known(self, token: str) -> bool:
        return True


def test_lime_reads_the_tokens_of_the_whole_text():
    # Python lower-cases Σ by its neighbours: "A'Σ" reads "a ' ς", a lone "Σ" reads "σ" (found by Hypothesis).
    text = "A'Σ rises ΟΔΟΣ.Β"
    recording = Recording()
    explain(recording, text, num_samples=20)
    assert recording.seen[0] == tokenize(text)
