"""Streamlit serves each session in its own thread while cached classifiers are shared between them."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from rnnclf import load_classifier
from rnnclf.explain.lime import explain

TEXTS = [
    "Oil prices rose on Monday as traders worried about supply.",
    "The Yankees beat the Red Sox 5-3 in extra innings.",
    "Apple unveils a faster chip for its new laptops.",
    "Rebels and government troops clashed near the capital.",
    "<script>alert(1)</script> shares tumble",
]
THREADS, CALLS = 8, 200


def test_eight_threads_get_exactly_the_single_threaded_results(tiny_checkpoint):
    classifiers = [load_classifier(tiny_checkpoint), load_classifier("approach1")]

    def call(i: int):
        classifier, text = classifiers[i % 2], TEXTS[i % len(TEXTS)]
        if i % 4 == 3:
            return explain(classifier, text, num_samples=100, num_features=5, seed=i % 3)
        return classifier.predict_proba([text])

    expected = [call(i) for i in range(CALLS)]
    with ThreadPoolExecutor(THREADS) as pool:
        runs = [pool.map(call, range(CALLS)) for _ in range(THREADS)]
        results = [list(run) for run in runs]
    for result in results:
        for got, want in zip(result, expected):
            if isinstance(want, np.ndarray):
                assert np.array_equal(got, want)
            else:
                assert got == want
