"""The methods' registry and the classifiers' capabilities: every list of methods is the registry's, a
method runs only where the classifier declares what it needs, and each family's declarations hold."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import torch

from apptest_utils import SHIPPED
from rnnclf import load_classifier
from rnnclf.cli import main
from rnnclf.core.paths import PROJECT_ROOT
from rnnclf.core.text import tokenize
from rnnclf.explain.faithfulness import evaluate
from rnnclf.explain.methods import (
    ALL,
    CLI_CHOICES,
    METHODS,
    NAMES,
    REGISTRY,
    attribute,
    available,
    lookup,
    missing,
    resolve,
)
from rnnclf.models.classifier import Capability, Classifier, Unsupported

TEXT = "Oil prices rose on Monday as traders worried about supply, and oil stocks on Wall Street fell."


class Counting(Classifier):
    """A model that only predicts (from how often "oil" occurs): no gradients, no coefficients, no random copy."""

    name = "counting"
    classes = ("World", "Business")
    max_tokens = None

    def predict_proba_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        oil = np.array([sum(t == "oil" for t in tokens) for tokens in token_lists], dtype=np.float64)
        business = 1 / (1 + np.exp(1.0 - oil))
        return np.stack([1 - business, business], axis=1).astype(np.float32)

    def is_known(self, token: str) -> bool:
        return token in ("oil",)


@pytest.fixture(scope="module")
def shipped() -> dict[str, Classifier]:
    return {name: load_classifier(name) for name in SHIPPED}


def test_every_list_of_methods_is_the_registrys(capsys: pytest.CaptureFixture) -> None:
    ids = [method.id for method in REGISTRY]
    assert len(set(ids)) == len(ids) and NAMES == tuple(ids)
    assert METHODS == tuple(m.id for m in REGISTRY if m.stands_in_for is None)
    for method in REGISTRY:  # a stand-in answers for an offered method, never for another stand-in
        assert method.stands_in_for is None or method.stands_in_for in METHODS
    assert sorted(CLI_CHOICES) == sorted([*NAMES, ALL])
    # The explain command refuses any other value and lists exactly these (argparse's own message).
    with pytest.raises(SystemExit):
        main(["explain", "--checkpoint", SHIPPED[0], "--text", TEXT, "--method", "nope"])
    listed = capsys.readouterr().err.split("choose from ")[1]
    assert [choice.strip(" '\n)") for choice in listed.split(",")] == list(CLI_CHOICES)


def test_unknown_methods_are_named_as_such() -> None:
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        lookup("nope")
    with pytest.raises(ValueError, match="unknown method"):
        attribute(Counting(), TEXT, ("nope",))


def test_each_shipped_family_declares_what_it_can_do(shipped: dict[str, Classifier]) -> None:
    """A declared capability works; an undeclared one is refused by name, never half-run."""
    tokens = tuple(tokenize(TEXT))
    for classifier in shipped.values():
        declared = classifier.capabilities
        assert Capability.RANDOMIZED in declared  # the faithfulness report's sanity check needs every shipped one
        assert (Capability.GRADIENTS in declared) != (Capability.LINEAR in declared)  # one white-box method each
        if Capability.GRADIENTS in declared:
            inputs = classifier.embedding_gradients(tokens)
            assert inputs.module is not getattr(classifier, "model", None)  # a copy for hooks, not the shared model
            assert inputs.baseline.shape == inputs.ids.shape and inputs.layers
            with torch.no_grad():
                p = torch.softmax(inputs.module(inputs.ids, inputs.lengths), dim=1).numpy()
            assert np.allclose(p, classifier.predict_proba_tokens([tokens]), atol=1e-6)
        else:
            with pytest.raises(Unsupported, match="gradients"):
                classifier.embedding_gradients(tokens)
        if Capability.LINEAR in declared:
            assert classifier.linear_contributions(tokens, 0).shape == (len(tokens),)
        else:
            with pytest.raises(Unsupported, match="linear"):
                classifier.linear_contributions(tokens, 0)
        copy = classifier.randomized(7)
        assert copy.classes == classifier.classes and copy.capabilities == declared
        assert np.array_equal(copy.predict_proba([TEXT]), classifier.randomized(7).predict_proba([TEXT]))  # seeded
        assert not np.array_equal(copy.predict_proba([TEXT]), classifier.predict_proba([TEXT]))


def test_the_white_box_slot_is_decided_by_capabilities(shipped: dict[str, Classifier]) -> None:
    for classifier in shipped.values():
        white_box = "ig" if Capability.GRADIENTS in classifier.capabilities else "linear"
        assert resolve("ig", classifier) == resolve("linear", classifier) == white_box
        assert available(classifier) == tuple(white_box if m == "ig" else m for m in METHODS)
        assert missing(classifier) == ()
        assert resolve("occlusion", classifier) == "occlusion"
    assert resolve("ig", shipped["tfidf_lr"]) == "linear"  # no gradients: its exact contributions
    assert resolve("linear", shipped["approach1"]) == "ig"  # a link for the other kind still works


def test_a_classifier_without_gradients_or_coefficients_is_left_out_with_a_reason() -> None:
    counting = Counting()
    assert available(counting) == tuple(m for m in METHODS if lookup(m).needs is None)
    [reason] = missing(counting)
    assert "Integrated Gradients" in reason and "counting" in reason
    assert Capability.GRADIENTS.value in reason and Capability.LINEAR.value in reason
    for asked in ("ig", "linear"):
        with pytest.raises(Unsupported, match="Integrated Gradients"):
            attribute(counting, TEXT, (asked,))
    assert [a.method for a in attribute(counting, TEXT, samples=50, shap_samples=50)] == list(available(counting))
    with pytest.raises(Unsupported, match="random weights"):
        counting.randomized(0)
    rows = evaluate(counting, [TEXT], lime_samples=50, shap_samples=50, sanity_texts=1)
    assert [row.method for row in rows] == list(available(counting))
    assert all(row.sanity is None for row in rows)  # no random copy: no sanity figure, and no error


def test_each_attribution_reports_its_seed_only_if_it_draws_samples() -> None:
    results = attribute(Counting(), TEXT, samples=50, shap_samples=50, seed=5)
    assert {a.method: a.seed for a in results} == {m: 5 if lookup(m).seeded else None for m in available(Counting())}
    assert all(a.about.facts(a) for a in results)


def concrete_type_checks(path: Path, families: set[str]) -> list[str]:
    """Each `isinstance(x, T)` in `path` whose T (or a type in a tuple T) is one of `families`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance" and len(node.args) == 2:
            names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
            found += [f"{path.name}:{node.lineno}: isinstance(..., {name})" for name in sorted(names & families)]
    return found


