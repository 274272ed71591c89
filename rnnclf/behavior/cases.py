"""The cases of each behavioural test: MFT texts from templates, INV and DIR edits of test-split texts.

Every generator is seeded by the suite's seed and the test's name, so the same suite gives the same
cases whatever the order of its tests. An edit that would leave a text unchanged (no typo-able word,
no listed city) skips that text: every INV and DIR case differs from its original.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rnnclf.behavior.suite import BehaviorTest, Case, Suite, SuiteError, TestSpec
from rnnclf.data.dataset import Split

Lexicons = Mapping[str, tuple[str, ...]]
Edit = Callable[[str, np.random.Generator, TestSpec, Lexicons], str | None]

SLOT = re.compile(r"\{([a-z_]+?)(\d*)\}")
WORD = re.compile(r"[A-Za-z]{4,}")
NUMBER = re.compile(r"\d+")
ATTEMPTS_PER_CASE = 50  # template draws per wanted case before giving up on finding new texts


def rng_for(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _pick(rng: np.random.Generator, values: Sequence[str], exclude: str | None = None) -> str:
    pool = [v for v in values if v != exclude]
    return pool[int(rng.integers(len(pool)))]


def _words(lexicon: Sequence[str]) -> re.Pattern:
    """Any entry as a whole word, longest first (so "New Delhi" wins over a shorter entry)."""
    ordered = sorted(lexicon, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w])")


def fill(template: str, lexicons: Lexicons, rng: np.random.Generator) -> str:
    """One filling of a template; slots of one lexicon ({team}, {team2}) get distinct values."""
    chosen: dict[str, str] = {}
    for match in SLOT.finditer(template):
        slot, lexicon = match.group(0), match.group(1)
        if slot not in chosen:
            used = {chosen[s] for s in chosen if SLOT.fullmatch(s).group(1) == lexicon}
            chosen[slot] = _pick(rng, [v for v in lexicons[lexicon] if v not in used])
    return SLOT.sub(lambda m: chosen[m.group(0)], template)


def templated(spec: TestSpec, lexicons: Lexicons, rng: np.random.Generator) -> list[Case]:
    """Distinct fillings of the templates, drawn until there are `spec.cases` (or draws run out)."""
    texts: dict[str, None] = {}
    for _ in range(spec.cases * ATTEMPTS_PER_CASE):
        if len(texts) == spec.cases:
            break
        texts.setdefault(fill(spec.templates[int(rng.integers(len(spec.templates)))], lexicons, rng))
    return [Case(text) for text in texts]


def typos(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    """Swap two adjacent, different letters in `spec.edits` distinct words."""
    words = [m for m in WORD.finditer(text) if len(set(m.group())) > 1]
    if len(words) < spec.edits:
        return None
    chars = list(text)
    for k in rng.choice(len(words), spec.edits, replace=False):
        start, word = words[k].start(), words[k].group()
        places = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
        i = start + places[int(rng.integers(len(places)))]
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def lowercase(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    return text.lower()


def append(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    return text.rstrip() + " " + _pick(rng, lexicons[spec.lexicon])


def prepend(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    return _pick(rng, lexicons[spec.lexicon]) + " " + text.lstrip()


def strip_source(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    """Delete "(Reuters)" and "Reuters - " style tags of the listed sources."""
    names = "|".join(map(re.escape, sorted(lexicons[spec.lexicon], key=len, reverse=True)))
    text = re.sub(r"\s*\((?:" + names + r")\)", "", text)
    return re.sub(r"(?:(?<=\s)|^)(?:" + names + r")\s+-\s+", "", text)


def numbers(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    """Every number replaced by a different one with as many digits."""

    def other(match: re.Match) -> str:
        old = match.group()
        low = 10 ** (len(old) - 1) if len(old) > 1 else 0
        new = str(int(rng.integers(low, 10 ** len(old))))
        return new if new != old else str(low + (int(old) + 1 - low) % (10 ** len(old) - low))

    return NUMBER.sub(other, text)


def swap(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    """The first listed name found, every mention of it, replaced by another listed name."""
    lexicon = lexicons[spec.lexicon]
    found = _words(lexicon).search(text)
    if found is None:
        return None
    return re.sub(rf"(?<![\w.]){re.escape(found.group())}(?!\w)", _pick(rng, lexicon, found.group()), text)


def swap_person(text: str, rng: np.random.Generator, spec: TestSpec, lexicons: Lexicons) -> str | None:
    """A listed first name followed by a capitalised surname, every mention of it, replaced by another name."""
    pattern = re.compile(_words(lexicons[spec.lexicon]).pattern + r" [A-Z][a-z]+(?!\w)")
    found = pattern.search(text)
    if found is None:
        return None
    first, last = found.group().split(" ")
    new = f"{_pick(rng, lexicons[spec.lexicon], first)} {_pick(rng, lexicons['last_name'], last)}"
    return text.replace(found.group(), new)


EDITS: dict[str, Edit] = {
    f.__name__: f for f in (typos, lowercase, append, prepend, strip_source, numbers, swap, swap_person)
}


def edited(spec: TestSpec, lexicons: Lexicons, rng: np.random.Generator, split: Split) -> list[Case]:
    """Edits of test-split texts in a seeded random order, until `spec.cases` changed the text."""
    edit = EDITS[spec.generator]
    cases = []
    for row in rng.permutation(len(split)):
        original = split.texts[row]
        text = edit(original, rng, spec, lexicons)
        if text is not None and text != original and text.strip():
            cases.append(Case(text, original, int(row)))
            if len(cases) == spec.cases:
                break
    return cases


GENERATORS = ("template", *EDITS)
LEXICON_EDITS = ("append", "prepend", "strip_source", "swap", "swap_person")  # edits that draw from `lexicon`


def check(suite: Suite, classes: Sequence[str]) -> None:
    """A SuiteError naming the first test that cannot run on a dataset of `classes`: an unknown generator or
    lexicon, a template without slots it can fill, a class the dataset does not have, no cases asked for."""
    for spec in suite.specs:
        where = f"test {spec.name!r}"
        if spec.generator not in GENERATORS:
            raise SuiteError(f"{where}: no generator named {spec.generator!r}; one of {', '.join(GENERATORS)}")
        if spec.cases < 1:
            raise SuiteError(f"{where}: 'cases' must be 1 or more")
        if spec.label is not None and spec.label not in classes:
            raise SuiteError(f"{where}: label {spec.label!r} is not a class of the dataset ({', '.join(classes)})")
        if spec.generator == "template":
            if not spec.templates:
                raise SuiteError(f"{where}: a template test needs 'templates'")
            slots = {match.group(1) for template in spec.templates for match in SLOT.finditer(template)}
            unknown = sorted(slots - suite.lexicons.keys())
            if unknown:
                raise SuiteError(f"{where}: no lexicon named {', '.join(unknown)}; one of {', '.join(suite.lexicons)}")
        elif spec.generator in LEXICON_EDITS and spec.lexicon not in suite.lexicons:
            raise SuiteError(f"{where}: {spec.generator} needs a 'lexicon', one of {', '.join(suite.lexicons)}")


def build(suite: Suite, split: Split) -> tuple[BehaviorTest, ...]:
    """Every test of the suite with its cases."""
    tests = []
    for spec in suite.specs:
        if spec.generator not in GENERATORS:
            raise SuiteError(f"test {spec.name!r}: no generator named {spec.generator!r}")
        rng = rng_for(suite.seed, spec.name)
        if spec.generator == "template":
            cases = templated(spec, suite.lexicons, rng)
        else:
            cases = edited(spec, suite.lexicons, rng, split)
        tests.append(BehaviorTest(spec, tuple(cases)))
    return tuple(tests)
