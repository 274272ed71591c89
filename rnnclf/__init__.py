"""rnnclf: recurrent news classifiers on AG News, their checkpoints, and the app that shows them."""

from rnnclf.checkpoints.registry import Checkpoint, list_checkpoints, load_checkpoint, load_classifier, summary_rows
from rnnclf.checkpoints.storage import CheckpointError
from rnnclf.data.dataset import CLASSES
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
