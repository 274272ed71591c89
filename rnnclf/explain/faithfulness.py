"""Is an attribution faithful to the model? ERASER's comprehensiveness and sufficiency, as AOPC.

For one text and a ranking of its words (most supporting first), removing the top k % of the words
should lower the class probability a lot (comprehensiveness = p(text) - p(text without them)), and
keeping only them should keep it (sufficiency = p(text) - p(only them): lower is better); both are
averaged over k in FRACTIONS (the area over the perturbation curve, DeYoung et al., ACL 2020). Every
figure stands next to the same measure for random orders of the same words. Removing a word removes
every occurrence, as in every explanation here.

`python -m rnnclf faithfulness` runs it over a fixed, seeded sample of test texts for every checkpoint
and method, with 95 % bootstrap intervals and a model-randomization sanity check (Adebayo et al.,
2018: a method whose scores barely change when the weights are random explains the input, not the
model), and writes reports/faithfulness.md and .json.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rnnclf.core.paths import REPORT_DIR
from rnnclf.data.dataset import Split
from rnnclf.evaluation.significance import Interval, bootstrap_interval
from rnnclf.explain.methods import IG_STEPS, Budget, available, lookup, probabilities, ranking, scores
from rnnclf.explain.words import Words
from rnnclf.models.classifier import Capability, Classifier

FRACTIONS = (0.01, 0.05, 0.10, 0.20, 0.50)
RANDOM_ORDERS = 10  # random rankings per text, averaged: the baseline every figure is read against
SAMPLES = 200  # test texts per checkpoint
# LIME and KernelSHAP sample counts of the report: the full run (7 checkpoints x 4 methods x 200 texts)
# must fit about 15 minutes on one core; the app's LIME default (2,000) alone would take most of it.
LIME_SAMPLES = 500
SHAP_SAMPLES = 300
SANITY_TEXTS = 50  # texts per checkpoint also explained on the randomized copy
NAME = "faithfulness"


@dataclass(frozen=True)
class Aopc:
    comprehensiveness: float  # higher: removing the top words hurts the prediction more
    sufficiency: float  # lower: the top words alone keep the prediction better


def removal_counts(words: int) -> list[int]:
    """How many words each fraction removes: at least one, at most all."""
    return [min(words, max(1, math.ceil(q * words))) for q in FRACTIONS]


def measure(
    classifier: Classifier, words: Words, label: int, rankings: Mapping[str, np.ndarray], seed: int = 0
) -> tuple[dict[str, Aopc], Aopc]:
    """AOPC of each ranking, and of RANDOM_ORDERS seeded random orders (averaged), in one batch."""
    d = len(words.features)
    rng = np.random.default_rng(seed)
    orders = [*rankings.values(), *(rng.permutation(d) for _ in range(RANDOM_ORDERS))]
    counts = removal_counts(d)
    present = np.ones((1 + 2 * len(orders) * len(counts), d), dtype=bool)
    row = 1
    for order in orders:
        for k in counts:
            present[row, order[:k]] = False  # without the top k
            present[row + 1] = False
            present[row + 1, order[:k]] = True  # only the top k
            row += 2
    p = probabilities(classifier, words, present)[:, label]
    drops = (p[0] - p[1:]).reshape(len(orders), len(counts), 2).mean(axis=1)
    results = {method: Aopc(float(c), float(s)) for method, (c, s) in zip(rankings, drops)}
    random_c, random_s = drops[len(rankings) :].mean(axis=0)
    return results, Aopc(float(random_c), float(random_s))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Rank correlation of two score vectors; nan when either is constant (no ranking to compare)."""
    from scipy.stats import spearmanr

    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def interval(values: Sequence[float], seed: int = 0) -> Interval:
    """The mean with its 95 % percentile-bootstrap interval (texts resampled with replacement, seeded)."""
    data = np.asarray(values, dtype=np.float64)
    if len(data) < 2 or np.ptp(data) == 0:  # nothing to resample
        return Interval(float(data.mean()), float(data.mean()), float(data.mean()))
    return bootstrap_interval(np.mean, data, seed=seed)


@dataclass(frozen=True)
class MethodRow:
    checkpoint: str
    method: str  # a method's id (`methods.lookup`)
    texts: int
    comprehensiveness: Interval
    sufficiency: Interval
    random_comprehensiveness: Interval
    random_sufficiency: Interval
    # Mean rank correlation with the randomized model's scores (low: good); None: no such copy, or no ranking.
    sanity: float | None
    seconds: float  # mean seconds per text of the method


