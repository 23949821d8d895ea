"""The binding's module layout: one concept per module, no import cycle
between them, and adapters that use only public or documented names."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import chexpert

PACKAGE = Path(chexpert.__file__).resolve().parent


def _imports(module: str) -> set:
    """The chexpert modules `module` imports at module level (not inside functions)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_module_level_imports_have_no_cycle():
    modules = [p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")]
    graph = {m: _imports(m) & set(modules) for m in modules}

    def visit(module, path):
        assert module not in path, f"import cycle: {' -> '.join(path + [module])}"
        for dependency in graph[module]:
            visit(dependency, path + [module])

    for module in modules:
        visit(module, [])
    assert "loader" not in graph["dataset"] and "dataset" not in graph["loader"]


def test_one_concept_per_module():
    from chexpert import _buffers, _progress, dataset, split, training, verify
    assert chexpert.Dataset.__module__ == dataset.__name__
    assert chexpert.Split.__module__ == split.__name__
    assert chexpert.VerifyReport.__module__ == verify.__name__
    assert chexpert.read_training_batch.__module__ == training.__name__
    assert callable(_buffers.checked_out) and callable(_progress.tqdm)


def _private_attributes(path: Path) -> list:
    """`x._name` accesses (not on self, cls or the module's own classes; not
    dunders) in a source file."""
    found = []
    tree = ast.parse(path.read_text())
    own = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls", *own):
                continue
            found.append(f"{path.name}:{node.lineno}: .{node.attr}")
    return found


def test_adapters_use_no_private_names_of_other_objects():
    for adapter in ("torch.py", "tf.py"):
        assert not _private_attributes(PACKAGE / adapter)


def test_every_training_batch_comes_from_read_training_batch():
    # chexpert.training's two entry points: read_training_batch, or the same in
    # two steps (start_training_batch, for the Loader's pipelining).
    for module in ("loader.py", "torch.py", "tf.py"):
        text = (PACKAGE / module).read_text()
        assert "read_training_batch(" in text or "start_training_batch(" in text, module
        assert "chexpert_batch_resized" not in text, module
