"""Every trainable approach, declared as plain data. The model code reads these; nothing else does.

approach1-5 are the tutorial's ("PyTorch RNN for text classification"), kept exactly as it defines
them: 50-d trainable embeddings, Adam, batch 1024, the output at the last time step (after any
padding) into one linear layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

TUTORIAL_BATCHES_PER_EPOCH = 118  # ceil(120,000 / 1024)


@dataclass(frozen=True)
class Recurrent:
    """One `nn.RNN`/`nn.GRU`/`nn.LSTM` module; several in a tuple are stacked one after another."""

    hidden: int
    num_layers: int = 1
    nonlinearity: str = "tanh"  # only for cell="rnn"
    bidirectional: bool = False
    cell: str = "rnn"  # rnn | gru | lstm


@dataclass(frozen=True)
class Approach:
    id: str
    title: str
    max_tokens: int
    layers: tuple[Recurrent, ...]
    epochs: int  # the tutorial's, on 120,000 rows; training scales it to the same number of steps
    lr: float
    tutorial_accuracy: float | None = None  # test accuracy the tutorial reported, a fraction
    embed_dim: int = 50
    batch_size: int = 1024
    # How the sequence becomes one vector: "last_step" is the tutorial's output[:, -1];
    # "last_token" reads the final states at each text's real end (packed sequences);
    # "mean"/"max" pool over the real tokens.
    readout: str = "last_step"
    dropout: float = 0.0
    token_dropout: float = 0.0  # in training, read this share of the tokens as <UNK>
    min_freq: int = 1  # vocabulary: keep tokens seen at least this often in train
    # fastText's bag beside the recurrence: the mean embedding of a text's words and of its word
    # n-grams (2..bag_ngrams words, hashed into bag_buckets rows) joins the recurrent readout before
    # the linear layer, so a phrase seen a few times gets its own weights. 0 buckets: no bag.
    bag_buckets: int = 0
    bag_dim: int = 16
    bag_ngrams: int = 2
    bag_lr_scale: float = 1.0  # the bag's learning rate relative to `lr`: Adam moves a rare row as far as a common one
    embed_init: str = "random"  # "ppmi_svd": start from vectors of the training texts' co-occurrences
    label_smoothing: float = 0.0  # the training target: 1 - this on the true class, the rest spread evenly
    # Keep an exponential moving average of the weights with this decay per step, and validate and
    # keep it instead of the last step's weights. 0: no average.
    weight_average: float = 0.0
    notes: str = ""
    # The schedule; the defaults are the tutorial's: a fixed number of steps at a constant learning rate.
    match_tutorial_steps: bool = True  # False: `epochs` counts passes over the training rows given
    patience: int | None = None  # stop after this many epochs without a better validation accuracy
    lr_plateau_factor: float = 1.0  # multiply the learning rate by this after each such epoch
    based_on: str | None = None  # the approach this one changes; the ablation reports the difference

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Approach:
        """Rebuild from a checkpoint's config, so a checkpoint describes itself."""
        fields = dict(data)
        fields["layers"] = tuple(Recurrent(**layer) for layer in fields["layers"])
        return cls(**fields)


TUTORIAL: tuple[Approach, ...] = (
    Approach(
        id="approach1",
        title="Approach 1: single RNN layer",
        max_tokens=25,
        layers=(Recurrent(hidden=50),),
        epochs=15,
        lr=1e-3,
        tutorial_accuracy=0.8728,
    ),
    Approach(
        id="approach2",
        title="Approach 2: single RNN layer, relu",
        max_tokens=50,
        layers=(Recurrent(hidden=50, nonlinearity="relu"),),
        epochs=15,
        lr=1e-3,
        tutorial_accuracy=0.8798,
    ),
    Approach(
        id="approach3",
        title="Approach 3: RNN with 3 layers (num_layers=3)",
        max_tokens=50,
        layers=(Recurrent(hidden=50, num_layers=3),),
        epochs=15,
        lr=1e-3,
        tutorial_accuracy=0.8677,
    ),
    Approach(
        id="approach4",
        title="Approach 4: three stacked RNNs (50, 60, 75)",
        max_tokens=50,
        layers=(Recurrent(hidden=50), Recurrent(hidden=60), Recurrent(hidden=75)),
        epochs=15,
        lr=1e-3,
        tutorial_accuracy=0.8786,
    ),
    Approach(
        id="approach5",
        title="Approach 5: bidirectional RNN with 3 layers",
        max_tokens=50,
        layers=(Recurrent(hidden=50, num_layers=3, bidirectional=True),),
        epochs=25,
        lr=1e-4,
        tutorial_accuracy=0.7484,
    ),
)


