"""The hashed n-gram bag beside the recurrence, and embeddings pre-trained on the training texts."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnclf import CLASSES, load_checkpoint
from rnnclf.core.text import build_vocab
from rnnclf.data.dataset import read_csv
from rnnclf.models.approaches import Approach, get_approach
from rnnclf.models.classifier import Classifier
from rnnclf.models.networks import NgramBag, RecurrentClassifier
from rnnclf.models.recurrent import RecurrentTextClassifier
from rnnclf.training.pretrain import cooccurrence, ppmi_svd
from rnnclf.training.recurrent import WeightAverage, run

VOCAB = 100
BAG = dataclasses.replace(get_approach("bigru_max_mf2_tokdrop"), id="t_bag", bag_buckets=64, bag_dim=6, bag_ngrams=3)


def random_bag_model(approach: Approach = BAG, vocab: int = VOCAB) -> RecurrentClassifier:
    """A model whose bag is random, not zero as training starts it, so the bag shows in the output."""
    torch.manual_seed(0)
    model = RecurrentClassifier(approach, vocab, len(CLASSES)).eval()
    torch.nn.init.normal_(model.bag.embedding.weight)
    return model


def test_bag_rows_are_words_then_hashed_ngrams():
    bag = NgramBag(vocab_size=VOCAB, buckets=64, dim=6, ngrams=3)
    ids = torch.tensor([[5, 6, 7, 8], [9, 10, 0, 0]])
    rows, real = bag.rows(ids, torch.tensor([4, 2]))
    assert rows.shape == real.shape == (2, 4 + 3 + 2)
    assert torch.equal(rows[:, :4], ids)
    assert bool((rows[:, 4:] >= VOCAB).all() and (rows < VOCAB + 64).all())
    assert real.sum(1).tolist() == [4 + 3 + 2, 2 + 1 + 0]
    # The hash is integer arithmetic on ids, the same in every process (never Python's salted hash()).
    bigram = (5 * NgramBag.MULTIPLIER + 6) % NgramBag.MODULUS
    trigram = (bigram * NgramBag.MULTIPLIER + 7) % NgramBag.MODULUS
    assert rows[0, 4] == VOCAB + bigram % 64 and rows[0, 7] == VOCAB + trigram % 64
    assert bag(ids, torch.tensor([4, 2])).shape == (2, 6)


def test_bag_starts_at_zero_and_joins_the_readout():
    model = RecurrentClassifier(BAG, VOCAB, len(CLASSES))
    assert not model.bag.embedding.weight.any()
    assert model.linear.in_features == 2 * BAG.layers[0].hidden + BAG.bag_dim


def test_bag_ignores_padding():
    model = random_bag_model()
    ids, lengths = torch.tensor([[5, 6, 7, 8], [9, 10, 0, 0]]), torch.tensor([4, 2])
    padded = torch.cat([ids, torch.zeros(2, 6, dtype=torch.long)], dim=1)
    with torch.no_grad():
        assert torch.allclose(model(ids, lengths), model(padded, lengths), atol=1e-6)
        assert torch.allclose(model(ids[1:, :2], lengths[1:]), model(ids, lengths)[1:], atol=1e-6)


def test_masked_prediction_equals_token_lists_with_a_bag():
    """LIME's fast path builds ids from masks; the n-grams must be those of the kept tokens."""
    tokens = "oil prices rose on monday as traders worried about supply".split() * 3
    vocab = build_vocab([tokens])
    model = random_bag_model(dataclasses.replace(BAG, max_tokens=20), len(vocab))
    classifier = RecurrentTextClassifier("t_bag", model, vocab, CLASSES)
    keep = np.random.default_rng(0).random((40, len(tokens))) > 0.4
    fast = classifier.predict_proba_masked(tokens, keep)
    assert np.array_equal(fast, Classifier.predict_proba_masked(classifier, tokens, keep))
    assert len({row.tobytes() for row in fast}) > 30  # the variants really differ


