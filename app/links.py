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

Each parameter is one record of PARAMS (its names, the session-state keys it sets, the views whose URL
carries it, how a link's value is checked and how the state is written back): reading a link, writing
the URL, the known names and each view's `View.params` all come from that table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from rnnclf.behavior.suite import load_suite
from rnnclf.data.dataset import Dataset, Split
from rnnclf.explain.methods import NAMES as METHOD_NAMES

from .pages import BY_ID, VIEWS, View
from .safe import literal
from .state import load, test_split

MAX_TEXT = 2000  # characters of text a link carries; longer texts are shared by test row or not at all

# Session-state keys of the widgets the URL sets.
DATASET = "dataset"  # the sidebar's dataset picker, shown when the checkpoints span several
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
METHOD_VALUES = (*METHOD_NAMES, ALL_METHODS)  # every method's id (rnnclf.explain.methods.REGISTRY), or all
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


def _example_state(dataset: Dataset, split: Split, row: int) -> dict[str, object]:
    """The session state that shows row `row` of `dataset`'s test split in the shared text box."""
    return {EXAMPLE: example(dataset, split, row), TEXT: split.texts[row]}


def load_example(dataset: Dataset, split: Split, row: int) -> None:
    """Put row `row` of `dataset`'s test split `split` into the shared text box (call before the text box is drawn)."""
    st.session_state.update(_example_state(dataset, split, row))


@dataclass(frozen=True)
class Widgets:
    """The widgets' state a URL is read into and written from (st.session_state; any dict in
    tests/app/test_links_table.py), with the checkpoints a link may name."""

    state: MutableMapping[str, Any]
    names: Sequence[str]

    @cached_property
    def dataset(self) -> Dataset | None:
        """The dataset of the checkpoint the single-model views show (the sidebar's, at first the first one):
        a link's row, class and cell are read in its terms. None when that checkpoint cannot be loaded.
        Looked up once, when first asked: after `model`, the table's first parameter, has been applied."""
        name = self.state.get(CHECKPOINT)
        if name not in self.names:  # the first checkpoint, of the linked dataset if there is one
            of_dataset = [n for n in self.names if self.dataset_of(n) == self.state.get(DATASET)]
            name = next(iter(of_dataset or self.names), None)
        checkpoint = load(name).checkpoint if name is not None else None
        return checkpoint.dataset if checkpoint is not None else None

    def dataset_of(self, name: str) -> str | None:
        checkpoint = load(name).checkpoint
        return checkpoint.dataset.name if checkpoint is not None else None

    @cached_property
    def split(self) -> Split | None:
        return test_split(self.dataset) if self.dataset is not None else None

    @property
    def classes(self) -> tuple[str, ...]:
        return self.dataset.classes if self.dataset is not None else ()

    @property
    def text(self) -> str:
        return self.state.get(TEXT) or ""

    @cached_property
    def example(self) -> Example | None:
        """The test-split example the shared text is, when it is one of the shown checkpoint's dataset."""
        loaded = self.state.get(EXAMPLE)
        if not (isinstance(loaded, Example) and loaded.text == self.text):
            return None
        return loaded if self.dataset is not None and loaded.dataset == self.dataset.name else None


@dataclass(frozen=True)
class Parsed:
    """A link's value checked: the session state it sets, and what was wrong with it ("" when nothing)."""

    state: Mapping[str, object] = field(default_factory=dict)
    problem: str = ""


Values = tuple[str | None, ...]  # a link's value for each of a parameter's names (None: not in the link)


@dataclass(frozen=True)
class Param:
    """One URL parameter, all the app knows of it: adding a parameter is adding a record to PARAMS (and its
    row to the README's Links table, which tests/app/test_links_table.py holds to PARAMS)."""

    names: tuple[str, ...]  # in the query string; a confusion cell's two are read and written together
    keys: tuple[str, ...]  # the session-state keys it sets; where each view keeps its own, one per view
    views: tuple[str, ...]  # the ids of the views whose URL carries it
    parse: Callable[[Param, Values, Widgets], Parsed]  # a link's values, checked
    write: Callable[[Param, Widgets, str], dict[str, str]]  # the state, as the URL of a view (its id) says it
    yields_to: str | None = None  # a parameter that wins when a link has both (a test row over a text)

    def key_in(self, view: str) -> str:
        """The key its value lives under in `view`: its only key, or that view's (in the order of `views`)."""
        return self.keys[0] if len(self.keys) == 1 else self.keys[self.views.index(view)]


def _checkpoint(param: Param, values: Values, widgets: Widgets) -> Parsed:
    [value] = values
    if value in widgets.names:
        return Parsed({param.keys[0]: value})
    return Parsed(problem=f"no checkpoint named {value!r}")


def _dataset(param: Param, values: Values, widgets: Widgets) -> Parsed:
    """A dataset some checkpoint was trained on. A `model` of it, read next, picks the checkpoint; without one
    the sidebar shows that dataset's first."""
    [value] = values
    known = {c.dataset.name for c in (load(name).checkpoint for name in widgets.names) if c is not None}
    if value in known:
        state = {param.keys[0]: value}
        if widgets.state.get(CHECKPOINT) in widgets.names and widgets.dataset_of(widgets.state[CHECKPOINT]) != value:
            state[CHECKPOINT] = None  # the sidebar moves to the dataset's first checkpoint
        return Parsed(state)
    return Parsed(problem=f"no checkpoint is of a dataset named {value!r}")


def _checkpoints(param: Param, values: Values, widgets: Widgets) -> Parsed:
    """Comma-separated checkpoints: the known ones are kept, the others named."""
    [value] = values
    chosen = [name for name in value.split(",") if name]
    unknown = [name for name in chosen if name not in widgets.names]
    known = [name for name in chosen if name in widgets.names]
    problem = f"no checkpoint named {', '.join(map(repr, unknown))}" if unknown else ""
    return Parsed(dict.fromkeys(param.keys, known) if known else {}, problem)


def _row(param: Param, values: Values, widgets: Widgets) -> Parsed:
    [row] = values
    split = widgets.split
    if split is None:
        return Parsed(problem="this server has no test split")
    if not row.isdecimal() or int(row) >= len(split):
        return Parsed(problem=f"not a test-split row number (0 to {len(split) - 1:,})")
    return Parsed(_example_state(widgets.dataset, split, int(row)))


def _text(param: Param, values: Values, widgets: Widgets) -> Parsed:
    [text] = values
    if len(text) > MAX_TEXT:
        return Parsed(problem=f"longer than the {MAX_TEXT:,} characters a link may carry")
    return Parsed({param.keys[0]: text})


def _class(param: Param, values: Values, widgets: Widgets) -> Parsed:
    [value] = values
    if value in (PREDICTED_CLASS, *widgets.classes):
        return Parsed({param.keys[0]: value})
    return Parsed(problem=f"not one of {', '.join(widgets.classes)}")


def _method(param: Param, values: Values, widgets: Widgets) -> Parsed:
    [value] = values
    if value not in METHOD_VALUES:
        return Parsed(problem=f"not one of {', '.join(METHOD_VALUES)}")
    explain, compare = param.keys
    # Compare shows one method per checkpoint: every method at once is Explain's alone.
    return Parsed({explain: value} if value == ALL_METHODS else {explain: value, compare: value})


def _cell(param: Param, values: Values, widgets: Widgets) -> Parsed:
    if all(value in widgets.classes for value in values):
        return Parsed(dict(zip(param.keys, values)))
    return Parsed(problem=f"both must be one of {', '.join(widgets.classes)}")


def _test(param: Param, values: Values, widgets: Widgets) -> Parsed:
    [value] = values
    if value in [spec.name for spec in load_suite().specs]:
        return Parsed({param.keys[0]: value})
    return Parsed(problem=f"no behavioural test named {value!r}")


def _present(param: Param, widgets: Widgets, view: str) -> dict[str, str]:
    """Every name's value, once all of them are set (by their widgets or a link)."""
    state = widgets.state
    if not all(key in state for key in param.keys):
        return {}
    return {name: state[key] for name, key in zip(param.names, param.keys)}


def _unless(default: str) -> Callable[[Param, Widgets, str], dict[str, str]]:
    """The value in the view, unless it is `default`: what the view shows when no link says otherwise."""

    def write(param: Param, widgets: Widgets, view: str) -> dict[str, str]:
        key = param.key_in(view)
        return {} if widgets.state.get(key, default) == default else {param.names[0]: widgets.state[key]}

    return write


def _unless_every(param: Param, widgets: Widgets, view: str) -> dict[str, str]:
    """The checkpoints chosen in the view, unless they are all of them (its default)."""
    key = param.key_in(view)
    if list(widgets.state.get(key, widgets.names)) == list(widgets.names):
        return {}
    return {param.names[0]: ",".join(widgets.state[key])}


def _row_query(param: Param, widgets: Widgets, view: str) -> dict[str, str]:
    return {} if widgets.example is None else {param.names[0]: str(widgets.example.row)}


def _text_query(param: Param, widgets: Widgets, view: str) -> dict[str, str]:
    """The shared text, unless it goes by its row, is blank, or is longer than a link carries (see `_note`)."""
    text = widgets.text
    if widgets.example is not None or not text.strip() or len(text) > MAX_TEXT:
        return {}
    return {param.names[0]: text}


TEXT_VIEWS = ("probe", "explain", "compare")
# In the order a link is applied (`dataset`, then `model`: the others are read in its checkpoint's terms)
# and its parameters are written.
PARAMS = (
    Param(("dataset",), (DATASET,), tuple(view.id for view in VIEWS), _dataset, _present),
    Param(("model",), (CHECKPOINT,), tuple(view.id for view in VIEWS), _checkpoint, _present),
    Param(("row",), (EXAMPLE, TEXT), TEXT_VIEWS, _row, _row_query),
    Param(("text",), (TEXT,), TEXT_VIEWS, _text, _text_query, yields_to="row"),
    Param(("class",), (CLASS,), ("explain",), _class, _unless(PREDICTED_CLASS)),
    Param(("method",), (EXPLAIN_METHOD, COMPARE_METHOD), ("explain", "compare"), _method, _unless("lime")),
    Param(("models",), (COMPARED, DISAGREEING), ("compare", "disagreements"), _checkpoints, _unless_every),
    Param(("vs",), (OTHER,), ("evaluate",), _checkpoint, _unless(NOBODY)),
    Param(("true", "pred"), (TRUE, PREDICTED), ("errors",), _cell, _present),
    Param(("test",), (BEHAVIOR_TEST,), ("behaviour",), _test, _present),
)
NAMES = frozenset(name for param in PARAMS for name in param.names)


def apply(query: Mapping[str, str], widgets: Widgets) -> list[str]:
    """Copy each parameter's valid value into the widgets' state; return what was wrong with the others."""
    problems: list[str] = []
    for param in PARAMS:
        if not any(name in query for name in param.names):
            continue
        if param.yields_to is not None and param.yields_to in query:
            continue
        parsed = param.parse(param, tuple(query.get(name) for name in param.names), widgets)
        widgets.state.update(parsed.state)
        if parsed.problem:
            problems.append(f"{', '.join(param.names)}: {parsed.problem}")
    unknown = sorted(set(query) - NAMES)
    if unknown:
        problems.append(f"unknown parameter {', '.join(map(repr, unknown))}")
    return problems


def read(names: Sequence[str]) -> None:
    """At the top of every run: a URL the app did not write is applied, and its bad parts reported."""
    params = st.query_params.to_dict()
    if params == st.session_state.get(_WRITTEN):
        return
    st.session_state[_WRITTEN] = params
    problems = apply(params, Widgets(st.session_state, names))
    if problems:
        st.warning(
            "This link could not be followed in full; the rest of the view shows its defaults. "
            + "; ".join(literal(p) for p in problems)
            + ".",
            icon=":material/link_off:",
        )


def params_for(view: View, widgets: Widgets) -> dict[str, str]:
    """What the URL of `view` says about the widgets' state."""
    params: dict[str, str] = {}
    for param in PARAMS:
        if view.id in param.views:
            params.update(param.write(param, widgets, view.id))
    return params


def _note(view: View, params: Mapping[str, str], widgets: Widgets) -> str | None:
    """What the link leaves out: a text that neither goes by its row nor fits in a link."""
    text = widgets.text
    if view.id not in TEXT_VIEWS or not text.strip() or params.keys() & {"row", "text"}:
        return None
    return f"The text is {len(text):,} characters, more than a link carries ({MAX_TEXT:,}): the link opens the view without it."


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
    widgets = Widgets(st.session_state, names)
    params = params_for(view, widgets)
    note = _note(view, params, widgets)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    st.session_state[_WRITTEN] = params
    link = f"{page_url(view)}?{urlencode(params)}" if params else page_url(view)
    with st.popover("Share this view", icon=":material/link:"):
        st.caption("This link opens the same view, checkpoint and text in any browser that can reach this app.")
        st.code(link, language=None, wrap_lines=True)
        if note:
            st.caption(note)