def test_no_code_outside_a_family_checks_a_concrete_classifier_type() -> None:
    import rnnclf.checkpoints.families  # noqa: F401 - every shipped family's classifier is a subclass by now

    families = {cls.__name__ for cls in Classifier.__subclasses__()}
    assert {"RecurrentTextClassifier", "TfidfLogisticClassifier"} <= families
    found = []
    for path in sorted([*(PROJECT_ROOT / "rnnclf").rglob("*.py"), *(PROJECT_ROOT / "app").rglob("*.py")]):
        if (
            path.is_relative_to(PROJECT_ROOT / "rnnclf" / "models")
            or path == PROJECT_ROOT / "rnnclf/checkpoints/families.py"
        ):
            continue  # a family may know its own types
        found += concrete_type_checks(path, families)
    assert not found, "\n".join(found)


def test_the_check_sees_a_concrete_type_check(tmp_path: Path) -> None:
    """The scan above finds a family's type inside a tuple of types too."""
    module = tmp_path / "m.py"
    module.write_text("def f(c):\n    return isinstance(c, (int, TfidfLogisticClassifier))\n")
    assert concrete_type_checks(module, {"TfidfLogisticClassifier"}) == [
        "m.py:2: isinstance(..., TfidfLogisticClassifier)"
    ]
