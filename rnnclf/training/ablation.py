"""`python -m rnnclf ablation`: train every improved approach and write the table that attributes each gain.

Each variant is trained exactly as `python -m rnnclf train --approach <id>` would (same train rows,
validation split and test split) into a scratch folder outside git; every row of the table compares a
variant with the approach it is `based_on`, so each difference in accuracy has one cause. A finished
run of an identical configuration on the same data (scratch folder or checkpoints/) is reused, so an
interrupted ablation resumes. The best variants by validation accuracy can be published to checkpoints/.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rnnclf.checkpoints.families import RecurrentSpec, TfidfSpec
from rnnclf.checkpoints.registry import read_records
from rnnclf.checkpoints.storage import PREDICTIONS, WEIGHTS, CheckpointError, Folder, publish, write_once
from rnnclf.core.files import sha256_file, write_json
from rnnclf.core.paths import CHECKPOINT_DIR, PROJECT_ROOT, REPORT_DIR, relative
from rnnclf.core.text import tokenize
from rnnclf.data.dataset import load_train_val, read_csv
from rnnclf.data.registry import AG_NEWS, get_dataset
from rnnclf.models.approaches import APPROACHES, IMPROVED, Approach

SCRATCH_DIR = PROJECT_ROOT / "runs" / "ablation"
WINDOWS = (25, 50, 64, 80, 100)  # token windows whose coverage the report shows
_NOT_A_CHANGE = {"id", "title", "based_on", "tutorial_accuracy", "notes"}


def token_lengths(texts: Sequence[str]) -> dict:
    """How many tokens the training texts have, and what share each window reads in full."""
    lengths = np.array([len(tokenize(t)) for t in texts])
    return {
        "texts": len(lengths),
        "mean": float(lengths.mean()),
        "percentiles": {str(p): float(np.percentile(lengths, p)) for p in (50, 75, 90, 95, 98, 99)},
        "max": int(lengths.max()),
        "covered_by_window": {str(w): float((lengths <= w).mean()) for w in WINDOWS},
    }


def describe_change(approach: Approach, parent: Approach) -> str:
    """The fields that differ, e.g. `readout: last_step -> last_token`."""
    old, new = parent.to_dict(), approach.to_dict()
    changes = []
    for key in new:
        if key not in _NOT_A_CHANGE and old[key] != new[key]:
            changes.append(f"{key}: {_show(old[key])} -> {_show(new[key])}")
    return "; ".join(changes)


def _show(value: object) -> str:
    if isinstance(value, (list, tuple)):  # layers
        return "+".join(
            f"{'bi' if layer['bidirectional'] else ''}{layer['cell']}{layer['hidden']}"
            + (f"x{layer['num_layers']}" if layer["num_layers"] > 1 else "")
            + (f"({layer['nonlinearity']})" if layer["cell"] == "rnn" else "")
            for layer in value
        )
    return str(value)


def finished_run(approach: Approach, folders: Sequence[Path], data_sha256: str, seed: int) -> Path | None:
    """A verified checkpoint of exactly this configuration, trained on the same data and seed."""
    for folder in folders:
        try:
            config, _ = read_records(Folder(folder))
        except CheckpointError:
            continue
        if (
            isinstance(config.model, RecurrentSpec)
            and config.model.approach == approach
            and config.training.data_sha256 == data_sha256
            and config.training.seed == seed
        ):
            return folder
    return None


def row(approach: Approach, folder: Path, parent: Approach | None) -> dict:
    config, metrics = read_records(Folder(folder))
    training = config.training
    return {
        "id": approach.id,
        "title": approach.title,
        "based_on": approach.based_on,
        "change": describe_change(approach, parent) if parent else "",
        "val_accuracy": metrics.history[training.best_epoch - 1].val_accuracy,
        "test_accuracy": metrics.test.accuracy,
        "parameters": config.parameters,
        "weights_mib": (folder / WEIGHTS).stat().st_size / 2**20,
        "epochs": training.epochs,
        "best_epoch": training.best_epoch,
        "seconds": metrics.training_seconds,
    }


def baseline_row(folder: Path) -> dict | None:
    """The TF-IDF + logistic regression checkpoint's figures, if it has been trained."""
    try:
        config, metrics = read_records(Folder(folder))
    except CheckpointError:
        return None
    spec = config.model
    if not isinstance(spec, TfidfSpec):
        return None
    chosen = next(step for step in config.training.search if step.C == spec.C)
    tried = ", ".join(f"{step.C:g}" for step in config.training.search)
    return {
        "id": folder.name,
        "title": config.title,
        "based_on": None,
        "change": f"C={chosen.C:g} (of {tried}), {spec.terms:,} uni+bigram terms (min_df {spec.min_df})",
        "val_accuracy": chosen.val_accuracy,
        "test_accuracy": metrics.test.accuracy,
        "parameters": config.parameters,
        "weights_mib": (folder / WEIGHTS).stat().st_size / 2**20,
        "epochs": None,
        "best_epoch": None,
        "seconds": metrics.training_seconds,
    }


