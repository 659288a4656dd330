"""The shape of `interpreter/`, checked from the modules' own imports.

Each layer is a package and imports only from the layers below it (docs/architecture.md);
no two modules import each other, directly or round a longer cycle; an import inside a
function says why it is there.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "interpreter"

# Lower ranks are lower layers. lang and limits share a rank: neither imports the other.
RANKS = {
    "source": 0,
    "exports": 0,
    "errors": 1,
    "diagnostics": 2,
    "lang": 3,
    "limits": 3,
    "providers": 4,
    "tasks": 5,
    "memory": 6,
    "engine": 7,
    "cli": 8,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function?) for each import of our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                if child.module.split(".")[0] == "interpreter":
                    found.append((child.module, child.lineno, nested))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "interpreter":
                        found.append((alias.name, child.lineno, nested))
            visit(child, inner)

    visit(tree, False)
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _resolve(target: str) -> str:
    """The module an import names (a name imported from a package is the package)."""
    while target not in MODULES and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def test_every_module_belongs_to_a_layer():
    loose = [m for m in MODULES if _layer(m) not in RANKS and _layer(m) not in (None, "__main__")]
    assert not loose, f"modules outside the layers of docs/architecture.md: {loose}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_only_downward(module):
    here = _layer(module)
    if here not in RANKS:
        return  # the package's own __init__ and __main__ sit above every layer
    upward = []
    for target, line, _ in _imports(MODULES[module]):
        there = _layer(target)
        if there is None:
            upward.append(f"line {line}: {target} (the package itself)")
        elif there != here and RANKS[there] >= RANKS[here]:
            upward.append(f"line {line}: {target} ({there} is not below {here})")
    assert not upward, f"{module} imports upward or sideways:\n" + "\n".join(upward)


def test_no_import_cycles():
    graph = {
        module: {_resolve(t) for t, _, _ in _imports(path)} - {module}
        for module, path in MODULES.items()
    }
    # a package's __init__ re-exporting its own modules is not a dependency cycle
    for module in graph:
        graph[module] = {t for t in graph[module] if not module.startswith(f"{t}.")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_inside_functions_say_why(module):
    path = MODULES[module]
    lines = path.read_text(encoding="utf-8").splitlines()

    def explained(line: int) -> bool:
        """A comment on the import's line, or above it and the imports grouped with it."""
        if "#" in lines[line - 1]:
            return True
        above = line - 2
        while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
            above -= 1
        return above >= 0 and lines[above].strip().startswith("#")

    silent = [
        f"line {line}: {target}"
        for target, line, nested in _imports(path)
        if nested and not explained(line)
    ]
    assert not silent, (
        f"{module} imports inside functions without a comment giving the reason "
        "(an optional dependency, or start-up time):\n" + "\n".join(silent)
    )


def test_the_task_language_names_exactly_the_procedures_its_runner_makes():
    """The names that load the task layer on first use are the ones it installs."""
    from interpreter.limits.settings import load_settings
    from interpreter.tasks.language import TASK_PROCEDURES
    from interpreter.tasks.runner import TaskRunner

    assert set(TaskRunner(load_settings()).primitives()) == set(TASK_PROCEDURES)


def test_every_package_is_installed():
    """pyproject.toml lists the packages to install: a new layer or subpackage missing
    from it would work in a checkout and be absent from an installed taskscheme."""
    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    packages = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert packages <= listed, f"missing from pyproject.toml: {sorted(packages - listed)}"


# Methods that take a string apart at a separator, and the one function that may split a
# model spec at its colon.
_SPLITTING = {"partition", "rpartition", "split", "rsplit", "startswith", "removeprefix", "find"}
_SPEC_PARSER = ("interpreter.limits.models", "parse")


def _colon_splits(path: Path) -> list[tuple[str, int]]:
    """(enclosing function, line) of every place that splits text at a colon or tests it
    for one: `text.partition(":")`, `text.startswith("replay:")`, `":" in text`."""
    found: list[tuple[str, int]] = []

    def colon(node: ast.AST) -> bool:
        """A colon, or a prefix like a spec's (`replay:`); `#:` starts a keyword."""
        value = node.value if isinstance(node, ast.Constant) else None
        return isinstance(value, str) and re.fullmatch(r"[a-z]*:", value) is not None

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = (
                child.name
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                else function
            )
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in _SPLITTING
                and any(colon(arg) for arg in child.args)
            ) or (
                isinstance(child, ast.Compare)
                and colon(child.left)
                and any(isinstance(op, ast.In | ast.NotIn) for op in child.ops)
            ):
                found.append((function, child.lineno))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def test_a_model_spec_is_split_in_one_function():
    splits = {
        (module, function, line)
        for module, path in MODULES.items()
        for function, line in _colon_splits(path)
    }
    parser = {split for split in splits if split[:2] == _SPEC_PARSER}
    assert parser, "ModelSpec.parse no longer splits a spec: update _SPEC_PARSER"
    elsewhere = [
        f"{module}:{line} in {function or 'the module'}"
        for module, function, line in sorted(splits - parser)
    ]
    assert not elsewhere, (
        "text is split at a colon outside ModelSpec.parse; parse a model spec with "
        "ModelSpec.parse (limits/models.py):\n" + "\n".join(elsewhere)
    )