@dataclass(frozen=True)
class Report:
    rows: tuple[MethodRow, ...]
    samples: int
    seed: int
    fractions: tuple[float, ...]
    random_orders: int
    lime_samples: int
    shap_samples: int
    ig_steps: int
    sanity_texts: int
    seconds: float  # the whole run

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        rows = tuple(
            MethodRow(
                **{
                    **row,
                    **{
                        key: Interval(**row[key])
                        for key in (
                            "comprehensiveness",
                            "sufficiency",
                            "random_comprehensiveness",
                            "random_sufficiency",
                        )
                    },
                }
            )
            for row in data["rows"]
        )
        return cls(**{**data, "rows": rows, "fractions": tuple(data["fractions"])})


def sample_texts(split: Split, count: int, seed: int) -> list[str]:
    """A fixed, seeded sample of a test split: the same texts for every checkpoint of its dataset."""
    rows = np.random.default_rng(seed).choice(len(split), min(count, len(split)), replace=False)
    return [split.texts[i] for i in rows]


@dataclass
class _Tally:
    """One method's per-text figures while a checkpoint is evaluated."""

    method: str
    faithful: list[Aopc] = field(default_factory=list)
    random: list[Aopc] = field(default_factory=list)
    sanity: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def row(self, checkpoint: str, seed: int) -> MethodRow:
        sanity = [r for r in self.sanity if not math.isnan(r)]
        return MethodRow(
            checkpoint=checkpoint,
            method=self.method,
            texts=len(self.faithful),
            comprehensiveness=interval([a.comprehensiveness for a in self.faithful], seed),
            sufficiency=interval([a.sufficiency for a in self.faithful], seed),
            random_comprehensiveness=interval([a.comprehensiveness for a in self.random], seed),
            random_sufficiency=interval([a.sufficiency for a in self.random], seed),
            sanity=float(np.mean(sanity)) if sanity else None,
            seconds=float(np.mean(self.seconds)),
        )


def evaluate(
    classifier: Classifier,
    texts: Sequence[str],
    seed: int = 0,
    lime_samples: int = LIME_SAMPLES,
    shap_samples: int = SHAP_SAMPLES,
    sanity_texts: int = SANITY_TEXTS,
) -> list[MethodRow]:
    """Every method the model can run on every text, for one checkpoint: its rows of the report. The sanity
    check needs a randomized copy (`Capability.RANDOMIZED`): a model without one gets no sanity figure."""
    tallies = {method: _Tally(method) for method in available(classifier)}
    budget = Budget(lime_samples, shap_samples, seed)
    random_model = classifier.randomized(seed) if Capability.RANDOMIZED in classifier.capabilities else None
    for i, text in enumerate(texts):
        words = Words.of(text)
        label = int(np.argmax(probabilities(classifier, words, np.ones((1, len(words.features)), dtype=bool))[0]))
        rankings = {}
        for method, tally in tallies.items():
            started = time.perf_counter()
            values = scores(classifier, words, method, label, budget).values
            tally.seconds.append(time.perf_counter() - started)
            rankings[method] = ranking(values)
            if random_model is not None and i < sanity_texts:
                tally.sanity.append(spearman(values, scores(random_model, words, method, label, budget).values))
        per_method, random = measure(classifier, words, label, rankings, seed + i)
        for method, aopc in per_method.items():
            tallies[method].faithful.append(aopc)
            tallies[method].random.append(random)
    return [tally.row(classifier.name, seed) for tally in tallies.values()]


def run(
    names: Sequence[str],
    samples: int = SAMPLES,
    seed: int = 0,
    lime_samples: int = LIME_SAMPLES,
    shap_samples: int = SHAP_SAMPLES,
    sanity_texts: int = SANITY_TEXTS,
    log: bool = True,
) -> Report:
    from rnnclf.checkpoints.registry import load_checkpoint

    started = time.perf_counter()
    rows: list[MethodRow] = []
    drawn = 0  # texts per checkpoint: `samples`, or all of the largest test split if it has fewer
    for name in names:
        checkpoint_started = time.perf_counter()
        checkpoint = load_checkpoint(name)
        texts = sample_texts(checkpoint.dataset.read_test(), samples, seed)
        drawn = max(drawn, len(texts))
        rows += evaluate(checkpoint.classifier, texts, seed, lime_samples, shap_samples, sanity_texts)
        if log:
            print(f"{name}: {len(texts)} texts in {time.perf_counter() - checkpoint_started:.0f}s", flush=True)
    return Report(
        rows=tuple(rows),
        samples=drawn,
        seed=seed,
        fractions=FRACTIONS,
        random_orders=RANDOM_ORDERS,
        lime_samples=lime_samples,
        shap_samples=shap_samples,
        ig_steps=IG_STEPS,
        sanity_texts=min(sanity_texts, drawn),
        seconds=time.perf_counter() - started,
    )


