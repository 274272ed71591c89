"""The URL scheme: the state that defines what a person sees lives in the query string, so a link reopens it.

    /explain?model=approach1&row=12&class=Sports      Explain, approach1, test-split row 12, class Sports
    /explain?model=approach5&row=12&method=all        the same by all four attribution methods
    /?model=tfidf_lr&text=Oil+prices+rise             Probe (the root), a typed text (at most MAX_TEXT characters)
    /compare?row=12&models=approach1,tfidf_lr         Compare two checkpoints on a test row
    /errors?model=approach2&true=World&pred=Sports    a confusion cell
    /evaluate?model=approach1&vs=approach5            two checkpoints side by side
    /disagreements?models=approach1,approach2
    /behaviour?model=approach1&test=One+typo          a behavioural test's failing cases

A URL that differs from the one the app last wrote came from outside (a shared link, the address bar,
a button that switched pages): its parameters are checked and copied into the widgets' state, and each
bad one is named in a message while the view falls back to its default. Otherwise the app writes the
URL from the widgets after every run. Streamlit's own `bind="query-params"` drops a bad value silently
and can neither bound a text's length nor share a test-split text by its row number, hence this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import streamlit as st

from rnnclf.behavior.suite import load_suite
from rnnclf.data.dataset import Dataset, Split

from .pages import BY_ID, VIEWS, View
from .safe import literal
from .state import load, test_split

MAX_TEXT = 2000  # characters of text a link carries; longer texts are shared by test row or not at all

# Session-state keys of the widgets the URL sets.
CHECKPOINT = "checkpoint"
TEXT = "news_text"  # the text Probe, Explain and Compare share (their text boxes copy it; see text_input)
EXAMPLE = "example"  # the test-split Example loaded last
CLASS = "explain_class"
COMPARED = "compare_checkpoints"
DISAGREEING = "disagree_checkpoints"
OTHER = "evaluate_other"
TRUE, PREDICTED = "errors_true", "errors_predicted"
BEHAVIOR_TEST = "behavior_test"
PREDICTED_CLASS = "predicted"  # the Explain class picker's first option
EXPLAIN_METHOD, COMPARE_METHOD = "explain_method", "compare_method"
ALL_METHODS = "all"  # Explain's method picker: every method stacked
METHOD_VALUES = ("lime", "ig", "linear", "occlusion", "shap", ALL_METHODS)  # see rnnclf.attributions
NOBODY = "—"  # Evaluate's "side by side with" when alone
_WRITTEN = "links_written"  # the query string the app wrote (or read) last


@dataclass(frozen=True)
class Example:
    """A test-split text loaded into the text box, so a link can name its row instead of its text."""

    row: int
    text: str
    label: str
    dataset: str  # whose test split `row` numbers


def example(dataset: Dataset, split: Split, row: int) -> Example:
    return Example(row, split.texts[row], dataset.classes[split.labels[row]], dataset.name)


def load_example(dataset: Dataset, split: Split, row: int) -> None:
    """Put row `row` of `dataset`'s test split `split` into the shared text box (call before the text box is drawn)."""
    st.session_state[EXAMPLE] = example(dataset, split, row)
    st.session_state[TEXT] = split.texts[row]


def shown_dataset(names: Sequence[str]) -> Dataset | None:
    """The dataset of the checkpoint the single-model views show (the sidebar's, at first the first one):
    a link's row, class and cell are read in its terms. None when that checkpoint cannot be loaded."""
    name = st.session_state.get(CHECKPOINT)
    name = name if name in names else next(iter(names), None)
    checkpoint = load(name).checkpoint if name is not None else None
    return checkpoint.dataset if checkpoint is not None else None


def _names(value: str, names: Sequence[str], what: str, problems: list[str]) -> list[str]:
    chosen = [name for name in value.split(",") if name]
    unknown = [name for name in chosen if name not in names]
    if unknown:
        problems.append(f"{what}: no checkpoint named {', '.join(map(repr, unknown))}")
    return [name for name in chosen if name in names]


