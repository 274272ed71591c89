"""The ways to score the words of one prediction, on the same features, in one result shape, each
declared once (`Method`, in `REGISTRY`): every list of methods (the CLI's choices, the app's URL values,
labels and facts, the faithfulness report's rows) is read from there.

Every method scores the words the model reads (`explain.Words`: distinct words, each removed with
every occurrence, as LIME's features) for one class, so the app can show them side by side and the
faithfulness measure can rank by any of them:
- LIME: `explain.explain` (the local linear model's weights);
- Integrated Gradients (Captum's `LayerIntegratedGradients` on the embedding layers the model names,
  `Classifier.embedding_gradients`) from the input of unknown words;
- occlusion: the drop in the class probability when a word is removed (d + 1 forward passes);
- KernelSHAP (Captum's `KernelShap`) over word presence, seeded.
A method that needs more than predictions names the `Capability` it needs. A model without gradients
but with exact linear contributions (TF-IDF) gets those instead ("linear" stands in for "ig": asking
either by name gets whichever of the two the model can run).
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from rnnclf.explain.lime import DEFAULT_SAMPLES, MAX_SAMPLES, explain
from rnnclf.explain.words import Piece, Words
from rnnclf.models.classifier import Capability, Classifier, Unsupported

IG_STEPS = 50
# KernelSHAP's samples: Captum draws and weighs them one at a time in Python, so each costs far more
# than a LIME sample; its kernel and exact end points need fewer (bench/ times both).
SHAP_SAMPLES = 500
# Captum's KernelShap draws its samples from torch's global generator. Seeding it is only
# deterministic if no other thread draws in between, hence one lock for every seeded draw.
_TORCH_RNG = threading.Lock()
ALL = "all"  # asks for every method the model can run (the CLI's --method, the app's URLs)


@dataclass(frozen=True)
class Budget:
    """How much the sampling methods may draw, and from which seed."""

    lime_samples: int = DEFAULT_SAMPLES
    shap_samples: int = SHAP_SAMPLES
    seed: int = 0
    lime_features: int | None = None  # how many words LIME's local model may use (None: all)


@dataclass(frozen=True)
class Scores:
    """What a method computes before it is dressed as an `Attribution`."""

    values: np.ndarray  # per feature
    samples: int
    delta: float | None = None
    fit: float | None = None


@dataclass(frozen=True)
class Method:
    """One attribution method: everything that offers, labels, lists or runs it reads this record."""

    id: str  # in URLs, the CLI's --method, the reports' rows
    title: str
    short: str  # in tables that pair methods
    unit: str  # what a score measures: the change it explains
    summary: str  # what it does, as the app's method picker explains it
    needs: Capability | None  # what the classifier must declare to run it; None: predictions suffice
    run: Callable[[Classifier, Words, int, Budget], Scores]
    facts: Callable[[Attribution], tuple[str, ...]]  # its own numbers, in words (samples, steps, gaps)
    stands_in_for: str | None = None  # the method whose place it takes for a classifier that cannot run that one
    stand_in_note: str = ""  # ... said after that one's title where both may answer (several models at once)
    seeded: bool = False  # draws random samples from `Budget.seed`
    selective: bool = False  # scores only the words it selects, the others 0

    def applies(self, classifier: Classifier) -> bool:
        return self.needs is None or self.needs in classifier.capabilities

    @property
    def slot(self) -> str:
        """The offered method it answers for: its own id, or the one it stands in for."""
        return self.stands_in_for or self.id


@dataclass(frozen=True)
class Attribution:
    """One method's scores for the words of one text and one class."""

    method: str  # a method's id (`lookup`)
    label: int
    features: tuple[str, ...]  # the distinct words, in order of first appearance
    scores: tuple[float, ...]  # per feature: how much it pushes the class up (negative: down), in its unit
    pieces: tuple[Piece, ...]  # the whole text, each word carrying its feature's score
    probability: float  # the model's probability of `label` for the explained words
    samples: int  # model inputs scored (forward passes of one text)
    truncated: bool
    unknown_only: bool
    delta: float | None = None  # IG: sum of attributions minus (f(text) - f(baseline)), Captum's convergence delta
    fit: float | None = None  # LIME: R^2 of its local linear model
    seed: int | None = None  # the seed its samples were drawn from (None: it draws none)
    seconds: float = field(default=0.0, compare=False)

    @property
    def about(self) -> Method:
        return lookup(self.method)

    @property
    def title(self) -> str:
        return self.about.title

    def top(self, k: int) -> tuple[tuple[str, float], ...]:
        """The k words that push the class up most, strongest first."""
        order = ranking(np.asarray(self.scores))[:k]
        return tuple((self.features[i], self.scores[i]) for i in order)

    def strongest(self, k: int) -> tuple[tuple[str, float], ...]:
        """The k words with the largest |score|, either way, largest first (zero scores left out)."""
        order = ranking(np.abs(self.scores))[:k]
        return tuple((self.features[i], self.scores[i]) for i in order if self.scores[i])


