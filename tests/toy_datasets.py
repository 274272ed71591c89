"""Two small datasets besides AG News, and tiny checkpoints of both families on each: what tests of
"class names come from the checkpoint" run on.

`three`: AG News rows of three of its classes, relabelled with names of their own (one of them, Sports,
is also a class of the behavioural suite, so its MFT and DIR tests of Sports run there). `six`: templated
texts on six topics, none of them a class of the suite's tests. Class names include Markdown and HTML
punctuation, as a person's own may.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnclf.data.dataset import Dataset, Split, split_file
from rnnclf.data.registry import AG_NEWS, get_dataset, write_dataset
from rnnclf.models.approaches import get_approach

THREE = ("Politics", "Sports", "Money & Markets")  # AG News's World, Sports, Business, in that order
SIX = ("Weather", "Cooking", "Music <live>", "Travel", "Health", "Gardening")
TOPIC_WORDS = (
    ("rain", "storm", "forecast", "sunny", "snow", "wind", "cloudy", "temperature", "humid", "thunder"),
    ("recipe", "oven", "garlic", "bake", "flour", "simmer", "sauce", "chef", "onion", "roast"),
    ("guitar", "concert", "album", "drummer", "chorus", "band", "melody", "singer", "tour", "piano"),
    ("flight", "hotel", "passport", "beach", "luggage", "airport", "tourist", "museum", "train", "island"),
    ("doctor", "vaccine", "clinic", "fever", "nurse", "diet", "patients", "hospital", "therapy", "sleep"),
    ("tomato", "compost", "seeds", "roses", "soil", "weeds", "shovel", "greenhouse", "hedge", "bloom"),
)
FILLER = ("the", "a", "new", "on", "this", "week", "report", "says", "with", "after", "in", "London", "Paris")


@dataclass(frozen=True)
class Toys:
    """Where the toy datasets and their checkpoints are."""

    datasets: Path  # a folder for RNNCLF_DATASETS
    checkpoints: Path  # a folder for RNNCLF_CHECKPOINTS: <dataset>_rnn and <dataset>_tfidf for each

    def names(self, dataset: str) -> list[str]:
        return [f"{dataset}_rnn", f"{dataset}_tfidf"]


def write_split(path: Path, split: Split) -> None:
    """A split as a 2-column CSV, labels 1-based as in AG News's files."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerows((int(label) + 1, text) for text, label in zip(split.texts, split.labels))


def _dataset(root: Path, name: str, title: str, classes: tuple[str, ...], train: Split, test: Split) -> Dataset:
    folder = root / name
    folder.mkdir(parents=True)
    write_split(folder / "train.csv", train)
    write_split(folder / "test.csv", test)
    dataset = Dataset(
        name,
        classes,
        split_file(folder / "train.csv", len(train)),
        split_file(folder / "test.csv", len(test)),
        "written by tests/toy_datasets.py",
        title=title,
    )
    write_dataset(dataset, root)
    return dataset


def _relabelled(split: Split, rows: int) -> Split:
    """The first `rows` rows of AG News's World, Sports and Business (labels 0, 1, 2 stay as they are)."""
    kept = np.flatnonzero(split.labels < len(THREE))[:rows]
    return split.subset(kept)


def _templated(rows: int, seed: int) -> Split:
    """`rows` texts of about 25 words (approach1's window, which it reads to the end), eight of one topic
    among filler, in turn by topic."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(rows):
        label = i % len(SIX)
        words = [*rng.choice(TOPIC_WORDS[label], 8), *rng.choice(FILLER, 17)]
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + ".")
        labels.append(label)
    return Split(texts, np.array(labels, dtype=np.int64))


def write_toy_datasets(root: Path) -> tuple[Dataset, Dataset]:
    ag_news = get_dataset(AG_NEWS)
    three = _dataset(
        root,
        "three",
        "Three-topic news",
        THREE,
        _relabelled(ag_news.read_train(), 1500),
        _relabelled(ag_news.read_test(), 300),
    )
    six = _dataset(root, "six", "Six topics", SIX, _templated(1200, seed=0), _templated(180, seed=1))
    return three, six


def train_toy_checkpoints(checkpoints: Path, datasets: tuple[Dataset, ...]) -> None:
    """A recurrent checkpoint (approach1, small batches: it learns in seconds) and a TF-IDF one per dataset."""
    from rnnclf.training.recurrent import run
    from rnnclf.training.tfidf import run as baseline

    approach = dataclasses.replace(get_approach("approach1"), batch_size=64, lr=3e-3)
    for dataset in datasets:
        rnn, tfidf = checkpoints / f"{dataset.name}_rnn", checkpoints / f"{dataset.name}_tfidf"
        run(approach, out=rnn, epochs=10, progress=False, log=False, dataset=dataset.name)
        baseline(out=tfidf, c_grid=(10.0,), min_df=1, log=False, dataset=dataset.name)