def test_cooccurrence_counts_neighbours_by_distance():
    counts = cooccurrence(torch.tensor([[1, 2, 3, 0]]), torch.tensor([3]), vocab_size=4, window=2).toarray()
    assert counts[1, 2] == counts[2, 1] == 1 and counts[2, 3] == 1 and counts[1, 3] == counts[3, 1] == 0.5
    assert counts[0].sum() == 0  # padding is never a neighbour


def test_ppmi_vectors_are_deterministic_and_group_shared_contexts():
    # Words 1 and 2 occur between the same neighbours, word 3 never near them.
    rows = [[4, 1, 5], [4, 2, 5], [6, 3, 7], [6, 3, 7], [4, 1, 5], [4, 2, 5]]
    ids, lengths = torch.tensor(rows), torch.tensor([3] * len(rows))
    vectors = ppmi_svd(ids, lengths, vocab_size=8, dim=3, window=1)
    assert vectors.shape == (8, 3) and torch.equal(vectors, ppmi_svd(ids, lengths, 8, 3, window=1))
    unit = torch.nn.functional.normalize(vectors, dim=1)
    assert unit[1] @ unit[2] > 0.99 > unit[1] @ unit[3]


def test_tiny_bag_training_learns_and_reloads_identically(tiny_csv: Path, tmp_path: Path):
    approach = dataclasses.replace(
        BAG,
        bag_buckets=4096,
        bag_dim=8,
        bag_ngrams=2,
        embed_init="ppmi_svd",
        label_smoothing=0.1,
        weight_average=0.9,
        batch_size=64,
        epochs=3,
        min_freq=1,
    )
    folder = run(approach, out=tmp_path / "t_bag", train_path=tiny_csv, test_path=tiny_csv, progress=False, log=False)
    checkpoint = load_checkpoint(folder)
    assert checkpoint.config.model.approach == approach and checkpoint.test_accuracy > 0.6
    texts = read_csv(tiny_csv).texts
    assert np.allclose(checkpoint.classifier.predict_proba(texts), checkpoint.test_predictions, atol=1e-6)
    assert Approach.from_dict(approach.to_dict()) == approach


@pytest.mark.parametrize("field", ["bag_buckets", "embed_init", "label_smoothing", "weight_average"])
def test_new_fields_default_to_the_old_models(field):
    default = Approach.__dataclass_fields__[field].default
    assert all(getattr(get_approach(f"approach{i}"), field) == default for i in range(1, 6))
    assert (
        "bag.embedding.weight" not in RecurrentClassifier(get_approach("approach1"), VOCAB, len(CLASSES)).state_dict()
    )


def test_weight_average_follows_the_weights_with_a_ramped_decay():
    model = RecurrentClassifier(get_approach("bigru_max"), VOCAB, len(CLASSES))
    start = model.linear.bias.detach().clone()
    average = WeightAverage(model, decay=0.5)
    with torch.no_grad():
        model.linear.bias.add_(1.0)
    average.update(model)  # ramp: decay min(0.5, 2 / 11), so the average moves 9/11 of the way
    assert torch.allclose(average.model.linear.bias, start + 9 / 11)
    average.update(model)  # decay min(0.5, 3 / 12): 3/4 of the rest
    assert torch.allclose(average.model.linear.bias, start + 9 / 11 + 0.75 * 2 / 11)
    assert not any(p.requires_grad for p in average.model.parameters())


def test_bag_rows_fold_back_onto_their_tokens():
    bag = NgramBag(vocab_size=VOCAB, buckets=64, dim=6, ngrams=3)
    width = 5
    per_row = torch.arange(1.0, 1 + width + (width - 1) + (width - 2)).unsqueeze(0)  # 5 words, 4 bigrams, 3 trigrams
    tokens = bag.to_tokens(per_row)
    words, bigrams, trigrams = per_row[0, :5], per_row[0, 5:9], per_row[0, 9:]
    expected = words.clone()
    for start, value in enumerate(bigrams):
        expected[start : start + 2] += value / 2
    for start, value in enumerate(trigrams):
        expected[start : start + 3] += value / 3
    assert torch.allclose(tokens[0], expected) and torch.isclose(tokens.sum(), per_row.sum())
