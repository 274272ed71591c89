"""rnnclf: recurrent news classifiers on AG News, their checkpoints, and the app that shows them."""

from .classifier import Classifier
from .data import CLASSES
from .registry import Checkpoint, list_checkpoints, load_checkpoint, load_classifier, summary_rows
from .storage import CheckpointError

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