def _apply(params: dict[str, str], names: Sequence[str]) -> list[str]:
    """Copy valid parameters into the widgets' state; return what was wrong with the others."""
    problems: list[str] = []
    state = st.session_state
    if "model" in params:
        if params["model"] in names:
            state[CHECKPOINT] = params["model"]
        else:
            problems.append(f"model: no checkpoint named {params['model']!r}")
    dataset = shown_dataset(names)
    split = test_split(dataset) if dataset is not None else None
    classes = dataset.classes if dataset is not None else ()
    if "row" in params:
        row = params["row"]
        if split is None:
            problems.append("row: this server has no test split")
        elif not row.isdecimal() or int(row) >= len(split):
            problems.append(f"row: not a test-split row number (0 to {len(split) - 1:,})")
        else:
            load_example(dataset, split, int(row))
    elif "text" in params:
        if len(params["text"]) > MAX_TEXT:
            problems.append(f"text: longer than the {MAX_TEXT:,} characters a link may carry")
        else:
            state[TEXT] = params["text"]
    if "class" in params:
        if params["class"] in (PREDICTED_CLASS, *classes):
            state[CLASS] = params["class"]
        else:
            problems.append(f"class: not one of {', '.join(classes)}")
    if "method" in params:
        if params["method"] in METHOD_VALUES:
            state[EXPLAIN_METHOD] = params["method"]
            if params["method"] != ALL_METHODS:  # Compare shows one method per checkpoint
                state[COMPARE_METHOD] = params["method"]
        else:
            problems.append(f"method: not one of {', '.join(METHOD_VALUES)}")
    if "models" in params:
        chosen = _names(params["models"], names, "models", problems)
        if chosen:
            state[COMPARED] = state[DISAGREEING] = chosen
    if "vs" in params:
        if params["vs"] in names:
            state[OTHER] = params["vs"]
        else:
            problems.append(f"vs: no checkpoint named {params['vs']!r}")
    if "true" in params or "pred" in params:
        cell = (params.get("true"), params.get("pred"))
        if all(c in classes for c in cell):
            state[TRUE], state[PREDICTED] = cell
        else:
            problems.append(f"true, pred: both must be one of {', '.join(classes)}")
    if "test" in params:
        tests = [spec.name for spec in load_suite().specs]
        if params["test"] in tests:
            state[BEHAVIOR_TEST] = params["test"]
        else:
            problems.append(f"test: no behavioural test named {params['test']!r}")
    unknown = sorted(set(params) - {"model", "row", "text", "class", "method", "models", "vs", "true", "pred", "test"})
    if unknown:
        problems.append(f"unknown parameter {', '.join(map(repr, unknown))}")
    return problems


def read(names: Sequence[str]) -> None:
    """At the top of every run: a URL the app did not write is applied, and its bad parts reported."""
    params = st.query_params.to_dict()
    if params == st.session_state.get(_WRITTEN):
        return
    st.session_state[_WRITTEN] = params
    problems = _apply(params, names)
    if problems:
        st.warning(
            "This link could not be followed in full; the rest of the view shows its defaults. "
            + "; ".join(literal(p) for p in problems)
            + ".",
            icon=":material/link_off:",
        )


def _text_params(names: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """The shared text as `row` (a test-split example of the shown checkpoint's dataset) or `text`; a note
    when it cannot be shared."""
    text = st.session_state.get(TEXT) or ""
    loaded = st.session_state.get(EXAMPLE)
    shown = shown_dataset(names) if isinstance(loaded, Example) and loaded.text == text else None
    if shown is not None and loaded.dataset == shown.name:
        return {"row": str(loaded.row)}, None
    if not text.strip():
        return {}, None
    if len(text) > MAX_TEXT:
        return (
            {},
            f"The text is {len(text):,} characters, more than a link carries ({MAX_TEXT:,}): the link opens the view without it.",
        )
    return {"text": text}, None


def params_for(view: View, names: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """What the URL of `view` says about the current state; and a note about what it leaves out."""
    state = st.session_state
    params: dict[str, str] = {}
    note = None
    if CHECKPOINT in state:
        params["model"] = state[CHECKPOINT]
    if "text" in view.params:
        text_params, note = _text_params(names)
        params.update(text_params)
    if "class" in view.params and state.get(CLASS, PREDICTED_CLASS) != PREDICTED_CLASS:
        params["class"] = state[CLASS]
    method_key = {"explain": EXPLAIN_METHOD, "compare": COMPARE_METHOD}.get(view.id)
    if "method" in view.params and method_key and state.get(method_key, "lime") != "lime":
        params["method"] = state[method_key]
    key = {"compare": COMPARED, "disagreements": DISAGREEING}.get(view.id)
    if "models" in view.params and key and list(state.get(key, names)) != list(names):
        params["models"] = ",".join(state[key])
    if "vs" in view.params and state.get(OTHER, NOBODY) != NOBODY:
        params["vs"] = state[OTHER]
    if "true" in view.params and TRUE in state and PREDICTED in state:
        params["true"], params["pred"] = state[TRUE], state[PREDICTED]
    if "test" in view.params and BEHAVIOR_TEST in state:
        params["test"] = state[BEHAVIOR_TEST]
    return params, note


def page_url(view: View) -> str:
    """The address of `view` on this server as the browser reaches it (a path alone when unknown)."""
    url = urlsplit(st.context.url or "")
    segments = [s for s in url.path.split("/") if s]
    if segments and segments[-1] in BY_ID:  # the page the browser is on: replace it
        segments.pop()
    # The default view lives at the root: st.navigation serves no /<id> for it ("Page not found").
    path = "/".join(segments if view is VIEWS[0] else [*segments, view.id])
    return f"{url.scheme}://{url.netloc}/{path}" if url.netloc else f"/{path}"


def write(view: View, names: Sequence[str]) -> None:
    """At the end of a run: the URL follows the widgets, and the Share control offers it as a link."""
    params, note = params_for(view, names)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    st.session_state[_WRITTEN] = params
    link = f"{page_url(view)}?{urlencode(params)}" if params else page_url(view)
    with st.popover("Share this view", icon=":material/link:"):
        st.caption("This link opens the same view, checkpoint and text in any browser that can reach this app.")
        st.code(link, language=None, wrap_lines=True)
        if note:
            st.caption(note)
