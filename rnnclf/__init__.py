"""rnnclf: recurrent news classifiers on AG News, their checkpoints, and the app that shows them."""

from .checkpoints import CheckpointError, list_checkpoints, load_classifier, summary_rows
from .classifier import Classifier
from .data import CLASSES

__all__ = ["CLASSES", "CheckpointError", "Classifier", "list_checkpoints", "load_classifier", "summary_rows"]