def ranking(scores: np.ndarray) -> np.ndarray:
    """Feature indices, most supporting first; ties keep text order (a stable sort)."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


def probabilities(classifier: Classifier, words: Words, present: np.ndarray) -> np.ndarray:
    """The model's probabilities with only the words where `present` (rows, features) is true."""
    return classifier.predict_proba_masked(words.tokens, words.keep(present))


def lime_scores(classifier: Classifier, words: Words, label: int, samples: int, seed: int, features: int) -> Scores:
    explanation = explain(classifier, words.text, label, num_samples=samples, num_features=features, seed=seed)
    weight_of = dict(explanation.top)
    return Scores(
        np.array([weight_of.get(word, 0.0) for word in words.features]),
        explanation.num_samples,
        fit=explanation.score,
    )


def occlusion_scores(classifier: Classifier, words: Words, label: int) -> Scores:
    """Exact: the text, then the text without each word in turn, in one batch."""
    d = len(words.features)
    present = np.ones((d + 1, d), dtype=bool)
    present[np.arange(1, d + 1), np.arange(d)] = False
    p = probabilities(classifier, words, present)[:, label]
    return Scores(p[0] - p[1:], d + 1)


def shap_scores(classifier: Classifier, words: Words, label: int, samples: int, seed: int) -> Scores:
    d = len(words.features)
    if d == 1:  # Captum's kernel needs two features; one word's Shapley value is exactly its removal effect
        p = probabilities(classifier, words, np.array([[True], [False]]))[:, label]
        return Scores(np.array([p[0] - p[1]]), 2)
    from captum.attr import KernelShap

    def forward(present: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(probabilities(classifier, words, present.numpy() > 0.5))

    with _TORCH_RNG, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        values = KernelShap(forward).attribute(
            torch.ones(1, d),
            baselines=torch.zeros(1, d),
            target=label,
            feature_mask=torch.arange(d)[None],
            n_samples=samples,
            perturbations_per_eval=samples,
        )
    return Scores(values[0].double().numpy(), samples)


def ig_scores(classifier: Classifier, words: Words, label: int, steps: int = IG_STEPS) -> Scores:
    """Per word: the sum of its tokens' attributions over every embedding dimension of every layer the
    model integrates along (`Classifier.embedding_gradients`), so the words add up to the whole difference."""
    from captum.attr import LayerIntegratedGradients

    inputs = classifier.embedding_gradients(words.tokens)

    def forward(ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return torch.softmax(inputs.module(ids, lengths), dim=1)

    with torch.enable_grad(), warnings.catch_warnings():
        # Captum warns whenever it is given several layers; the model's all read the ids, none another's output.
        warnings.filterwarnings("ignore", message="Multiple layers provided", category=UserWarning)
        attributions, delta = LayerIntegratedGradients(forward, list(inputs.layers)).attribute(
            inputs.ids,
            baselines=inputs.baseline,
            target=label,
            additional_forward_args=(inputs.lengths,),
            n_steps=steps,
            return_convergence_delta=True,
        )
    per_token = inputs.to_tokens(tuple(layer.sum(dim=-1) for layer in attributions))
    per_token = per_token[0].detach().double().numpy()
    n = int(inputs.lengths[0])
    values = np.bincount(words.token_feature[:n], weights=per_token[:n], minlength=len(words.features))
    return Scores(values, steps + 1, delta=float(delta[0]))


def linear_scores(classifier: Classifier, words: Words, label: int) -> Scores:
    """The model's exact contributions (`Classifier.linear_contributions`), summed per word: they add up
    to the class's logit minus the mean logit, relative to the empty text."""
    per_token = classifier.linear_contributions(words.tokens, label)
    values = np.bincount(words.token_feature, weights=per_token, minlength=len(words.features))
    return Scores(values, 1)


def _bounded(samples: int) -> int:
    return int(min(max(samples, 2), MAX_SAMPLES))


def _lime_facts(result: Attribution) -> tuple[str, ...]:
    return f"{result.samples:,} samples", f"{sum(1 for s in result.scores if s)} words", f"seed {result.seed}"


REGISTRY: tuple[Method, ...] = (  # display order
    Method(
        id="lime",
        title="LIME",
        short="LIME",
        unit="probability (local linear weight)",
        summary="LIME fits a local linear model to perturbed copies of the text",
        needs=None,
        run=lambda classifier, words, label, budget: lime_scores(
            classifier,
            words,
            label,
            _bounded(budget.lime_samples),
            budget.seed,
            budget.lime_features or len(words.features),
        ),
        facts=_lime_facts,
        seeded=True,
        selective=True,
    ),
    Method(
        id="ig",
        title="Integrated Gradients",
        short="IG",
        unit="probability",
        summary="Integrated Gradients follows the model's gradients from an input of unknown words",
        needs=Capability.GRADIENTS,
        run=lambda classifier, words, label, budget: ig_scores(classifier, words, label),
        facts=lambda result: (f"{result.samples - 1} steps", f"completeness gap {result.delta:+.4f}"),
    ),
    Method(
        id="linear",
        title="Exact linear contributions",
        short="linear",
        unit="class logit minus the mean logit",
        summary="The TF-IDF model gets its exact linear contributions instead of gradients",
        needs=Capability.LINEAR,
        run=lambda classifier, words, label, budget: linear_scores(classifier, words, label),
        facts=lambda result: ("exact",),
        stands_in_for="ig",
        stand_in_note="exact contributions for TF-IDF",
    ),
    Method(
        id="occlusion",
        title="Occlusion (leave one word out)",
        short="occlusion",
        unit="probability",
        summary="occlusion removes each word in turn",
        needs=None,
        run=lambda classifier, words, label, budget: occlusion_scores(classifier, words, label),
        facts=lambda result: (f"{result.samples:,} forward passes (exact)",),
    ),
    Method(
        id="shap",
        title="KernelSHAP",
        short="KernelSHAP",
        unit="probability",
        summary="KernelSHAP estimates Shapley values",
        needs=None,
        run=lambda classifier, words, label, budget: shap_scores(
            classifier, words, label, _bounded(budget.shap_samples), budget.seed
        ),
        facts=lambda result: (f"{result.samples:,} samples", f"seed {result.seed}"),
        seeded=True,
    ),
)
_BY_ID = {method.id: method for method in REGISTRY}
NAMES = tuple(_BY_ID)  # every id a request may name, in display order (the app's URL values)
METHODS = tuple(method.id for method in REGISTRY if method.stands_in_for is None)  # what is offered, in display order
STAND_INS = tuple(method.id for method in REGISTRY if method.stands_in_for is not None)
CLI_CHOICES = (*METHODS, *STAND_INS, ALL)  # the explain command's --method, in the order its --help lists them
OFFERED = ", ".join(_BY_ID[method].short for method in METHODS)  # the offered methods in a line of prose


def lookup(method: str) -> Method:
    """The declaration of the method with id `method`."""
    try:
        return _BY_ID[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}") from None


def resolve(method: str, classifier: Classifier) -> str:
    """`method` as it applies to `classifier`: the first method of its slot (`Method.slot`) the classifier
    can run ("ig" and "linear" name the same slot), or `Unsupported` saying what each one needs."""
    slot = lookup(method).slot
    candidates = [candidate for candidate in REGISTRY if candidate.slot == slot]
    for candidate in candidates:
        if candidate.applies(classifier):
            return candidate.id
    needs = " or ".join(candidate.needs.value for candidate in candidates if candidate.needs is not None)
    raise Unsupported(
        f"no {lookup(slot).title} for {classifier.name}: it needs {needs}, which the model does not declare"
    )


def available(classifier: Classifier) -> tuple[str, ...]:
    """Every offered method as it applies to `classifier`, in display order; a slot it can fill with no
    method is left out (`missing` says why)."""
    found = []
    for method in METHODS:
        try:
            found.append(resolve(method, classifier))
        except Unsupported:
            continue
    return tuple(found)


def missing(classifier: Classifier) -> tuple[str, ...]:
    """Why each offered method that `classifier` cannot run is left out."""
    reasons = []
    for method in METHODS:
        try:
            resolve(method, classifier)
        except Unsupported as reason:
            reasons.append(str(reason))
    return tuple(reasons)


def scores(classifier: Classifier, words: Words, method: str, label: int, budget: Budget = Budget()) -> Scores:
    """One method's scores, as it applies to `classifier` (`resolve`); IG takes IG_STEPS."""
    return lookup(resolve(method, classifier)).run(classifier, words, label, budget)


def attribute(
    classifier: Classifier,
    text: str,
    methods: Sequence[str] | None = None,
    label: int | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    lime_features: int | None = None,
    shap_samples: int = SHAP_SAMPLES,
) -> tuple[Attribution, ...]:
    """Each method's attribution (default: every one `available`) for class `label` (default: the
    predicted one) of `text`; `samples` is LIME's sample count.

    The same arguments always give the same scores (LIME and KernelSHAP are seeded).
    """
    import captum.attr  # noqa: F401 - imported before the clocks start: each method's cost is its own work
    import lime.lime_base  # noqa: F401
    from threadpoolctl import threadpool_limits

    words = Words.of(text)
    p = probabilities(classifier, words, np.ones((1, len(words.features)), dtype=bool))[0]
    label = int(np.argmax(p)) if label is None else int(label)
    budget = Budget(samples, shap_samples, seed, lime_features)
    chosen = available(classifier) if methods is None else (resolve(m, classifier) for m in methods)
    results = []
    for method in map(lookup, dict.fromkeys(chosen)):
        started = time.perf_counter()
        # One BLAS thread, like torch's (see runtime): the small least-squares fits of LIME and KernelSHAP
        # run several times slower with threads spinning against a busy machine.
        with threadpool_limits(1):
            found = method.run(classifier, words, label, budget)
        seconds = time.perf_counter() - started
        results.append(
            Attribution(
                method=method.id,
                label=label,
                features=words.features,
                scores=tuple(map(float, found.values)),
                pieces=words.pieces(dict(enumerate(map(float, found.values))), classifier.max_tokens),
                probability=float(p[label]),
                samples=found.samples,
                truncated=words.truncated,
                unknown_only=words.unknown_only(classifier),
                delta=found.delta,
                fit=found.fit,
                seed=seed if method.seeded else None,
                seconds=seconds,
            )
        )
    return tuple(results)
