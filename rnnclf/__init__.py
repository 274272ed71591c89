"""rnnclf: recurrent news classifiers on AG News, their checkpoints, and the app that shows them."""

from rnnclf.checkpoints.registry import Checkpoint, list_checkpoints, load_checkpoint, load_classifier, summary_rows
from rnnclf.checkpoints.storage import CheckpointError
from rnnclf.data.registry import AG_NEWS, get_dataset
from rnnclf.models.classifier import Classifier

__all__ = [
    "CLASSES",
    "Checkpoint",
    "CheckpointError",
    "Classifier",
    "list_checkpoints",
    "load_checkpoint",
    "load_classifier",
    "summary_rows",
]


def __getattr__(name: str) -> object:
    """`rnnclf.CLASSES`: AG News's class names, read from its dataset record when first asked for.

    Code inside the project takes class names from a checkpoint (`Checkpoint.classes`), never from here.
    """
    if name == "CLASSES":
        return get_dataset(AG_NEWS).classes
    raise AttributeError(f"module 'rnnclf' has no attribute {name!r}")