def run_ablation(
    approaches: Sequence[Approach] = IMPROVED,
    scratch: Path = SCRATCH_DIR,
    report_dir: Path = REPORT_DIR,
    root: Path = CHECKPOINT_DIR,
    train_path: Path | None = None,
    test_path: Path | None = None,
    seed: int = 0,
    threads: int | None = None,
    progress: bool = False,
    dataset: str = AG_NEWS,
) -> dict:
    """Train (or reuse) each variant and the approaches they are based on; write ablation.json and .md.

    The rows are `dataset`'s splits unless `train_path` / `test_path` say otherwise. The TF-IDF + logistic
    regression row comes from `root`/tfidf_lr (`python -m rnnclf baseline`).
    """
    from rnnclf.training.recurrent import run

    record = get_dataset(dataset)
    train_path, test_path = record.paths(train_path, test_path)
    known = {**APPROACHES, **{a.id: a for a in approaches}}
    data_sha = sha256_file(Path(train_path))
    ids = {a.id for a in approaches}
    references = [known[i] for i in dict.fromkeys(a.based_on for a in approaches) if i and i not in ids]
    rows = []
    for approach in (*references, *approaches):
        folder = finished_run(approach, [scratch / approach.id, Path(root) / approach.id], data_sha, seed)
        if folder is None:
            folder = run(
                approach,
                out=scratch / approach.id,
                train_path=train_path,
                test_path=test_path,
                seed=seed,
                threads=threads,
                progress=progress,
                dataset=dataset,
            )
        rows.append(row(approach, folder, known.get(approach.based_on or "")))
        print(f"{approach.id}: val {rows[-1]['val_accuracy']:.2%}  test {rows[-1]['test_accuracy']:.2%}", flush=True)
    train_split, val_split = load_train_val(train_path, seed=seed)
    report = {
        "train_data": relative(train_path),
        "train_rows": len(train_split),
        "val_rows": len(val_split),
        "test_rows": len(read_csv(test_path, len(record.classes))),
        "token_lengths": token_lengths(train_split.texts),
        "baseline": baseline_row(Path(root) / "tfidf_lr"),
        "variants": rows,
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    write_json(report_dir / "ablation.json", report)
    (report_dir / "ablation.md").write_text(markdown(report), encoding="utf-8")
    return report


def markdown(report: dict) -> str:
    """The report as a Markdown page: token lengths, then one table row per variant."""
    lengths = report["token_lengths"]
    percentiles = ", ".join(f"p{p} {v:g}" for p, v in lengths["percentiles"].items())
    coverage = ", ".join(f"{w}: {share:.1%}" for w, share in lengths["covered_by_window"].items())
    lines = [
        "# Ablation: what holds the tutorial's recurrent models back",
        "",
        "Written by `python -m rnnclf ablation`. Every model is trained on the same "
        f"{report['train_rows']:,} rows of `{report['train_data']}`, chooses its epoch (or C) on the same "
        f"{report['val_rows']:,}-row validation split, and is tested on the full {report['test_rows']:,}-row "
        "test split. Each row changes one thing relative to the row it is based on.",
        "",
        f"Tokens per training text: mean {lengths['mean']:.1f}, {percentiles}, max {lengths['max']}.",
        f"Share of texts that fit entirely in a window of N tokens: {coverage}.",
        "",
        "| variant | based on | what changed | val acc | test acc | params | weights MiB | epochs (best) | seconds |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [*report["variants"], *([report["baseline"]] if report["baseline"] else [])]:
        epochs = f"{r['epochs']} ({r['best_epoch']})" if r["epochs"] else "-"
        lines.append(
            f"| {r['id']} | {r['based_on'] or '-'} | {r['change'] or r['title']} | {r['val_accuracy']:.2%} "
            f"| {r['test_accuracy']:.2%} | {r['parameters']:,} | {r['weights_mib']:.1f} | {epochs} | {r['seconds']:.0f} |"
        )
    lines += ["", *_conclusion(report)]
    return "\n".join(lines) + "\n"


def _conclusion(report: dict) -> list[str]:
    """The best recurrent variant (chosen on validation, never on test) against the baseline, and the noise."""
    improved = [r for r in report["variants"] if r["based_on"]]
    lines = [
        f"Noise: one accuracy near 90 % has a binomial standard error of {100 * _stderr(report['test_rows']):.2f} "
        f"points on the test split and {100 * _stderr(report['val_rows']):.2f} on the validation split, so "
        "differences of a few tenths between rows are within noise.",
    ]
    if improved:
        best = max(improved, key=lambda r: r["val_accuracy"])
        lines += [
            "",
            f"Best recurrent variant by validation accuracy: **{best['id']}**, "
            f"val {best['val_accuracy']:.2%}, test {best['test_accuracy']:.2%}.",
        ]
        if report["baseline"]:
            gap = 100 * (best["test_accuracy"] - report["baseline"]["test_accuracy"])
            lines[-1] += (
                f" TF-IDF + logistic regression: val {report['baseline']['val_accuracy']:.2%}, "
                f"test {report['baseline']['test_accuracy']:.2%} ({gap:+.2f} points for the recurrent model)."
            )
    return lines


def _stderr(rows: int, accuracy: float = 0.9) -> float:
    return (accuracy * (1 - accuracy) / rows) ** 0.5


def publish_best(report: dict, count: int, scratch: Path = SCRATCH_DIR, root: Path = CHECKPOINT_DIR) -> list[str]:
    """Copy the `count` variants with the best validation accuracy into checkpoints/, vocabulary included."""
    improved = {a.id for a in IMPROVED}
    ranked = sorted((r for r in report["variants"] if r["id"] in improved), key=lambda r: -r["val_accuracy"])
    published = []
    for r in ranked[:count]:
        if not (scratch / r["id"]).is_dir():
            continue  # already in checkpoints/ (reused from there)
        source = Folder(scratch / r["id"])
        config, metrics = read_records(source)
        vocab = config.model.vocab
        write_once(root / vocab.file, source.sibling(vocab.file, vocab.sha256, "vocabulary"))
        files = {name: source.read(name) for name in (WEIGHTS, PREDICTIONS)}
        publish(root / r["id"], files, config.to_dict(), metrics.to_dict())
        published.append(r["id"])
    return published
