"""The package's layers: a module imports only from its own layer or lower ones, never upward, never the app.

Lowest first. A newcomer can tell a module's layer from its path (`rnnclf/<layer>/...`); the package's
`__init__` (its public names) and `__main__` stand above every layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

from rnnclf.core.paths import PROJECT_ROOT

LAYERS = (
    "core",  # tokenizer, threads, paths, files, Markdown escaping
    "data",  # datasets and their splits
    "models",  # the Classifier interface and the model families' classifiers
    "checkpoints",  # storage, records, families' loaders, the registry
    "evaluation",  # metrics, significance, calibration, slices
    "scope",  # out-of-scope scores, their thresholds and stored records, nearest training texts
    "explain",  # words, LIME and the other methods, faithfulness, counterfactuals
    "behavior",  # the behavioral suite
    "scoring",  # batch, streaming, cluster scoring
    "training",  # training loops, the baseline, the ablation
    "export",  # checkpoints as ONNX graphs and a standalone predict.py
    "inspection",  # label issues (cleanlab) and 2-D maps of a test split: cross-validates with training's TF-IDF
    "reporting",  # charts, tables, the HTML report
    "cli",  # the command line
)
PACKAGE = PROJECT_ROOT / "rnnclf"


def imported_modules(path: Path) -> set[str]:
    """Every `rnnclf...` or `app`/`bench` module `path` imports, at any depth (lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import (the project imports absolutely)"
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("rnnclf", "app", "bench")}


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_layer() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert not loose, f"modules outside the layers: {loose}"
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == sorted(LAYERS)


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE:
            continue  # __init__ and __main__: above the layers
        own = LAYERS.index(path.relative_to(PACKAGE).parts[0])
        for module in sorted(imported_modules(path)):
            if module.split(".")[0] != "rnnclf":
                upward.append(f"{path.relative_to(PROJECT_ROOT)} imports {module} (the app or bench)")
            elif (layer := layer_of(module)) is not None and layer > own:
                upward.append(f"{path.relative_to(PROJECT_ROOT)} ({LAYERS[own]}) imports {module} ({LAYERS[layer]})")
    assert not upward, "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The walk above finds imports inside functions too (a lazy import is still a dependency)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from rnnclf.cli.commands import main\n")
    assert "rnnclf.cli.commands" in imported_modules(module)
    assert layer_of("rnnclf.cli.commands") > layer_of("rnnclf.core.text")
