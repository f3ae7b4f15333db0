"""The torch-free test runs skip exactly what needs the train extra, and the lists saying so are not stale.

support/extras.py lists the tests that need torch, onnx or matplotlib. A new test file that imports one
of them at the top, unlisted, would be a collection error in the torch-free runs of .ci/run; one that
imports it inside a test would fail there. These checks read the tests' imports and catch both here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

from support.extras import TRAIN_MODULES, TRAIN_TESTS

TESTS = Path(__file__).parent
SRC = TESTS.parent / "src"
EXTRA = ("torch", "onnx", "matplotlib")


def imported(nodes: list[ast.stmt] | ast.AST) -> list[str]:
    """Every module name the statements import (for `from a import b`: a, and a.b in case b is a module)."""
    found, root = [], ast.Module(body=nodes, type_ignores=[]) if isinstance(nodes, list) else nodes
    for node in ast.walk(root):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return found


def source_of(name: str) -> Path | None:
    """The file of a numrec module or a tests/support one, if `name` is one."""
    root = SRC if name.split(".")[0] == "numrec" else TESTS if name.split(".")[0] == "support" else None
    if root is None:
        return None
    base = root.joinpath(*name.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.exists()), None)


@cache
def needs_extra(name: str) -> bool:
    """Whether importing `name` imports torch, onnx or matplotlib (numrec's own lazy imports inside functions aside)."""
    if name.split(".")[0] in EXTRA:
        return True
    path = source_of(name)
    if path is None:
        return False
    tree = ast.parse(path.read_text())
    return any(needs_extra(module) for module in imported(top_level(tree)))


def top_level(tree: ast.Module) -> list[ast.stmt]:
    return [node for node in tree.body if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def train_imports(nodes: list[ast.stmt] | ast.AST) -> list[str]:
    return [name for name in imported(nodes) if needs_extra(name)]


def modules() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text()) for path in sorted(TESTS.glob("test_*.py"))}


def test_modules_importing_the_train_extra_at_the_top_are_skipped_whole() -> None:
    top = {name for name, tree in modules().items() if train_imports(top_level(tree))}
    assert top - TRAIN_MODULES == set(), "import the train extra inside the tests, or list the module"


def needing_extra(tree: ast.Module) -> set[str]:
    """The tests that import the train extra themselves, or through a helper they call or a fixture they take."""
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    heavy = {name for name, function in functions.items() if train_imports(function)}
    grown = True
    while grown:
        used = {
            name: {c.func.id for c in ast.walk(f) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
            | {a.arg for a in f.args.args}
            for name, f in functions.items()
        }
        more = {name for name, names in used.items() if names & heavy} - heavy
        heavy |= more
        grown = bool(more)
    return {name for name in heavy if name.startswith("test_")}


def test_tests_importing_the_train_extra_inside_are_listed() -> None:
    unlisted = {
        f"{name}::{test}"
        for name, tree in modules().items()
        if name not in TRAIN_MODULES
        for test in needing_extra(tree) - TRAIN_TESTS.get(name, set())
    }
    assert unlisted == set(), "list them in support/extras.py: the torch-free runs would fail them"


def test_every_listed_test_exists() -> None:
    trees = modules()
    assert TRAIN_MODULES - set(trees) == set(), "renamed or removed"
    for module, tests in TRAIN_TESTS.items():
        defined = {n.name for n in ast.walk(trees[module]) if isinstance(n, ast.FunctionDef)}
        assert tests - defined == set(), f"{module}: renamed or removed"


def test_the_listed_tests_carry_the_train_mark() -> None:
    cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "train", "-p", "no:cacheprovider"]
    done = subprocess.run([*cmd, "test_card.py"], cwd=TESTS, capture_output=True, text=True, timeout=120)
    marked = {line.split("::")[1].split("[")[0] for line in done.stdout.splitlines() if "::" in line}
    assert marked == TRAIN_TESTS["test_card.py"], done.stdout + done.stderr
