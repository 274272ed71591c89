"""The table of URL parameters (app.links.PARAMS) against the views and the README, and each parameter read
back as written, without a running app (the widgets' state is a plain dict)."""

from __future__ import annotations

import re

import pytest

from app import links, state
from app.links import PARAMS, Widgets
from app.pages import BY_ID, VIEWS
from apptest_utils import SHIPPED, rerun, start
from rnnclf.behavior.suite import load_suite
from rnnclf.core.paths import PROJECT_ROOT

pytestmark = pytest.mark.skipif(len(SHIPPED) < 3, reason="needs three shipped checkpoints under checkpoints/")
TYPED = "The Yankees beat the Red Sox 5-3 on Sunday."


def every_choice_made(*, typed: bool) -> dict[str, object]:
    """A state in which every widget a URL sets differs from its default; the text typed, or a test row."""
    names = tuple(SHIPPED)
    dataset = state.load(names[1]).checkpoint.dataset
    chosen: dict[str, object] = {
        links.DATASET: dataset.name,  # set where the sidebar offers several datasets
        links.CHECKPOINT: names[1],
        links.CLASS: dataset.classes[1],
        links.EXPLAIN_METHOD: "shap",
        links.COMPARE_METHOD: "occlusion",
        links.COMPARED: list(names[:2]),
        links.DISAGREEING: list(names[1:3]),
        links.OTHER: names[2],
        links.TRUE: dataset.classes[0],
        links.PREDICTED: dataset.classes[1],
        links.BEHAVIOR_TEST: load_suite().specs[-1].name,
    }
    if typed:
        chosen[links.TEXT] = TYPED
    else:
        chosen.update(links._example_state(dataset, state.test_split(dataset), 12))
    return chosen


def test_every_view_named_in_the_table_exists_and_every_name_is_one_parameter() -> None:
    assert {view for param in PARAMS for view in param.views} <= set(BY_ID)
    names = [name for param in PARAMS for name in param.names]
    assert len(names) == len(set(names)) and links.NAMES == set(names)
    assert all(param.yields_to is None or param.yields_to in links.NAMES for param in PARAMS)


@pytest.mark.parametrize("typed", [True, False], ids=["text", "row"])
@pytest.mark.parametrize("view", VIEWS, ids=[view.id for view in VIEWS])
def test_each_view_writes_exactly_its_parameters_and_reads_them_back(view, typed: bool) -> None:
    chosen = every_choice_made(typed=typed)
    written = links.params_for(view, Widgets(chosen, tuple(SHIPPED)))
    shown_text = {"text"} if typed else {"row"}
    assert set(written) == set(view.params) - ({"text", "row"} - shown_text)
    fresh: dict[str, object] = {}
    assert links.apply(written, Widgets(fresh, tuple(SHIPPED))) == []
    assert links.params_for(view, Widgets(fresh, tuple(SHIPPED))) == written
    for param in PARAMS:  # each parameter alone sets only the keys it declares
        alone: dict[str, object] = {}
        links.apply({name: written[name] for name in param.names if name in written}, Widgets(alone, tuple(SHIPPED)))
        assert set(alone) <= set(param.keys), param.names


def test_each_views_url_follows_its_own_widgets() -> None:
    """Where views keep their own choice (a method, a set of checkpoints), each one's URL says its own."""
    at = start()
    at.session_state[links.EXPLAIN_METHOD], at.session_state[links.COMPARE_METHOD] = "occlusion", "shap"
    at.session_state[links.COMPARED], at.session_state[links.DISAGREEING] = SHIPPED[:2], SHIPPED[1:3]
    for view, own in (
        ("explain", {"method": "occlusion"}),
        ("compare", {"method": "shap", "models": ",".join(SHIPPED[:2])}),
        ("disagreements", {"models": ",".join(SHIPPED[1:3])}),
    ):
        at.switch_page(BY_ID[view].script)
        at = rerun(at)
        assert {name: at.query_params[name] for name in own} == own, view


def test_a_view_at_its_defaults_links_the_checkpoint_alone() -> None:
    for view in VIEWS:
        defaults = {links.CHECKPOINT: SHIPPED[0]}
        assert links.params_for(view, Widgets(defaults, tuple(SHIPPED))) == {"model": SHIPPED[0]}


def test_a_row_wins_over_a_text_and_known_checkpoints_stay() -> None:
    applied: dict[str, object] = {}
    query = {"row": "3", "text": TYPED, "models": f"{SHIPPED[0]},nope"}
    assert links.apply(query, Widgets(applied, tuple(SHIPPED))) == ["models: no checkpoint named 'nope'"]
    assert applied[links.TEXT] == state.test_split(state.load(SHIPPED[0]).checkpoint.dataset).texts[3]
    assert applied[links.COMPARED] == applied[links.DISAGREEING] == [SHIPPED[0]]


def readme_links() -> dict[str, set[str]]:
    """The README's Links table: each parameter name and the views it lists ("all": every view)."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Links", 1)[1].split("\n#", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        views = set(BY_ID) if cells[1] == "all" else {view.strip() for view in cells[1].split(",")}
        for name in re.findall(r"`([^`]+)`", cells[0]):
            table[name] = views
    return table


def test_the_readme_lists_every_parameter_with_its_views() -> None:
    assert readme_links() == {name: set(param.views) for param in PARAMS for name in param.names}
