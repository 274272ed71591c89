"""LIME speed: one explanation, the project's token-mask path against the tutorial's classifier_fn.

The tutorial hands `LimeTextExplainer` a function that re-tokenizes each of the thousands of
perturbed strings in Python and runs the model with autograd on and a random initial state; the
project draws the same perturbations as token masks and scores them under `torch.inference_mode`.
"""

from __future__ import annotations

from bench.lib import breakdown, subjects, tutorial
from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import interleaved, timed
from rnnclf.explain.lime import DEFAULT_SAMPLES, explain

LIME_DEFAULT = 5000  # LimeTextExplainer.explain_instance's num_samples
TARGET_SECONDS = {"approach1": 0.4, "approach5": 1.2}  # at LIME_DEFAULT samples
TARGET_SPEEDUP = 2.0
PARTS = {
    "forward": "model forward (torch)",
    "inputs": "id matrix from the masks + softmax",
    "lime": "LIME's own work (sampling, distances, ridge fits, text pieces)",
}
SAMPLE_NOTES = {LIME_DEFAULT: " (LIME's default)", DEFAULT_SAMPLES: " (the app's default)"}


def measure(settings: Settings) -> list[Table]:
    text = subjects.explained_text()
    comparisons, scaling, parts, notes = [], [], [], []
    where = max(settings.lime_compared)  # the sample count whose time is split into parts
    for approach_id, limit in TARGET_SECONDS.items():
        classifier, trained = subjects.classifier(approach_id)
        label = int(classifier.predict_proba([text])[0].argmax())
        model = tutorial.TutorialRNN(classifier.model)
        runs = {n: timed(lambda n=n: explain(classifier, text, num_samples=n)) for n in settings.lime_samples}
        for n in settings.lime_compared:
            runs[f"tutorial {n}"] = timed(
                lambda n=n: tutorial.explain(model, classifier.vocab, classifier.max_tokens, text, label, n)
            )
        stats = interleaved(runs, settings.lime_repeats)
        name = approach_id if trained else f"{approach_id} (untrained stand-in, same shape)"
        for n in settings.lime_compared:
            tutorial_stats = stats[f"tutorial {n}"]
            speedup = tutorial_stats.median / stats[n].median
            targeted = n == LIME_DEFAULT
            met = stats[n].median <= limit and speedup >= TARGET_SPEEDUP
            comparisons.append(
                Row(
                    f"{name}: {n:,} samples{SAMPLE_NOTES.get(n, '')}",
                    "s",
                    stats[n],
                    tutorial_stats,
                    speedup,
                    f"<= {limit:g} s and >= {TARGET_SPEEDUP:g}x" if targeted else "",
                    met if targeted and not settings.quick else None,
                )
            )
        split = breakdown.split(classifier, text, where, settings.lime_repeats)
        whole = split["whole"].median
        parts.append(Row(f"{name}: the whole explanation", "s", split["whole"]))
        for key, label in PARTS.items():
            parts.append(Row(f"{name}: {label}", "s", split[key], ratio=split[key].median / whole))
        flops = breakdown.model_flops(classifier, where)
        rate = flops / split["forward"].median / 1e9
        notes.append(
            f"{approach_id}: the model's arithmetic is {flops / 1e9:.2f} GFLOP, run at {rate:.1f} GFLOP/s; the forward's "
            f"top operators (torch.profiler self time): {breakdown.top_operators(classifier, text, where)}."
        )
        first = settings.lime_samples[0]
        for n in settings.lime_samples:
            scaling.append(
                Row(f"{name}: {n:,} samples", "s", stats[n], stats[first], stats[n].median / stats[first].median)
            )
    words = len(text.split())
    return [
        Table(
            "LIME: seconds for one explanation",
            "Tutorial path",
            "Speed-up (tutorial ÷ project)",
            comparisons,
            (
                f"The explained text: the first test text of 40-60 words ({words} words): {text[:80]!r}...",
                "Both paths explain the model's predicted class with 10 features; 1 thread.",
            ),
        ),
        Table(
            "Scaling: LIME seconds vs samples (project)",
            f"{settings.lime_samples[0]:,} samples",
            f"Growth (÷ {settings.lime_samples[0]:,})",
            scaling,
            ("Growth below the growth in samples is the fixed part: text spans, the local ridge fits.",),
        ),
        Table(
            f"Where the time of one explanation goes ({where:,} samples, project)", "", "Share", parts, notes, "{:.0%}"
        ),
    ]
