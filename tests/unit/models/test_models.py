import pytest
import torch

from rnnclf.models.approaches import APPROACHES, TUTORIAL, Approach
from rnnclf.models.networks import RecurrentClassifier
from rnnclf.models.recurrent import FoldedRNN

VOCAB = 100
CLASSES = 4  # any count: these tests are about the layers before the output


def shapes(approach_id: str) -> dict[str, tuple[int, ...]]:
    model = RecurrentClassifier(APPROACHES[approach_id], VOCAB, CLASSES)
    return {name: tuple(p.shape) for name, p in model.named_parameters()}


def test_approach1_and_2_shapes():
    for approach_id in ("approach1", "approach2"):
        assert shapes(approach_id) == {
            "embedding.weight": (VOCAB, 50),
            "rnns.0.weight_ih_l0": (50, 50),
            "rnns.0.weight_hh_l0": (50, 50),
            "rnns.0.bias_ih_l0": (50,),
            "rnns.0.bias_hh_l0": (50,),
            "linear.weight": (4, 50),
            "linear.bias": (4,),
        }
    assert RecurrentClassifier(APPROACHES["approach2"], VOCAB, CLASSES).rnns[0].nonlinearity == "relu"
    assert RecurrentClassifier(APPROACHES["approach1"], VOCAB, CLASSES).rnns[0].nonlinearity == "tanh"


def test_approach3_has_three_layers_of_50():
    s = shapes("approach3")
    for layer in range(3):
        assert s[f"rnns.0.weight_ih_l{layer}"] == (50, 50)
    assert s["linear.weight"] == (4, 50)


def test_approach4_stacks_50_60_75():
    s = shapes("approach4")
    assert s["rnns.0.weight_ih_l0"] == (50, 50)
    assert s["rnns.1.weight_ih_l0"] == (60, 50)
    assert s["rnns.1.weight_hh_l0"] == (60, 60)
    assert s["rnns.2.weight_ih_l0"] == (75, 60)
    assert s["rnns.2.weight_hh_l0"] == (75, 75)
    assert s["linear.weight"] == (4, 75)


def test_approach5_is_bidirectional_with_100_wide_inputs():
    s = shapes("approach5")
    assert s["rnns.0.weight_ih_l0"] == (50, 50)
    assert s["rnns.0.weight_ih_l0_reverse"] == (50, 50)
    for layer in (1, 2):
        assert s[f"rnns.0.weight_ih_l{layer}"] == (50, 100)
        assert s[f"rnns.0.weight_ih_l{layer}_reverse"] == (50, 100)
    assert s["linear.weight"] == (4, 100)


def test_tutorial_registry_matches_the_table():
    table = {a.id: (a.max_tokens, a.epochs, a.lr, a.tutorial_accuracy) for a in TUTORIAL}
    assert table == {
        "approach1": (25, 15, 1e-3, 0.8728),
        "approach2": (50, 15, 1e-3, 0.8798),
        "approach3": (50, 15, 1e-3, 0.8677),
        "approach4": (50, 15, 1e-3, 0.8786),
        "approach5": (50, 25, 1e-4, 0.7484),
    }
    for approach in TUTORIAL:
        assert Approach.from_dict(approach.to_dict()) == approach


def test_zero_initial_state_makes_forward_repeatable():
    torch.manual_seed(0)
    model = RecurrentClassifier(APPROACHES["approach5"], VOCAB, CLASSES).eval()
    ids = torch.randint(0, VOCAB, (3, 50))
    lengths = torch.full((3,), 50)
    assert torch.equal(model(ids, lengths), model(ids, lengths))


def test_last_step_readout_reads_after_the_padding():
    """The tutorial reads output[:, -1]: padding after a text changes what the model sees."""
    torch.manual_seed(0)
    model = RecurrentClassifier(APPROACHES["approach1"], VOCAB, CLASSES).eval()
    short = torch.tensor([[5, 6, 0, 0] + [0] * 21])
    other = torch.tensor([[5, 6, 7, 0] + [0] * 21])
    assert model(short, torch.tensor([2])).shape == (1, 4)
    assert not torch.equal(model(short, torch.tensor([2])), model(other, torch.tensor([3])))


@pytest.mark.parametrize("approach_id", ["approach1", "approach2"])
def test_the_folded_forward_is_bitwise_the_modules(approach_id):
    """Scoring looks each word's input term up instead of computing it: the logits must not move a bit."""
    torch.manual_seed(0)
    model = RecurrentClassifier(APPROACHES[approach_id], VOCAB, CLASSES).eval()
    assert FoldedRNN.fits(model)
    max_tokens = model.approach.max_tokens
    lengths = torch.randint(0, max_tokens + 1, (300,))
    ids = torch.randint(1, VOCAB, (300, max_tokens)).masked_fill(torch.arange(max_tokens) >= lengths[:, None], 0)
    with torch.inference_mode():
        assert torch.equal(FoldedRNN(model)(ids, lengths), model(ids, lengths))


def test_only_the_tutorial_shape_is_folded():
    folded = [a.id for a in APPROACHES.values() if FoldedRNN.fits(RecurrentClassifier(a, VOCAB, CLASSES))]
    assert {"approach1", "approach2"} <= set(folded)
    assert not {"approach3", "approach4", "approach5", "rnn_packed", "bigru_bag_avg"} & set(folded)
