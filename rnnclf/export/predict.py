"""Classify texts with an exported rnnclf model: numpy and onnxruntime only, no rnnclf.

    python predict.py "Oil prices rose as stocks fell" ["another text" ...]
    python predict.py --input texts.json          # a JSON list of texts

Prints one JSON line per text: {"label": ..., "probabilities": {class: probability}}.

The files beside this one: model.onnx (the graph) and tokenizer.json (what turns a text into its inputs).
Tokenizing is the project's (torchtext's `basic_english`): lower-case the text, apply the literal
replacements listed in tokenizer.json in their order, split on whitespace. A recurrent model then reads
the first `max_tokens` tokens as vocabulary ids (an unknown token is `unknown_id`, also the padding), right-
padded to `max_tokens`, with each text's number of real tokens. The TF-IDF model reads each text's distinct
known terms (its tokens and the runs of up to `ngram_max` tokens joined by a space) and how often each
occurs; the graph does the weighting, the normalisation and the logistic regression.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent
BATCH = 512  # texts per run of the graph


def tokenize(text: str, replace: list[list[str]]) -> list[str]:
    line = text.lower()
    for old, new in replace:
        line = line.replace(old, new)
    return line.split()


class Model:
    """The exported model in `folder`: `predict_proba(texts)` gives one row of class probabilities per text."""

    def __init__(self, folder: Path = HERE, threads: int = 0):
        folder = Path(folder)
        self.settings = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        self.classes = self.settings["classes"]
        self.replace = self.settings["tokenizer"]["replace"]
        words = self.settings.get("vocabulary") or self.settings["terms"]
        self.index = {word: i for i, word in enumerate(words)}
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = threads  # 0: onnxruntime's default
        self.session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.inputs = {node.name for node in self.session.get_inputs()}

    def feeds(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The graph's inputs for `texts`."""
        token_lists = [tokenize(text, self.replace) for text in texts]
        if "ids" in self.settings["inputs"]:
            window, unknown = self.settings["max_tokens"], self.settings["unknown_id"]
            ids = np.full((len(texts), window), unknown, dtype=np.int64)
            lengths = np.zeros(len(texts), dtype=np.int64)
            for row, tokens in enumerate(token_lists):
                kept = [self.index.get(token, unknown) for token in tokens[:window]]
                ids[row, : len(kept)] = kept
                lengths[row] = len(kept)
            return {"ids": ids, "lengths": lengths}
        counted = []
        for tokens in token_lists:
            grams = list(tokens)
            for n in range(2, self.settings["ngram_max"] + 1):
                grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            counts: dict[int, int] = {}
            for gram in grams:
                term = self.index.get(gram)
                if term is not None:
                    counts[term] = counts.get(term, 0) + 1
            counted.append(counts)
        width = max([1, *map(len, counted)])
        terms = np.full((len(texts), width), len(self.index), dtype=np.int64)  # padding: a term that weighs 0
        counts_array = np.zeros((len(texts), width), dtype=np.float64)
        for row, counts in enumerate(counted):
            terms[row, : len(counts)] = list(counts)
            counts_array[row, : len(counts)] = list(counts.values())
        return {"terms": terms, "counts": counts_array}

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.classes)), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            feeds = self.feeds(list(texts[start : start + BATCH]))
            out[start : start + BATCH] = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("texts", nargs="*", help="texts to classify")
    parser.add_argument("--input", help="a JSON file holding a list of texts")
    args = parser.parse_args(argv)
    texts = list(args.texts)
    if args.input:
        loaded = json.loads(Path(args.input).read_text(encoding="utf-8"))
        if not isinstance(loaded, list) or not all(isinstance(t, str) for t in loaded):
            print(f"error: {args.input} does not hold a JSON list of texts", file=sys.stderr)
            return 2
        texts += loaded
    if not texts:
        parser.error("give texts, or --input FILE")
    model = Model()
    for probabilities in model.predict_proba(texts):
        label = model.classes[int(np.argmax(probabilities))]
        print(json.dumps({"label": label, "probabilities": dict(zip(model.classes, probabilities.tolist()))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
