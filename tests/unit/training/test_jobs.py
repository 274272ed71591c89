"""Trainings of any dataset by name: `--approach all` spelled out, NAME-APPROACH checkpoint names (AG News's
unchanged), as many passes per row as AG News gets, and `--jobs 2` giving bit for bit the checkpoints that
one at a time gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors import safe_open
from toy_datasets import Toys

from rnnclf.checkpoints.storage import MANIFEST
from rnnclf.cli import main
from rnnclf.data.registry import AG_NEWS, DATASETS_ENV, get_dataset
from rnnclf.models.approaches import TUTORIAL, get_approach
from rnnclf.training.jobs import BASELINE, BEST_RECIPE, checkpoint_name, expand
from rnnclf.training.recurrent import dataset_epochs, default_epochs


def test_all_is_the_tutorial_the_best_recipe_and_the_baseline() -> None:
    assert expand(["all"]) == [*(a.id for a in TUTORIAL), BEST_RECIPE, BASELINE]
    assert expand(["approach2", "all", "approach2"])[0] == "approach2" and len(expand(["approach2", "all"])) == 7
    assert (
        checkpoint_name(AG_NEWS, "approach1") == "approach1"
        and checkpoint_name("tickets", BASELINE) == "tickets-tfidf_lr"
    )


def test_a_small_dataset_gets_ag_news_epochs() -> None:
    """The same passes over each row as AG News's training makes: no more steps per row on a small set."""
    approach = get_approach("approach1")
    ag_news = get_dataset(AG_NEWS).train.rows
    assert dataset_epochs(approach, 1_890, "tickets") == dataset_epochs(approach, ag_news * 95 // 100, AG_NEWS) == 38
    assert default_epochs(approach, 1_890) > 500  # what fixed tutorial steps would give it


def _without_seconds(data: object) -> object:
    """A record less its measured wall times, the one thing two runs of the same training differ in."""
    if isinstance(data, dict):
        return {k: _without_seconds(v) for k, v in data.items() if k not in ("seconds", "training_seconds")}
    return [_without_seconds(v) for v in data] if isinstance(data, list) else data


def stored(folder: Path) -> dict[str, object]:
    """Each file of a checkpoint as what must not change: array bytes and metadata of .safetensors (the
    library writes its metadata map in a per-process order), JSON records less their wall times, the rest
    byte for byte; the manifest holds the sha256 of these."""
    found: dict[str, object] = {}
    for path in folder.iterdir():
        if path.suffix == ".safetensors":
            with safe_open(path, "numpy") as tensors:
                found[path.name] = (tensors.metadata(), {k: tensors.get_tensor(k).tobytes() for k in tensors.keys()})
        elif path.suffix == ".json" and path.name != MANIFEST:
            found[path.name] = _without_seconds(json.loads(path.read_text()))
        elif path.name != MANIFEST:
            found[path.name] = path.read_bytes()
    return found


def test_jobs_2_gives_the_checkpoints_one_at_a_time_gives(
    toys: Toys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(toys.datasets))
    common = ["train", "--dataset", "six", "--approach", "approach1", BASELINE, "--epochs", "2", "--quiet"]
    assert main([*common, "--out", str(tmp_path / "one"), "--threads", "1"]) == 0
    one = capsys.readouterr().out
    assert main([*common, "--out", str(tmp_path / "two"), "--jobs", "2"]) == 0
    two = capsys.readouterr().out
    names = ["six-approach1", "six-tfidf_lr"]

    def published(out: str) -> list[str]:  # the checkpoints' lines; one at a time, the epoch lines come too
        return [line.split(":")[0] for line in out.splitlines() if ": test accuracy " in line]

    assert published(one) == published(two) == names
    for name in names:
        assert stored(tmp_path / "one" / name) == stored(tmp_path / "two" / name)
    for name in names:  # the weights: the whole file is the same bytes
        weights = [(tmp_path / run / name / "model.safetensors").read_bytes() for run in ("one", "two")]
        assert weights[0] == weights[1], name
    vocabularies = [sorted(p.name for p in (tmp_path / run).glob("vocab-*.json")) for run in ("one", "two")]
    assert vocabularies[0] == vocabularies[1] and len(vocabularies[0]) == 1


def test_an_unknown_dataset_or_jobs_0_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["train", "--dataset", "nowhere", "--approach", "approach1", "--out", str(tmp_path)]) == 2
    assert "no dataset named 'nowhere'" in capsys.readouterr().err
    assert main(["baseline", "--dataset", "nowhere", "--out", str(tmp_path / "b")]) == 2
    assert main(["train", "--approach", "approach1", "--jobs", "0", "--out", str(tmp_path)]) == 2
    assert "--jobs must be 1 or more" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_ppmi_start_fits_a_vocabulary_smaller_than_the_embedding() -> None:
    """A small dataset's vocabulary can have fewer words than the best recipe's 100 dimensions."""
    import torch

    from rnnclf.training.pretrain import ppmi_svd

    ids = torch.randint(0, 40, (300, 12), generator=torch.Generator().manual_seed(0))
    vectors = ppmi_svd(ids, torch.full((300,), 12), 40, 100)
    assert vectors.shape == (40, 100) and bool(vectors[:, 40:].eq(0).all()) and float(vectors[:, :40].std()) > 0.5
