"""How stable are LIME explanations at each sample count? Writes reports/lime_stability.md.

For each test text, explain it with two different seeds and compare the top features: the share of
words the two runs have in common (Jaccard) and whether the top word is the same. Stable enough at
a sample count means a user re-running with another seed would see the same story.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from rnnclf import load_classifier
from rnnclf.core.paths import PROJECT_ROOT
from rnnclf.core.runtime import configure_threads
from rnnclf.data.dataset import TEST_PATH, read_csv
from rnnclf.explain.lime import explain

SAMPLE_COUNTS = (500, 1000, 2000, 5000)


def compare(classifier, text: str, num_samples: int, num_features: int) -> tuple[float, bool, float]:
    started = time.perf_counter()
    a = explain(classifier, text, num_samples=num_samples, num_features=num_features, seed=0)
    seconds = time.perf_counter() - started
    b = explain(classifier, text, label=a.label, num_samples=num_samples, num_features=num_features, seed=1)
    words_a, words_b = {w for w, _ in a.top}, {w for w, _ in b.top}
    return len(words_a & words_b) / len(words_a | words_b), a.top[0][0] == b.top[0][0], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoints", nargs="+", default=["approach1", "approach5"])
    parser.add_argument("--texts", type=int, default=20)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--out", default=str(PROJECT_ROOT / "reports" / "lime_stability.md"))
    args = parser.parse_args()
    configure_threads()
    texts = read_csv(TEST_PATH).texts[: args.texts]
    lines = [
        "# LIME stability by sample count",
        "",
        f"Written by `python scripts/lime_stability.py`: {args.texts} test texts, top {args.features} words, "
        "seeds 0 and 1. Jaccard = words in common / words in either top list; "
        "top word = both seeds rank the same word first; seconds = one explanation (median).",
        "",
        "| checkpoint | samples | mean Jaccard | top word same | seconds (median) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in args.checkpoints:
        classifier = load_classifier(name)
        for n in SAMPLE_COUNTS:
            results = [compare(classifier, t, n, args.features) for t in texts]
            jaccard, same, seconds = (np.array(column) for column in zip(*results))
            lines.append(f"| {name} | {n:,} | {jaccard.mean():.2f} | {same.mean():.0%} | {np.median(seconds):.3f} |")
            print(lines[-1], flush=True)
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
