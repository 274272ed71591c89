"""Behavioural tests (the CheckList method): what a model does on texts built to probe one capability.

Three kinds of test, as in Ribeiro et al. (ACL 2020):
- MFT, minimum functionality: templated texts with an unambiguous class; a case fails when the model
  predicts another class.
- INV, invariance: a test-split text and an edited copy that should read the same (a typo, another
  city); a case fails when the two predictions differ.
- DIR, directional: a test-split text and a copy with clear evidence for one class added; a case fails
  when the copy's probability of that class is lower than the original's by more than the tolerance.

The suite is data (`behavior_suite/suite.json` and its lexicons); `behavior_cases` turns it into cases,
seeded. The `checklist` package is unmaintained and pulls in heavy dependencies, so the method is
re-implemented here in a few lines instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from rnnclf.models.classifier import Classifier

SUITE_DIR = Path(__file__).resolve().parent / "suites"
SUITE_PATH = SUITE_DIR / "suite.json"
LEXICON_PATH = SUITE_DIR / "lexicons.json"
DECIMALS = 4  # probabilities are rounded to this before the rules apply, so the JSON report recounts exactly

Kind = Literal["MFT", "INV", "DIR"]
KINDS: tuple[Kind, ...] = ("MFT", "INV", "DIR")
KIND_RULES: dict[Kind, str] = {
    "MFT": "fails when the predicted class is not the expected one",
    "INV": "fails when the edited text's predicted class differs from the original's",
    "DIR": "fails when P(class) of the edited text < P(class) of the original - tolerance",
}


class SuiteError(ValueError):
    """A suite file that does not describe a valid suite; the message names the test."""


@dataclass(frozen=True)
class TestSpec:
    """One test as the suite file declares it; `generator` names the function that builds its cases."""

    __test__ = False  # not a pytest class

    name: str
    capability: str
    kind: Kind
    description: str
    generator: str
    cases: int  # how many cases to generate (fewer when the test split offers fewer)
    label: str | None = None  # MFT: the expected class; DIR: the class whose probability must not drop
    tolerance: float = 0.0  # DIR only
    templates: tuple[str, ...] = ()  # MFT templates, with {lexicon} slots
    lexicon: str | None = None  # the lexicon an INV or DIR generator draws from
    edits: int = 1  # typos per case

    @classmethod
    def from_dict(cls, data: Mapping) -> TestSpec:
        name = str(data.get("name", "?"))
        kind = data.get("type")
        if kind not in KINDS:
            raise SuiteError(f"test {name!r}: type must be one of {', '.join(KINDS)}")
        if kind in ("MFT", "DIR") and not data.get("label"):
            raise SuiteError(f"test {name!r}: an {kind} test needs a label")
        return cls(
            name=name,
            capability=str(data["capability"]),
            kind=kind,
            description=str(data.get("description", "")),
            generator=str(data["generator"]),
            cases=int(data["cases"]),
            label=data.get("label"),
            tolerance=float(data.get("tolerance", 0.0)),
            templates=tuple(data.get("templates", ())),
            lexicon=data.get("lexicon"),
            edits=int(data.get("edits", 1)),
        )


@dataclass(frozen=True)
class Case:
    """One input: the text the model reads and, for INV and DIR, the test-split text it was made from."""

    text: str
    original: str | None = None
    row: int | None = None  # the test-split row of `original`


@dataclass(frozen=True)
class BehaviorTest:
    __test__ = False

    spec: TestSpec
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Suite:
    seed: int
    specs: tuple[TestSpec, ...]
    lexicons: Mapping[str, tuple[str, ...]]


def load_suite(path: Path = SUITE_PATH, lexicon_path: Path = LEXICON_PATH) -> Suite:
    """The suite and lexicon files as records; a file that is not a suite is a SuiteError naming the file
    and, where it is one test, that test (a person's own suite: `behave --suite`)."""
    lexicons = json.loads(Path(lexicon_path).read_text(encoding="utf-8"))
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SuiteError(f"{path}: cannot be read as a JSON suite ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list) or not isinstance(data.get("seed"), int):
        raise SuiteError(f"{path}: a suite is an object with a whole-number 'seed' and a list of 'tests'")
    specs = []
    for number, test in enumerate(data["tests"], 1):
        if not isinstance(test, dict):
            raise SuiteError(f"{path}: test {number} is not an object")
        try:
            specs.append(TestSpec.from_dict(test))
        except KeyError as error:
            raise SuiteError(f"{path}: test {test.get('name', number)!r} has no {error.args[0]!r}") from None
        except (TypeError, ValueError) as error:
            raise SuiteError(f"{path}: test {test.get('name', number)!r}: {error}") from None
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise SuiteError(f"{path}: two tests share a name")
    if not specs:
        raise SuiteError(f"{path}: holds no tests")
    own = data.get("lexicons", {})  # a suite may bring word lists of its own, beside the project's
    if not isinstance(own, dict) or not all(
        isinstance(words, list) and words and all(isinstance(w, str) for w in words) for words in own.values()
    ):
        raise SuiteError(f"{path}: 'lexicons' maps each name to a non-empty list of strings")
    return Suite(data["seed"], tuple(specs), {k: tuple(v) for k, v in {**lexicons, **own}.items()})


def applicable(suite: Suite, classes: Sequence[str]) -> tuple[Suite, tuple[TestSpec, ...]]:
    """The suite with only the tests a dataset of `classes` can run, and the tests left out.

    An MFT or DIR test names a class (the suite's are AG News's); it runs only where that class exists.
    INV tests compare a model with itself, so they run on any dataset. Each test's cases are seeded by its
    own name, so leaving tests out never changes the others' cases.
    """
    runs = tuple(spec for spec in suite.specs if spec.label is None or spec.label in classes)
    return Suite(suite.seed, runs, suite.lexicons), tuple(spec for spec in suite.specs if spec not in runs)


@dataclass(frozen=True)
class TestResult:
    """One test on one checkpoint: which cases failed."""

    __test__ = False

    test: str
    checkpoint: str
    cases: int
    failed: tuple[int, ...]  # case indices

    @property
    def failure_rate(self) -> float:
        return len(self.failed) / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class SuiteRun:
    """Every case's texts scored by every checkpoint; the results follow from the probabilities alone."""

    tests: tuple[BehaviorTest, ...]
    classes: tuple[str, ...]
    texts: tuple[str, ...]  # every distinct text, cases' and originals'
    text_ids: tuple[tuple[tuple[int, int | None], ...], ...]  # per test, per case: (text, original) ids
    probabilities: Mapping[str, np.ndarray]  # checkpoint -> (len(texts), len(classes)), rounded to DECIMALS
    results: tuple[TestResult, ...]

    def result(self, test: str, checkpoint: str) -> TestResult:
        return next(r for r in self.results if r.test == test and r.checkpoint == checkpoint)


def failures(spec: TestSpec, classes: Sequence[str], text: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Which cases fail, from the probabilities of their texts (and originals): the three rules above."""
    if spec.kind == "MFT":
        return text.argmax(axis=1) != classes.index(spec.label)
    if spec.kind == "INV":
        return text.argmax(axis=1) != original.argmax(axis=1)
    target = classes.index(spec.label)
    return text[:, target] < original[:, target] - spec.tolerance


def run_suite(tests: Sequence[BehaviorTest], classifiers: Sequence[Classifier]) -> SuiteRun:
    """Score each distinct text once per classifier, then apply each test's rule."""
    classes = classifiers[0].classes
    if any(c.classes != classes for c in classifiers):
        raise ValueError("the checkpoints must share their classes to run one suite")
    index: dict[str, int] = {}
    text_ids = tuple(
        tuple(
            (
                index.setdefault(case.text, len(index)),
                None if case.original is None else index.setdefault(case.original, len(index)),
            )
            for case in test.cases
        )
        for test in tests
    )
    texts = tuple(index)
    probabilities = {}
    for classifier in classifiers:
        scored = np.round(classifier.predict_proba(texts).astype(np.float64), DECIMALS)
        scored.setflags(write=False)
        probabilities[classifier.name] = scored
    results = []
    for test, ids in zip(tests, text_ids):
        text_rows = np.array([t for t, _ in ids], dtype=np.int64)
        original_rows = np.array([o if o is not None else -1 for _, o in ids], dtype=np.int64)
        for name, probs in probabilities.items():
            failed = failures(test.spec, classes, probs[text_rows], probs[original_rows])
            results.append(TestResult(test.spec.name, name, len(ids), tuple(int(i) for i in np.flatnonzero(failed))))
    return SuiteRun(tuple(tests), tuple(classes), texts, text_ids, probabilities, tuple(results))