def _variant(based_on: Approach, id: str, title: str, **changes) -> Approach:
    """`based_on` with `changes` and nothing else, so a difference in accuracy has one cause."""
    return replace(based_on, id=id, title=title, tutorial_accuracy=None, based_on=based_on.id, **changes)


# Beyond the tutorial: each variant fixes one thing that holds the tutorial's models back
# (`python -m rnnclf ablation` trains them all and writes the table).
_packed = _variant(TUTORIAL[1], "rnn_packed", "RNN (relu), read at the last real token", readout="last_token")
_schedule = _variant(
    _packed,
    "rnn_sched",
    "RNN (relu), last real token, schedule: batch 128, lr 5e-3 halved on plateau, early stop",
    match_tutorial_steps=False,
    epochs=8,
    batch_size=128,
    lr=5e-3,
    patience=2,
    lr_plateau_factor=0.5,
)
_gru = _variant(_schedule, "gru_sched", "GRU, last real token, schedule", layers=(Recurrent(hidden=50, cell="gru"),))
_bigru = _variant(
    _gru,
    "bigru",
    "Bidirectional GRU, final states of both directions",
    layers=(Recurrent(hidden=50, cell="gru", bidirectional=True),),
)
_bigru_max = _variant(_bigru, "bigru_max", "Bidirectional GRU, max over time", readout="max")
_window = _variant(_bigru_max, "bigru_max_w80", "Bidirectional GRU, max over time, 80 tokens", max_tokens=80)
_wide = _variant(
    _window, "bigru_max_e100", "Bidirectional GRU, max over time, 80 tokens, 100-d embeddings", embed_dim=100
)
_dropout = _variant(
    _wide, "bigru_max_drop", "Bidirectional GRU, max over time, 80 tokens, 100-d embeddings, dropout 0.3", dropout=0.3
)
_frequent = _variant(
    _dropout, "bigru_max_mf2", "Bidirectional GRU, max over time, dropout 0.3, words seen twice or more", min_freq=2
)
_frequent_tokdrop = _variant(
    _frequent,
    "bigru_max_mf2_tokdrop",
    "Bidirectional GRU, max over time, dropout 0.3, words seen twice or more, 10 % of tokens dropped",
    token_dropout=0.1,
)
# The words the recurrence reads are mostly rare: a bag of word and word-pair rows beside it gives each
# phrase its own weights, as the linear baseline has.
_bag = _variant(
    _frequent_tokdrop,
    "bigru_bag",
    "Bidirectional GRU, max over time, beside a bag of words and hashed bigrams",
    bag_buckets=2**18,
    bag_dim=16,
)
_bag_slow = _variant(
    _bag,
    "bigru_bag_slow",
    "Bidirectional GRU beside a bag of words and bigrams learning at a tenth of the rate",
    bag_lr_scale=0.1,
)
_bag_ppmi = _variant(
    _bag_slow,
    "bigru_bag_ppmi",
    "Bidirectional GRU beside a bag, word vectors started from the training texts' co-occurrences",
    embed_init="ppmi_svd",
)
_bag_average = _variant(
    _bag_ppmi,
    "bigru_bag_avg",
    "Bidirectional GRU beside a bag, PPMI-started word vectors, moving average of the weights",
    weight_average=0.998,
)
_bag_smooth = _variant(
    _bag_average,
    "bigru_bag_ls",
    "Bidirectional GRU beside a bag, PPMI-started word vectors, weight average, label smoothing 0.1",
    label_smoothing=0.1,
)
IMPROVED: tuple[Approach, ...] = (
    _packed,
    _schedule,
    _variant(_schedule, "rnn_sched_last_step", "RNN (relu), schedule, read after the padding", readout="last_step"),
    _gru,
    _variant(_schedule, "lstm_sched", "LSTM, last real token, schedule", layers=(Recurrent(hidden=50, cell="lstm"),)),
    _bigru,
    _bigru_max,
    _variant(_bigru, "bigru_mean", "Bidirectional GRU, mean over time", readout="mean"),
    _window,
    _wide,
    _dropout,
    _variant(_dropout, "bigru_max_drop5", "Bidirectional GRU, max over time, dropout 0.5", dropout=0.5),
    _variant(
        _dropout,
        "bigru_max_tokdrop",
        "Bidirectional GRU, max over time, dropout 0.3, 10 % of tokens dropped",
        token_dropout=0.1,
    ),
    _frequent,
    _frequent_tokdrop,
    _bag,
    _bag_slow,
    _bag_ppmi,
    _bag_average,
    _bag_smooth,
)

APPROACHES: dict[str, Approach] = {a.id: a for a in (*TUTORIAL, *IMPROVED)}


def get_approach(approach_id: str) -> Approach:
    try:
        return APPROACHES[approach_id]
    except KeyError:
        raise KeyError(f"unknown approach {approach_id!r}; known: {', '.join(APPROACHES)}") from None
