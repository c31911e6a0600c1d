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
    """Every module that writes for readers translates through i18n: it imports only paths and
    modules that import nothing of the package (its spelled dates)."""
    graph = import_graph()
    leaves = {name for name, imported in graph.items() if not imported}
    assert "spelled_dates" in leaves
    assert graph["i18n"] <= {"paths"} | leaves, graph["i18n"]


# --- Rooms of a readable size ------------------------------------------------------------------
# A module does one thing and a reader can hold it whole; a chapter's code cell stays narrative
# (it loads tables and calls the package's named functions). Counted: the lines of a module; the
# lines of a cell that hold code (not blank, not only a comment).
MAX_MODULE_LINES = 400
MAX_CELL_LINES = 25


def code_lines(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def test_no_module_of_the_package_its_extensions_or_tools_is_over_the_size_limit():
    folders = (PACKAGE, ROOT / "_ext", ROOT / "tools")
    sizes = {path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
             for folder in folders for path in folder.glob("*.py")}
    assert len(sizes) > 30 and any(name.startswith("_ext/") for name in sizes)
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_chapter_code_cell_is_over_the_size_limit():
    import build_integrity  # on sys.path through build_support

    pages = sorted(ROOT.glob("*.md")) + sorted((ROOT / "chapters").glob("*.md"))
    cells = [(f"{page.relative_to(ROOT)}:{line}", code_lines(code)) for page in pages
             for line, code in build_integrity.code_cells(page.read_text(encoding="utf-8"))]
    assert len(cells) > 30
    assert [(cell, n) for cell, n in cells if n > MAX_CELL_LINES] == []


def test_the_size_checks_count_what_they_say():
    assert code_lines("x = 1\n\n# a comment\n  # another\ny = 2  # kept\n") == 2
