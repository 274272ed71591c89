"""Prediction speed: one text through every checkpoint (what Compare does), and test-split throughput."""

from __future__ import annotations

from . import subjects
from .report import Row, Table
from .settings import Settings
from .timing import interleaved, timed

TARGET_LATENCY_MS = 50.0
TARGET_THROUGHPUT = 5000.0  # texts per second, approach1


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
    return [Table("Prediction", "", "", rows, notes)]
