"""The house: every module says its one job, imports run one way, and only the command line speaks.

A newcomer reads the package by its module docstrings and its imports; these
tests keep both honest as it grows.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import workbook_tools

PACKAGE = Path(workbook_tools.__file__).parent
# The command line is the one place that prints; __main__ only starts it.
SPEAKERS = {"cli", "__main__"}


def modules() -> dict[str, ast.Module]:
    """Dotted name under the package (e.g. "checks.identity") -> its parsed source."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"
        found[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return found


def imports_of(name: str, tree: ast.Module) -> set[str]:
    """The package's own modules `name` imports, at the top or inside a function."""
    package = name.split(".") if name != "__init__" else []
    is_package = (PACKAGE.joinpath(*package) / "__init__.py").exists() if package else True
    here = package if is_package else package[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            target = [*base, *(node.module.split(".") if node.module else [])]
            for alias in node.names:
                candidate = ".".join([*target, alias.name])
                out.add(candidate if candidate in MODULES else ".".join(target) or "__init__")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("workbook_tools"):
            out.add(node.module.removeprefix("workbook_tools").lstrip(".") or "__init__")
    return {m for m in out if m in MODULES and m != name}


MODULES = modules()
GRAPH = {name: imports_of(name, tree) for name, tree in MODULES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_names_its_one_job_in_its_docstrings_first_line(name):
    doc = ast.get_docstring(MODULES[name])
    assert doc, f"{name} has no docstring"
    first = doc.strip().splitlines()[0]
    assert len(first) > 20 and first.rstrip()[-1] in ".:", f"{name}: the first line should be a sentence naming the job: {first!r}"


def test_no_module_below_the_command_line_imports_it():
    offenders = sorted(name for name, uses in GRAPH.items() if "cli" in uses and name not in SPEAKERS)
    assert offenders == []


def test_no_module_below_the_command_line_prints():
    offenders = []
    for name, tree in MODULES.items():
        if name in SPEAKERS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{name}:{node.lineno} print()")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("stdout", "stderr")
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                offenders.append(f"{name}:{node.lineno} sys.{node.attr}")
    assert offenders == []


def test_the_modules_import_one_way_with_no_cycle():
    """A cycle, even through an import inside a function, means two modules that cannot be read apart."""
    seen: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        seen[name] = 1
        path.append(name)
        for used in sorted(GRAPH[name]):
            if seen.get(used) == 1:
                return path[path.index(used) :] + [used]
            if used not in seen and (cycle := visit(used)):
                return cycle
        seen[name] = 2
        path.pop()
        return None

    for name in sorted(GRAPH):
        if name not in seen:
            cycle = visit(name)
            assert cycle is None, " -> ".join(cycle)


def test_every_name_the_package_offers_a_script_is_there():
    for name in workbook_tools.__all__:
        assert getattr(workbook_tools, name) is not None, name
    assert issubclass(workbook_tools.MasterError, workbook_tools.FollowupError)


def test_every_error_a_user_can_cause_is_a_followup_error():
    from workbook_tools.cli import _user_errors

    for error in _user_errors():
        assert issubclass(error, workbook_tools.FollowupError), error.__name__


def test_importing_the_package_loads_nothing_heavy():
    """Worker processes and `followup --help` start by importing the package: it must not drag in the whole tool."""
    code = "import sys, workbook_tools; print(sorted(m for m in sys.modules if m.startswith('workbook_tools')))"
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "['workbook_tools']"
    assert importlib.import_module("workbook_tools").read_master.__module__ == "workbook_tools.master"
