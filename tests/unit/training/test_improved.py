"""The approaches beyond the tutorial: packed readouts, both directions' final states, the schedule, the ablation."""

import dataclasses
import json
from pathlib import Path

import pytest
import torch

from rnnclf import CLASSES, load_classifier
from rnnclf.core.text import Vocab, tokenize
from rnnclf.data.dataset import read_csv
from rnnclf.models.approaches import APPROACHES, IMPROVED, TUTORIAL, Approach, get_approach
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.training.ablation import describe_change, markdown, run_ablation
from rnnclf.training.recurrent import Encoded, default_epochs, train_model

VOCAB = 100
PACKED = [a for a in IMPROVED if a.readout != "last_step"]


def model_for(approach: Approach) -> RecurrentClassifier:
    torch.manual_seed(0)
    return RecurrentClassifier(approach, VOCAB, len(CLASSES)).eval()


def test_the_tutorial_keeps_its_schedule():
    for approach in TUTORIAL:
        assert approach.match_tutorial_steps and approach.patience is None and approach.lr_plateau_factor == 1.0
        assert approach.based_on is None and approach.readout == "last_step"


def test_improved_approaches_are_registered_and_chained():
    for approach in IMPROVED:
        assert APPROACHES[approach.id] is approach
        assert approach.based_on in APPROACHES and approach.tutorial_accuracy is None
        assert Approach.from_dict(approach.to_dict()) == approach
        if not approach.match_tutorial_steps:
            assert default_epochs(approach, 47_282) == approach.epochs  # real epochs, not the tutorial's steps
        assert describe_change(approach, APPROACHES[approach.based_on])


def test_describe_change_names_the_fields():
    assert describe_change(get_approach("bigru_max"), get_approach("bigru")) == "readout: last_token -> max"
    assert describe_change(get_approach("gru_sched"), get_approach("rnn_sched")) == "layers: rnn50(relu) -> gru50"
    assert describe_change(get_approach("bigru"), get_approach("gru_sched")) == "layers: gru50 -> bigru50"


@pytest.mark.parametrize("approach", PACKED, ids=lambda a: a.id)
def test_padding_after_a_text_changes_nothing(approach: Approach):
    """Packed sequences: no direction and no readout ever sees the padding."""
    model = model_for(approach)
    ids = torch.tensor([[5, 6, 7, 8], [9, 10, 0, 0]])
    lengths = torch.tensor([4, 2])
    padded = torch.cat([ids, torch.zeros(2, 6, dtype=torch.long)], dim=1)
    with torch.no_grad():
        assert torch.allclose(model(ids, lengths), model(padded, lengths), atol=1e-6)
        assert torch.allclose(model(ids[1:, :2], lengths[1:]), model(ids, lengths)[1:], atol=1e-6)


def test_bidirectional_final_states_are_both_directions():
    """The readout is [forward state after the last real token, backward state after the first]."""
    model = model_for(get_approach("bigru"))
    captured = []
    model.linear.register_forward_hook(lambda module, inputs, output: captured.append(inputs[0]))
    ids = torch.tensor([[5, 6, 7, 0, 0]])
    with torch.no_grad():
        model(ids, torch.tensor([3]))
        outputs, _ = model.rnns[0](model.embedding(ids[:, :3]))  # the unpadded text alone
    hidden = model.rnns[0].hidden_size
    expected = torch.cat([outputs[0, -1, :hidden], outputs[0, 0, hidden:]])
    assert captured[0].shape == (1, 2 * hidden)
    assert torch.allclose(captured[0][0], expected, atol=1e-6)


