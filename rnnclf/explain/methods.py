"""Four ways to score the words of one prediction, on the same features, in one result shape.

Every method scores the words the model reads (`explain.Words`: distinct words, each removed with
every occurrence, as LIME's features) for one class, so the app can show them side by side and the
faithfulness measure can rank by any of them:
- LIME: `explain.explain` (the local linear model's weights);
- Integrated Gradients (Captum's `LayerIntegratedGradients` on the embedding layer) from the
  all-`<UNK>` input: the id of `<UNK>` is also the padding id, so the baseline is the same length of
  the vector the model reads for any word it does not know, and padding gets no attribution;
- occlusion: the drop in the class probability when a word is removed (d + 1 forward passes);
- KernelSHAP (Captum's `KernelShap`) over word presence, seeded.
Gradients do not apply to the TF-IDF model: it gets its exact linear contributions instead ("linear",
which takes the place of "ig" wherever a method is asked for by name).
"""

from __future__ import annotations

import copy
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from rnnclf.explain.lime import DEFAULT_SAMPLES, MAX_SAMPLES, explain
from rnnclf.explain.words import Piece, Words
from rnnclf.models.classifier import Classifier
from rnnclf.models.recurrent import RecurrentTextClassifier
from rnnclf.models.tfidf import TfidfLogisticClassifier

METHODS = ("lime", "ig", "occlusion", "shap")  # what the app and the CLI offer, in display order
TITLES = {
    "lime": "LIME",
    "ig": "Integrated Gradients",
    "linear": "Exact linear contributions",
    "occlusion": "Occlusion (leave one word out)",
    "shap": "KernelSHAP",
}
UNITS = {  # what a score measures: the change it explains
    "lime": "probability (local linear weight)",
    "ig": "probability",
    "linear": "class logit minus the mean logit",
    "occlusion": "probability",
    "shap": "probability",
}
IG_STEPS = 50
# KernelSHAP's samples: Captum draws and weighs them one at a time in Python, so each costs far more
# than a LIME sample; its kernel and exact end points need fewer (bench/ times both).
SHAP_SAMPLES = 500
# Captum's KernelShap draws its samples from torch's global generator. Seeding it is only
# deterministic if no other thread draws in between, hence one lock for every seeded draw.
_TORCH_RNG = threading.Lock()


@dataclass(frozen=True)
class Attribution:
    """One method's scores for the words of one text and one class."""

    method: str  # a key of TITLES
    label: int
    features: tuple[str, ...]  # the distinct words, in order of first appearance
    scores: tuple[float, ...]  # per feature: how much it pushes the class up (negative: down), in UNITS
    pieces: tuple[Piece, ...]  # the whole text, each word carrying its feature's score
    probability: float  # the model's probability of `label` for the explained words
    samples: int  # model inputs scored (forward passes of one text)
    truncated: bool
    unknown_only: bool
    delta: float | None = None  # IG: sum of attributions minus (f(text) - f(baseline)), Captum's convergence delta
    fit: float | None = None  # LIME: R^2 of its local linear model
    seconds: float = field(default=0.0, compare=False)

    @property
    def title(self) -> str:
        return TITLES[self.method]

    def top(self, k: int) -> tuple[tuple[str, float], ...]:
        """The k words that push the class up most, strongest first."""
        order = ranking(np.asarray(self.scores))[:k]
        return tuple((self.features[i], self.scores[i]) for i in order)

    def strongest(self, k: int) -> tuple[tuple[str, float], ...]:
        """The k words with the largest |score|, either way, largest first (zero scores left out)."""
        order = ranking(np.abs(self.scores))[:k]
        return tuple((self.features[i], self.scores[i]) for i in order if self.scores[i])


@dataclass(frozen=True)
class Scores:
    """What a method computes before it is dressed as an `Attribution`."""

    values: np.ndarray  # per feature
    samples: int
    delta: float | None = None
    fit: float | None = None


def ranking(scores: np.ndarray) -> np.ndarray:
    """Feature indices, most supporting first; ties keep text order (a stable sort)."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


def white_box(classifier: Classifier) -> str:
    """The method that reads the model's insides: gradients for the RNNs, exact contributions for TF-IDF."""
    return "ig" if isinstance(classifier, RecurrentTextClassifier) else "linear"


def resolve(method: str, classifier: Classifier) -> str:
    """`method` as it applies to `classifier` ("ig" and "linear" name the same white-box slot)."""
    if method in ("ig", "linear"):
        return white_box(classifier)
    if method not in TITLES:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    return method


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