def _ci(value: Interval) -> str:
    return f"{value.estimate:.3f} [{value.low:.3f}, {value.high:.3f}]"


def verdicts(report: Report) -> list[str]:
    """Per checkpoint, the method whose top words matter most (highest comprehensiveness)."""
    lines = []
    for checkpoint in dict.fromkeys(row.checkpoint for row in report.rows):
        rows = [row for row in report.rows if row.checkpoint == checkpoint]
        best = max(rows, key=lambda row: row.comprehensiveness.estimate)
        sufficient = min(rows, key=lambda row: row.sufficiency.estimate)
        beats = best.comprehensiveness.low > best.random_comprehensiveness.high
        lines.append(
            f"{checkpoint}: {lookup(best.method).title} (comprehensiveness {best.comprehensiveness.estimate:.3f}, "
            f"random {best.random_comprehensiveness.estimate:.3f}{'' if beats else ', not clearly above random'}); "
            f"most sufficient: {lookup(sufficient.method).title} ({sufficient.sufficiency.estimate:.3f})"
        )
    return lines


def markdown(report: Report) -> str:
    percents = ", ".join(f"{q:.0%}" for q in report.fractions)
    lines = [
        "# Faithfulness of the attribution methods",
        "",
        f"Written by `python -m rnnclf faithfulness` (not by hand) in {report.seconds / 60:.1f} min, on "
        f"{report.samples} test texts per checkpoint (a fixed sample, seed {report.seed}).",
        "",
        f"- **Comprehensiveness** (higher is better): the drop in the predicted class's probability when the "
        f"method's top words are removed; **sufficiency** (lower is better): the drop when only they are kept. "
        f"Both are averaged over removing {percents} of the distinct words (AOPC, ERASER), and shown as the mean "
        "with its 95 % bootstrap interval.",
        f"- **Random**: the same measures for {report.random_orders} random orders of the same words per text.",
        f"- **Sanity ρ** (lower is better): Spearman correlation between the method's word scores for the trained "
        f"model and for a copy with random weights, on the first {report.sanity_texts} texts; near 1, the method "
        "explains the text rather than the model (Adebayo et al., 2018).",
        f"- Settings: LIME {report.lime_samples:,} samples over all words, KernelSHAP {report.shap_samples:,} samples, "
        f"Integrated Gradients {report.ig_steps} steps from the all-`<UNK>` input; for `tfidf_lr` the white-box "
        "method is its exact linear contributions. **s/text**: the method's mean seconds for one text.",
        "",
        "| checkpoint | method | comprehensiveness ↑ | random | sufficiency ↓ | random | sanity ρ ↓ | s/text |",
        "|---|---|---|---|---|---|---:|---:|",
    ]
    for row in report.rows:
        sanity = "-" if row.sanity is None else f"{row.sanity:.2f}"
        lines.append(
            f"| {row.checkpoint} | {lookup(row.method).title} | {_ci(row.comprehensiveness)} | "
            f"{row.random_comprehensiveness.estimate:.3f} | {_ci(row.sufficiency)} | {row.random_sufficiency.estimate:.3f} | "
            f"{sanity} | {row.seconds:.3f} |"
        )
    lines += ["", "## Which method to trust for which model", ""]
    lines += [f"- {line}" for line in verdicts(report)]
    return "\n".join(lines) + "\n"


def write(report: Report, report_dir: Path = REPORT_DIR) -> tuple[Path, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    md, js = report_dir / f"{NAME}.md", report_dir / f"{NAME}.json"
    md.write_text(markdown(report), encoding="utf-8")
    js.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return md, js


def read(report_dir: Path = REPORT_DIR) -> Report | None:
    """The committed report, or None when there is none (or it cannot be read)."""
    try:
        return Report.from_dict(json.loads((report_dir / f"{NAME}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
