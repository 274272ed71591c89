"""Every trainable approach, declared as plain data. The model code reads these; nothing else does.

approach1-5 are the tutorial's ("PyTorch RNN for text classification"), kept exactly as it defines
them: 50-d trainable embeddings, Adam, batch 1024, the output at the last time step (after any
padding) into one linear layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

TUTORIAL_ROWS = 120_000  # the tutorial trained on the full AG News train split
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
    tutorial_accuracy: float | None = None  # test accuracy the tutorial reported, in %
    embed_dim: int = 50
    batch_size: int = 1024
    # How the sequence becomes one vector: "last_step" is the tutorial's output[:, -1];
    # "last_token" reads the final states at each text's real end (packed sequences);
    # "mean"/"max" pool over the real tokens.
    readout: str = "last_step"
    dropout: float = 0.0
    min_freq: int = 1  # vocabulary: keep tokens seen at least this often in train
    notes: str = ""

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
        tutorial_accuracy=87.28,
    ),
    Approach(
        id="approach2",
        title="Approach 2: single RNN layer, relu",
        max_tokens=50,
        layers=(Recurrent(hidden=50, nonlinearity="relu"),),
        epochs=15,
        lr=1e-3,
        tutorial_accuracy=87.98,
    ),
    Approach(
        id="approach3",
        title="Approach 3: RNN with 3 layers (num_layers=3)",
        max_tokens=50,
        layers=(Recurrent(hidden=50, num_layers=3),),
        epochs=15,
        lr=1e-3,
        tutorial_accuracy=86.77,
    ),
    Approach(
        id="approach4",
        title="Approach 4: three stacked RNNs (50, 60, 75)",
        max_tokens=50,
        layers=(Recurrent(hidden=50), Recurrent(hidden=60), Recurrent(hidden=75)),
        epochs=15,
        lr=1e-3,
        tutorial_accuracy=87.86,
    ),
    Approach(
        id="approach5",
        title="Approach 5: bidirectional RNN with 3 layers",
        max_tokens=50,
        layers=(Recurrent(hidden=50, num_layers=3, bidirectional=True),),
        epochs=25,
        lr=1e-4,
        tutorial_accuracy=74.84,
    ),
)

APPROACHES: dict[str, Approach] = {a.id: a for a in TUTORIAL}


def get_approach(approach_id: str) -> Approach:
    try:
        return APPROACHES[approach_id]
    except KeyError:
        raise KeyError(f"unknown approach {approach_id!r}; known: {', '.join(APPROACHES)}") from None
