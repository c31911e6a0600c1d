"""The package's modules form layers: no module imports, directly or through others, a module that
imports it back, counting imports made inside functions (a deferred import still ties two modules
together; it only hides the circle until a call runs into it)."""
from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from build_support import ROOT

PACKAGE = ROOT / "cstobook"


def imported_modules(path: Path) -> set[str]:
    """The package's modules that one module imports anywhere in its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cstobook":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("cstobook."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("cstobook."))
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = {path.stem for path in package.glob("*.py")}
    return {path.stem: imported_modules(path) & modules - {path.stem} for path in package.glob("*.py")}


def test_the_package_has_no_import_circle():
    try:
        order = list(graphlib.TopologicalSorter(import_graph()).static_order())
    except graphlib.CycleError as error:
        pytest.fail(f"the package's modules import each other in a circle: {' -> '.join(error.args[1])}")
    assert {"i18n", "tables", "charts"} <= set(order)


def test_the_check_finds_a_circle_through_a_deferred_import(tmp_path):
    (tmp_path / "low.py").write_text("def f():\n    from cstobook import high\n")
    (tmp_path / "high.py").write_text("from cstobook.low import f\n")
    with pytest.raises(graphlib.CycleError):
        list(graphlib.TopologicalSorter(import_graph(tmp_path)).static_order())


def test_the_translation_module_is_a_leaf_of_the_package():
    """Every module that writes for readers translates through i18n: it imports only paths."""
    assert import_graph()["i18n"] <= {"paths"}