def test_pooled_readouts_pool_only_real_tokens():
    ids = torch.tensor([[5, 6, 7, 0, 0]])
    for readout, pool in (("max", lambda x: x.amax(1)), ("mean", lambda x: x.mean(1))):
        model = model_for(dataclasses.replace(get_approach("bigru_max"), readout=readout))
        captured = []
        model.linear.register_forward_hook(lambda module, inputs, output: captured.append(inputs[0]))
        with torch.no_grad():
            model(ids, torch.tensor([3]))
            outputs, _ = model.rnns[0](model.embedding(ids[:, :3]))
        assert torch.allclose(captured[0], pool(outputs), atol=1e-6)


def encoded(texts: list[str], labels, vocab: Vocab, approach: Approach) -> Encoded:
    return Encoded.from_tokens([tokenize(t) for t in texts], labels, vocab, approach.max_tokens)


def test_early_stopping_stops_after_patience_epochs_without_gain(tiny_csv: Path):
    """With a learning rate of 0 validation accuracy never improves: epoch 1 is kept, epoch 1 + patience ends it."""
    data = read_csv(tiny_csv)
    approach = dataclasses.replace(get_approach("gru_sched"), lr=0.0, patience=2, epochs=8)
    vocab = Vocab(["<UNK>", *sorted({t for text in data.texts[:200] for t in tokenize(text)})])
    train = encoded(data.texts[:200], data.labels[:200], vocab, approach)
    result = train_model(
        approach, train, train, len(vocab), approach.epochs, progress=False, log=False, n_classes=len(CLASSES)
    )
    assert (result.epochs, result.best_epoch, len(result.history)) == (3, 1, 3)


def test_tiny_improved_training_and_ablation(tiny_csv: Path, tmp_path: Path):
    """Two short variants on 2,000 rows: trained, tabled, reused on a rerun, loadable, better than chance."""
    first = dataclasses.replace(get_approach("gru_sched"), id="t_gru", based_on=None, epochs=3, batch_size=64)
    second = dataclasses.replace(
        first,
        id="t_bigru_max",
        based_on="t_gru",
        readout="max",
        layers=(dataclasses.replace(first.layers[0], bidirectional=True),),
    )
    options = dict(
        scratch=tmp_path / "runs",
        report_dir=tmp_path / "reports",
        root=tmp_path / "none",
        train_path=tiny_csv,
        test_path=tiny_csv,
    )
    report = run_ablation([first, second], **options)
    rows = {r["id"]: r for r in report["variants"]}
    assert list(rows) == ["t_gru", "t_bigru_max"]
    assert rows["t_bigru_max"]["change"] == "layers: gru50 -> bigru50; readout: last_token -> max"
    assert all(r["epochs"] <= 3 and r["val_accuracy"] > 0.3 for r in rows.values())
    assert report["token_lengths"]["texts"] == 1900 and report["baseline"] is None
    written = json.loads((tmp_path / "reports" / "ablation.json").read_text())
    assert written["variants"] == report["variants"]
    assert (tmp_path / "reports" / "ablation.md").read_text() == markdown(report)
    stamp = (tmp_path / "runs" / "t_gru" / "model.safetensors").stat().st_mtime_ns
    assert run_ablation([first, second], **options)["variants"] == report["variants"]  # reused, not retrained
    assert (tmp_path / "runs" / "t_gru" / "model.safetensors").stat().st_mtime_ns == stamp
    classifier = load_classifier(tmp_path / "runs" / "t_bigru_max")
    assert classifier.predict_proba(["Oil prices rise"]).shape == (1, 4)


def test_token_dropout_reads_words_as_unknown_in_training_only():
    approach = dataclasses.replace(get_approach("bigru_max_tokdrop"), token_dropout=1.0)
    model = model_for(approach)
    ids, lengths = torch.tensor([[5, 6, 7]]), torch.tensor([3])
    unknown = torch.zeros_like(ids)
    with torch.no_grad():
        assert not torch.allclose(model(ids, lengths), model(unknown, lengths))  # eval: every word is read
        model.train()
        model.dropout.p = 0.0  # isolate the token dropout
        assert torch.equal(model(ids, lengths), model(unknown, lengths))
