"""Attribution speed: each method on one text, against the tutorial-style LIME call in the same run.

The tutorial path (`tutorial.explain`: LimeTextExplainer re-tokenizing every perturbed string) at the
app's default sample count is the yardstick; every method and the four together are timed beside it,
interleaved. The faithfulness command is timed on a few texts per checkpoint and scaled to its full run.
"""

from __future__ import annotations

import time

from bench.lib import subjects, tutorial
from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import Stats, interleaved, timed
from rnnclf import list_checkpoints, load_classifier
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.explain.faithfulness import LIME_SAMPLES, SAMPLES, SANITY_TEXTS, SHAP_SAMPLES, evaluate, sample_texts
from rnnclf.explain.lime import DEFAULT_SAMPLES
from rnnclf.explain.methods import SHAP_SAMPLES as APP_SHAP_SAMPLES
from rnnclf.explain.methods import attribute

TARGETS = {  # (approach, what is timed): seconds
    ("approach5", "ig"): 0.3,
    ("approach5", "occlusion"): 0.2,
    ("approach5", "all"): 2.0,
    ("approach1", "all"): 0.5,
}
FAITHFULNESS_MINUTES = 15.0
FAITHFULNESS_TEXTS = 8  # texts per checkpoint timed, scaled to faithfulness.SAMPLES


def measure(settings: Settings) -> list[Table]:
    text = subjects.explained_text()
    samples = DEFAULT_SAMPLES if not settings.quick else min(settings.lime_compared)
    rows = []
    for approach_id in ("approach1", "approach5"):
        classifier, trained = subjects.classifier(approach_id)
        label = int(classifier.predict_proba([text])[0].argmax())
        model = tutorial.TutorialRNN(classifier.model)
        runs = {
            "tutorial": timed(
                lambda: tutorial.explain(model, classifier.vocab, classifier.max_tokens, text, label, samples)
            )
        }
        for method in ("lime", "ig", "occlusion", "shap"):
            runs[method] = timed(lambda m=method: attribute(classifier, text, (m,), label, samples=samples))
        runs["all"] = timed(lambda: attribute(classifier, text, label=label, samples=samples))
        stats = interleaved(runs, settings.lime_repeats)
        name = approach_id if trained else f"{approach_id} (untrained stand-in, same shape)"
        for key, what in (
            ("lime", f"LIME, {samples:,} samples"),
            ("ig", "Integrated Gradients, 50 steps"),
            ("occlusion", "occlusion (one pass per word)"),
            ("shap", "KernelSHAP (Captum)"),
            ("all", "all four methods"),
        ):
            limit = TARGETS.get((approach_id, key))
            rows.append(
                Row(
                    f"{name}: {what}",
                    "s",
                    stats[key],
                    stats["tutorial"],
                    stats["tutorial"].median / stats[key].median,
                    f"<= {limit:g} s" if limit else "",
                    None if limit is None or settings.quick else stats[key].median <= limit,
                )
            )
    per_text = FAITHFULNESS_TEXTS if not settings.quick else 1
    texts = sample_texts(read_csv(TEST_PATH), per_text, seed=0)  # the shipped checkpoints' dataset: AG News
    started = time.perf_counter()
    names = list_checkpoints()
    for checkpoint in names:
        evaluate(load_classifier(checkpoint), texts, sanity_texts=max(1, per_text * SANITY_TEXTS // SAMPLES))
    minutes = (time.perf_counter() - started) * SAMPLES / per_text / 60
    rows.append(
        Row(
            f"faithfulness command, {len(names)} checkpoints x 4 methods x {SAMPLES} texts (scaled from {per_text})",
            "min",
            Stats((minutes,)),
            target=f"<= {FAITHFULNESS_MINUTES:g} min",
            met=None if settings.quick else minutes <= FAITHFULNESS_MINUTES,
        )
    )
    return [
        Table(
            "Attributions: seconds for one text, by method",
            f"Tutorial LIME path ({samples:,} samples)",
            "Ratio (tutorial ÷ method)",
            rows,
            (
                f"The explained text: the first test text of 40-60 words ({len(text.split())} words); the predicted "
                "class; 1 thread. Each method is timed by itself, the four together as the app's 'All four' runs them.",
                f"LIME at the app's default {DEFAULT_SAMPLES:,} samples; KernelSHAP at {APP_SHAP_SAMPLES:,} (the app's); "
                "Integrated Gradients on a private copy of the model (Captum hooks the embedding layer).",
                f"The faithfulness run uses LIME {LIME_SAMPLES:,} and KernelSHAP {SHAP_SAMPLES:,} samples; its row is "
                "one timing, not repeated (the full run's own time is in reports/faithfulness.md).",
            ),
        )
    ]
