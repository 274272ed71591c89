"""Prediction speed: one text through every checkpoint (what Compare does), test-split throughput, and
raw-text scoring against the tutorial's per-text pipeline."""

from __future__ import annotations

from bench.lib import subjects, tutorial
from bench.lib.report import Row, Table
from bench.lib.settings import Settings
from bench.lib.timing import interleaved, timed
from rnnclf.core.text import ARROW_BATCH
from rnnclf.models.recurrent import PREDICT_BATCH

TARGET_LATENCY_MS = 50.0
TARGET_THROUGHPUT = 5000.0  # texts per second, approach1
TARGET_RAW_SPEEDUP = 3.0  # approach1's raw-text scoring against the tutorial's pipeline


def measure(settings: Settings) -> list[Table]:
    loaded = {name: subjects.classifier(name) for name in subjects.APPROACHES}
    classifiers = [c for c, _ in loaded.values()]
    stand_ins = [name for name, (_, trained) in loaded.items() if not trained]
    text = subjects.explained_text()
    texts = subjects.test_data().texts[: settings.predict_rows]

    latency = interleaved(
        {"all": timed(lambda: [c.predict_proba([text]) for c in classifiers])}, settings.latency_repeats, 3
    )
    latency_ms = latency["all"].map(lambda s: 1000 * s)
    rows = [
        Row(
            f"one text through all {len(classifiers)} checkpoints",
            "ms",
            latency_ms,
            target=f"< {TARGET_LATENCY_MS:g} ms",
            met=latency_ms.median < TARGET_LATENCY_MS if not settings.quick else None,
        )
    ]
    throughput = interleaved(
        {c.name: timed(lambda c=c: c.predict_proba(texts)) for c in classifiers}, settings.throughput_repeats
    )
    for c in classifiers:
        per_second = throughput[c.name].map(lambda s: len(texts) / s)
        targeted = c.name == "approach1"
        rows.append(
            Row(
                f"{c.name}: `predict_proba` over {len(texts):,} test texts",
                "texts/s",
                per_second,
                target=f"> {TARGET_THROUGHPUT:,.0f} texts/s" if targeted else "",
                met=per_second.median > TARGET_THROUGHPUT if targeted and not settings.quick else None,
            )
        )
    notes = ["Tokenization included (texts in, probabilities out); 1 thread."]
    if stand_ins:
        notes.append(f"Untrained stand-ins of the same shape (checkpoint not shipped yet): {', '.join(stand_ins)}.")
    return [Table("Prediction", "", "", rows, notes), raw_text(settings, texts)]


def raw_text(settings: Settings, texts: list[str]) -> Table:
    """Strings in, probabilities out: the project's `predict_proba` against the tutorial's `make_predictions`
    (per-text tokenization, int32 ids, random initial state, autograd on) on the same batches."""
    rows = []
    for name in ("approach1", "approach5"):
        classifier, _ = subjects.classifier(name)
        tutorial_fn = tutorial.classifier_fn(
            tutorial.TutorialRNN(classifier.model), classifier.vocab, classifier.max_tokens
        )
        batches = [texts[i : i + PREDICT_BATCH] for i in range(0, len(texts), PREDICT_BATCH)]
        times = interleaved(
            {
                "project": timed(lambda c=classifier: c.predict_proba(texts)),
                "tutorial": timed(lambda fn=tutorial_fn: [fn(batch) for batch in batches]),
            },
            settings.raw_text_repeats,
        )
        project, compared = (times[k].map(lambda s: len(texts) / s) for k in ("project", "tutorial"))
        ratio = project.median / compared.median
        targeted = name == "approach1"
        rows.append(
            Row(
                f"{name}: {len(texts):,} raw test texts",
                "texts/s",
                project,
                compared,
                ratio,
                target=f">= {TARGET_RAW_SPEEDUP:g}x" if targeted else "",
                met=ratio >= TARGET_RAW_SPEEDUP if targeted and not settings.quick else None,
            )
        )
    notes = [
        f"The same texts, the forward pass in batches of {PREDICT_BATCH} on both paths; the same weights and "
        "tokenizer rules; 1 thread.",
        f"The project tokenizes the whole list at once (Arrow's kernels split and look up from {ARROW_BATCH:,} "
        "texts on) and, for a single-layer RNN read at the last step, looks each word's input term up.",
    ]
    return Table("Raw-text scoring", "Tutorial pipeline", "Speed-up (project ÷ tutorial)", rows, notes)