def ig_scores(classifier: RecurrentTextClassifier, words: Words, label: int, steps: int = IG_STEPS) -> Scores:
    """Per word: the sum of its tokens' attributions over every embedding dimension.

    A model with an n-gram bag is integrated along its bag rows too; each row's attribution goes to
    the tokens it was hashed from, so the words still add up to the whole difference.
    """
    from captum.attr import LayerIntegratedGradients

    # Captum hooks the embedding layer while it runs: on a private copy, so that predictions other
    # threads make with the shared model meanwhile never pass through the hook.
    model = copy.deepcopy(classifier.model)
    ids, lengths = classifier.vocab.encode([words.tokens], classifier.max_tokens)
    ids_t, lengths_t = torch.from_numpy(ids), torch.from_numpy(lengths)

    def forward(ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return torch.softmax(model(ids, lengths), dim=1)

    bag = model.bag if model.approach.bag_buckets else None
    layers = [model.embedding, *([bag.embedding] if bag else [])]
    with torch.enable_grad(), warnings.catch_warnings():
        # Captum warns whenever it is given several layers; these two both read the ids, neither the other.
        warnings.filterwarnings("ignore", message="Multiple layers provided", category=UserWarning)
        attributions, delta = LayerIntegratedGradients(forward, layers).attribute(
            ids_t,
            baselines=torch.zeros_like(ids_t),  # all <UNK> (id 0, also the padding id)
            target=label,
            additional_forward_args=(lengths_t,),
            n_steps=steps,
            return_convergence_delta=True,
        )
    per_token = attributions[0].sum(dim=-1)
    if bag:
        per_token = per_token + bag.to_tokens(attributions[1].sum(dim=-1))
    per_token = per_token[0].detach().double().numpy()
    n = int(lengths[0])
    values = np.bincount(words.token_feature[:n], weights=per_token[:n], minlength=len(words.features))
    return Scores(values, steps + 1, delta=float(delta[0]))


def linear_scores(classifier: TfidfLogisticClassifier, words: Words, label: int) -> Scores:
    """TF-IDF value x coefficient of every n-gram, shared equally by its occurrences and their tokens.

    Coefficients are centred over the classes (a shift common to all classes changes no probability),
    so the scores sum to the class's logit minus the mean logit, relative to the empty text.
    """
    tokens = list(words.tokens)
    row = classifier.features([tokens])
    coef = classifier.coef[label] - classifier.coef.mean(axis=0)
    contribution = dict(zip(row.indices.tolist(), (row.data * coef[row.indices]).tolist()))
    occurrences: dict[int, list[range]] = {}
    for n in range(1, classifier.ngram_max + 1):
        for start in range(len(tokens) - n + 1):
            term = classifier.index.get(" ".join(tokens[start : start + n]))  # as baseline.ngrams joins them
            if term is not None:
                occurrences.setdefault(term, []).append(range(start, start + n))
    per_token = np.zeros(len(tokens))
    for term, places in occurrences.items():
        for place in places:
            per_token[list(place)] += contribution[term] / (len(places) * len(place))
    values = np.bincount(words.token_feature, weights=per_token, minlength=len(words.features))
    return Scores(values, 1)


def scores(
    classifier: Classifier,
    words: Words,
    method: str,
    label: int,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    lime_features: int | None = None,
) -> Scores:
    """One method's scores; `samples` is the sample count of LIME or KernelSHAP (IG takes IG_STEPS);
    `lime_features`: how many words LIME's local model may use (None: all)."""
    method = resolve(method, classifier)
    samples = int(min(max(samples, 2), MAX_SAMPLES))
    if method == "lime":
        return lime_scores(classifier, words, label, samples, seed, lime_features or len(words.features))
    if method == "ig":
        return ig_scores(classifier, words, label)
    if method == "linear":
        return linear_scores(classifier, words, label)
    if method == "occlusion":
        return occlusion_scores(classifier, words, label)
    return shap_scores(classifier, words, label, samples, seed)


def attribute(
    classifier: Classifier,
    text: str,
    methods: Sequence[str] = METHODS,
    label: int | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    lime_features: int | None = None,
    shap_samples: int = SHAP_SAMPLES,
) -> tuple[Attribution, ...]:
    """Each method's attribution for class `label` (default: the predicted one) of `text`.

    The same arguments always give the same scores (LIME and KernelSHAP are seeded).
    """
    import captum.attr  # noqa: F401 - imported before the clocks start: each method's cost is its own work
    import lime.lime_base  # noqa: F401
    from threadpoolctl import threadpool_limits

    words = Words.of(text)
    p = probabilities(classifier, words, np.ones((1, len(words.features)), dtype=bool))[0]
    label = int(np.argmax(p)) if label is None else int(label)
    results = []
    for method in dict.fromkeys(resolve(m, classifier) for m in methods):
        started = time.perf_counter()
        count = shap_samples if method == "shap" else samples
        # One BLAS thread, like torch's (see runtime): the small least-squares fits of LIME and KernelSHAP
        # run several times slower with threads spinning against a busy machine.
        with threadpool_limits(1):
            found = scores(classifier, words, method, label, count, seed, lime_features)
        seconds = time.perf_counter() - started
        results.append(
            Attribution(
                method=method,
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
                seconds=seconds,
            )
        )
    return tuple(results)
