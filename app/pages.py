"""Every view of the app: its page script, its URL path, and the URL parameters that define what it shows."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from rnnclf.explain.methods import OFFERED


@dataclass(frozen=True)
class View:
    id: str  # the URL path: http://host:8501/<id>
    title: str
    icon: str
    help: str
    module: str = ""  # the page script's name in app/views/ where it is not `id`: a URL keeps its spelling

    @property
    def script(self) -> str:
        return f"app/views/{self.module or self.id}.py"

    @property
    def params(self) -> tuple[str, ...]:
        """The URL parameters that define what it shows, from links.PARAMS."""
        from .links import PARAMS  # links builds its table from VIEWS, so it is imported after this module

        return tuple(name for param in PARAMS if self.id in param.views for name in param.names)


VIEWS = (
    View(
        "probe",
        "Probe",
        ":material/search:",
        "One text through the chosen checkpoint: its class and all probabilities.",
    ),
    View(
        "explain",
        "Explain",
        ":material/format_ink_highlighter:",
        f"Which words pushed the prediction: {OFFERED}, and how faithful each is.",
    ),
    View("compare", "Compare", ":material/compare_arrows:", "The same text through every checkpoint side by side."),
    View("batch", "Batch", ":material/dataset:", "Score a CSV or many pasted lines at once."),
    View("evaluate", "Evaluate", ":material/grid_on:", "Stored test metrics, confusion matrix and training curves."),
    View("errors", "Errors", ":material/bug_report:", "The test examples behind each cell of the confusion matrix."),
    View("disagreements", "Disagreements", ":material/call_split:", "Test examples on which the checkpoints disagree."),
    View(
        "slices",
        "Slices",
        ":material/pie_chart:",
        "Accuracy on parts of the test split: by length, token window, unknown words, class, or a keyword.",
    ),
    View(
        "behaviour",
        "Behaviour",
        ":material/science:",
        "Behavioural tests (CheckList): failure rates and the failing cases.",
        module="behavior",
    ),
    View(
        "map",
        "Map",
        ":material/scatter_plot:",
        "The test split in 2-D from the checkpoint's representation; select points to list their texts.",
    ),
    View("summary", "Summary", ":material/table_chart:", "Every checkpoint's accuracy next to the tutorial's."),
    View(
        "about",
        "About this model",
        ":material/description:",
        "The chosen checkpoint's model card: its use, data, metrics and known limitations.",
    ),
)
BY_ID = {view.id: view for view in VIEWS}
GOTO_KEY = "goto"  # a view a button asked to open, switched to on the next run


def go_to(view_id: str) -> None:
    """Button callback helper: open `view_id` on the next run (a callback cannot switch pages itself)."""
    st.session_state[GOTO_KEY] = view_id
