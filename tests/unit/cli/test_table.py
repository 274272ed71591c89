"""The command table drives the parser: every command is in `--help` and the package docstring, each parses
its flags to the values (and defaults) it always had, and main keeps its exit statuses."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rnnclf.cli as cli
from rnnclf.checkpoints.storage import CheckpointError
from rnnclf.cli import COMMANDS, build_parser, main
from rnnclf.cli.command import UsageError
from rnnclf.core.paths import CHECKPOINT_DIR, REPORT_DIR
from rnnclf.core.paths import PROJECT_ROOT as ROOT
from rnnclf.data.dataset import DataError

NAMES = [command.name for command in COMMANDS]
ROOT_DIR = str(CHECKPOINT_DIR)

# A short and a full command line per command, and the values today's parser gives them: flags, defaults, types.
PARSED = {
    ("train", "--approach", "approach1", "approach2"): dict(
        approach=["approach1", "approach2"],
        dataset="ag_news",
        train=None,  # the dataset's splits (for AG News: TRAIN_PATH and TEST_PATH, as always)
        test=None,
        jobs=1,
        epochs=None,
        seed=0,
        max_rows=None,
        sparse=False,
        threads=None,
        out=None,
        quiet=False,
    ),
    (
        *("train", "--approach", "approach3", "--train", "a.csv", "--test", "b.csv", "--epochs", "3", "--seed", "5"),
        *("--max-rows", "10", "--sparse", "--threads", "2", "--out", "o", "--quiet", "--dataset", "d", "--jobs", "2"),
    ): dict(
        approach=["approach3"],
        dataset="d",
        train="a.csv",
        test="b.csv",
        jobs=2,
        epochs=3,
        seed=5,
        max_rows=10,
        sparse=True,
        threads=2,
        out="o",
        quiet=True,
    ),
    ("baseline",): dict(dataset="ag_news", train=None, test=None, seed=0, max_rows=None, out=None),
    ("baseline", "--seed", "3", "--max-rows", "9", "--out", "x", "--train", "t", "--test", "u", "--dataset", "d"): dict(
        dataset="d", train="t", test="u", seed=3, max_rows=9, out="x"
    ),
    ("data", "list"): dict(action="list"),
    ("data", "show", "tickets"): dict(action="show", name="tickets"),
    ("data", "add", "tickets", "--train", "t.csv"): dict(
        action="add",
        name="tickets",
        train="t.csv",
        test=None,
        text_column=None,
        label_column=None,
        test_fraction=0.1,
        seed=0,
        bad_rows="stop",
        replace=False,
    ),
    ("ablation",): dict(publish=0, threads=None, quiet=False),
    ("ablation", "--publish", "2", "--threads", "3", "--quiet"): dict(publish=2, threads=3, quiet=True),
    ("evaluate", "--checkpoint", "approach1"): dict(checkpoint="approach1", data=None, json=False, store=False),
    ("evaluate", "--checkpoint", "a", "--data", "d.csv", "--json", "--store"): dict(
        checkpoint="a", data="d.csv", json=True, store=True
    ),
    ("predict", "--checkpoint", "a", "b", "--text", "hi"): dict(
        checkpoint=["a", "b"],
        text="hi",
        input=None,
        column=None,
        output=None,
        chunk_rows=10_000,
        bad_rows="stop",
        quiet=False,
        engine="local",
        address=None,
        workers=None,
        json=False,
    ),
    (
        *("predict", "--checkpoint", "a", "--input", "i.csv", "--column", "c", "--output", "o.csv"),
        *("--chunk-rows", "7", "--bad-rows", "skip", "--quiet", "--engine", "dask", "--address", "tcp://x"),
        *("--workers", "3", "--json"),
    ): dict(
        checkpoint=["a"],
        text=None,
        input="i.csv",
        column="c",
        output="o.csv",
        chunk_rows=7,
        bad_rows="skip",
        quiet=True,
        engine="dask",
        address="tcp://x",
        workers=3,
        json=True,
    ),
    ("explain", "--checkpoint", "a", "--text", "t"): dict(
        checkpoint="a", text="t", method="all", label=None, samples=2000, seed=0, top=10, json=False
    ),
    (
        *("explain", "--checkpoint", "a", "--text", "t", "--method", "ig", "--label", "World"),
        *("--samples", "9", "--seed", "4", "--top", "3", "--json"),
    ): dict(checkpoint="a", text="t", method="ig", label="World", samples=9, seed=4, top=3, json=True),
    ("faithfulness",): dict(checkpoint=None, samples=200, seed=0, dataset=None, out=None),
    ("faithfulness", "--checkpoint", "a", "b", "--samples", "4", "--seed", "1", "--out", "r", "--dataset", "d"): dict(
        checkpoint=["a", "b"], samples=4, seed=1, dataset="d", out="r"
    ),
    ("summary",): dict(root=ROOT_DIR, dataset=None, json=False, markdown=False),
    ("summary", "--root", "r", "--json", "--markdown", "--dataset", "d"): dict(
        root="r", dataset="d", json=True, markdown=True
    ),
    ("calibrate", "--all"): dict(checkpoint=[], all=True, root=ROOT_DIR, dataset=None, markdown=None),
    ("calibrate", "--checkpoint", "a", "b", "--root", "r", "--markdown", "m.md", "--dataset", "d"): dict(
        checkpoint=["a", "b"], all=False, root="r", dataset="d", markdown="m.md"
    ),
    ("compare",): dict(checkpoints=[], root=ROOT_DIR, dataset=None, markdown=False),
    ("compare", "a", "b", "--root", "r", "--markdown", "--dataset", "d"): dict(
        checkpoints=["a", "b"], root="r", dataset="d", markdown=True
    ),
    ("report", "--out", "x.html"): dict(out="x.html", probe=[], root=ROOT_DIR, dataset=None),
    ("report", "--out", "x.html", "--probe", "a", "--probe", "b", "--root", "r", "--dataset", "d"): dict(
        out="x.html", probe=["a", "b"], root="r", dataset="d"
    ),
    # --out's default is reports/ (reports/NAME/ for --dataset NAME), resolved when the command runs
    ("behave",): dict(checkpoint=None, root=ROOT_DIR, dataset=None, suite=None, out=None, json=False),
    ("behave", "--checkpoint", "a", "--root", "r", "--out", "o", "--json", "--dataset", "d", "--suite", "s.json"): dict(
        checkpoint=["a"], root="r", dataset="d", suite="s.json", out="o", json=True
    ),
    ("card",): dict(name=[], root=ROOT_DIR, reports=str(REPORT_DIR)),
    ("card", "a", "b", "--root", "r", "--reports", "p"): dict(name=["a", "b"], root="r", reports="p"),
    ("export", "a", "--out", "o"): dict(name="a", format="onnx", out="o", root=ROOT_DIR),
    ("export", "a", "--format", "onnx", "--out", "o", "--root", "r"): dict(name="a", format="onnx", out="o", root="r"),
    ("label-issues",): dict(dataset="ag_news", root=ROOT_DIR, folds=5, test_only=False, out=str(REPORT_DIR)),
    ("label-issues", "--dataset", "d", "--root", "r", "--folds", "3", "--test-only", "--out", "o"): dict(
        dataset="d", root="r", folds=3, test_only=True, out="o"
    ),
    ("map",): dict(checkpoint=None, root=ROOT_DIR, method=["pca", "umap"], out=str(REPORT_DIR / "maps")),
    ("map", "--checkpoint", "a", "--root", "r", "--method", "pca", "--out", "o"): dict(
        checkpoint=["a"], root="r", method=["pca"], out="o"
    ),
    ("scope",): dict(
        dataset="ag_news", offtopic=str(ROOT / "data" / "offtopic" / "offtopic.csv.gz"), root=ROOT_DIR, markdown=None
    ),
    ("scope", "--dataset", "d", "--offtopic", "o.csv", "--root", "r", "--markdown", "m.md"): dict(
        dataset="d", offtopic="o.csv", root="r", markdown="m.md"
    ),
    ("neighbors", "--checkpoint", "a", "--text", "t"): dict(checkpoint="a", text="t", k=5, json=False),
    ("neighbors", "--checkpoint", "a", "--text", "t", "--k", "3", "--json"): dict(
        checkpoint="a", text="t", k=3, json=True
    ),
}


@pytest.mark.parametrize("argv", list(PARSED), ids=" ".join)
def test_each_command_parses_as_it_always_has(argv: tuple[str, ...]) -> None:
    assert vars(build_parser().parse_args(argv)) == {"command": argv[0], **PARSED[argv]}


def test_every_command_has_its_command_lines_here() -> None:
    assert sorted({argv[0] for argv in PARSED}) == sorted(NAMES)


def test_help_lists_every_command_of_the_table(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    printed = " ".join(capsys.readouterr().out.split())  # argparse wraps long lines
    assert "{" + ",".join(NAMES) + "}" in printed
    for command in COMMANDS:
        assert f"{command.name} {' '.join(command.help.split())}" in printed


def test_the_docstring_names_every_command_in_table_order() -> None:
    intro = " ".join(cli.__doc__.split("\n\n")[0].split())
    listed = re.search(r"COMMAND is one of ([a-z, -]+);", intro)
    assert listed is not None and listed.group(1).split(", ") == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_command_has_its_own_help(name: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith(f"usage: python -m rnnclf {name} ")


def _running(monkeypatch: pytest.MonkeyPatch, name: str, run) -> None:
    """Make command `name` run `run` instead of its own function."""
    monkeypatch.setitem(cli.BY_NAME, name, dataclasses.replace(cli.BY_NAME[name], run=run))


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UsageError("bad flag value"), 2),
        (CheckpointError("no such folder"), 1),
        (DataError("line 1: bad label"), 1),
        (KeyboardInterrupt(), 130),
    ],
)
def test_exit_status_of_each_kind_of_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, error: BaseException, status: int
) -> None:
    def fail(_args) -> int:
        raise error

    _running(monkeypatch, "summary", fail)
    assert main(["summary"]) == status
    message = capsys.readouterr().err
    assert (str(error) in message) if str(error) else message.startswith("interrupted:")
    assert "Traceback" not in message


def test_a_usage_mistake_exits_2(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["evaluate"])  # --checkpoint is required
    assert exit_.value.code == 2 and "--checkpoint" in capsys.readouterr().err


def test_threads_are_set_for_every_command_but_train(monkeypatch: pytest.MonkeyPatch) -> None:
    """train sets them from its own --threads (under torchrun too); the others get the default first."""
    configured = []
    monkeypatch.setattr(cli, "configure_threads", lambda: configured.append(True))
    for name in ("train", "summary"):
        _running(monkeypatch, name, lambda _args: 0)
    assert main(["train", "--approach", "approach1"]) == 0 and configured == []
    assert main(["summary"]) == 0 and configured == [True]
    assert [command.name for command in COMMANDS if command.sets_threads] == ["train"]


FORBIDDEN = ("sklearn", "captum", "plotly", "rnnclf.training.recurrent", "rnnclf.training.tfidf")
FORBIDDEN += ("rnnclf.training.ablation", "rnnclf.evaluation.temperature", "rnnclf.behavior", "rnnclf.reporting.html")


def test_predict_loads_no_training_stack_or_report_code(tiny_checkpoint: Path) -> None:
    """The command table imports every group's module: their heavy imports stay inside the commands."""
    script = (
        "import json, sys; from rnnclf.cli import main; "
        f"main(['predict', '--checkpoint', {str(tiny_checkpoint)!r}, '--text', 'Oil prices rise', '--json']); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300, check=True
    )
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert "rnnclf.cli.reports" in loaded  # the check sees the table's modules
    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)] == []


def test_baseline_command_trains_and_publishes(tiny_csv: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "tfidf"
    args = ["baseline", "--train", str(tiny_csv), "--test", str(tiny_csv), "--out", str(out)]
    assert main(args) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert (
        last.startswith("tfidf: test accuracy ") and last.endswith(f"saved to {out}") and (out / "config.json").exists()
    )
