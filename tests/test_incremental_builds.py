"""No stale outputs, and no wasted work. The execution cache notices only edits to code cells;
_ext/build_integrity.py adds what each chapter reads (its tables, the cstobook code it imports) so
that a change to a table or to cstobook re-executes exactly the chapters that depend on it, and an
incremental build re-reads them. A copy of the book is built from the session's execution cache,
then changed one way at a time and rebuilt incrementally."""
from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from build_support import BuildResult, build, copy_book, notebook_pages
from build_support import ROOT

import build_integrity  # noqa: E402 - on sys.path through build_support


def inputs_of(source: Path, page: str) -> list[str]:
    path = source / f"{page}.md"
    code = "\n".join(cell for _, cell in build_integrity.code_cells(path.read_text(encoding="utf-8")))
    return build_integrity.notebook_inputs(code, source)


def dependents(source: Path, item: str) -> set[str]:
    """Notebook pages that read `item` (a file under source), directly or as part of all of data/."""
    found = set()
    for page in notebook_pages(source):
        inputs = inputs_of(source, page)
        if item in inputs or (item.startswith("data/") and build_integrity.ALL_DATA in inputs):
            found.add(page)
    return found


# --- What each chapter reads -----------------------------------------------------------------------

@pytest.mark.parametrize("page", notebook_pages())
def test_inputs_cover_every_table_and_module_a_chapter_uses(page):
    code = "\n".join(cell for _, cell in build_integrity.code_cells((ROOT / f"{page}.md").read_text(encoding="utf-8")))
    inputs = inputs_of(ROOT, page)
    resources = build_integrity.data_package(ROOT)
    for name in re.findall(r"load_table\(\s*['\"]([^'\"]+)['\"]", code):
        assert f"data/{resources[name]['path']}" in inputs, name
        assert f"references.bib#{name}" in inputs and f"data/datapackage.json#{name}" in inputs
    for module in re.findall(r"^from cstobook import (.+)$", code, re.M):
        for name in (part.strip().split(" as ")[0] for part in module.strip("()").split(",")):
            assert f"cstobook/{name}.py" in inputs, name


def test_inputs_follow_imports_foreign_keys_and_non_literal_loads():
    inputs = build_integrity.notebook_inputs("from cstobook import tables\nx = data.load_table(name)\n", ROOT)
    assert {"cstobook/tables.py", "cstobook/data.py", "cstobook/paths.py", "data/"} <= set(inputs)
    inputs = build_integrity.notebook_inputs("from cstobook import data\ndata.load_table('indicators')\n", ROOT)
    assert "data/countries.csv" in inputs  # indicators' iso3 are checked against countries
    assert "data/region.geojson" not in inputs and "data/" not in inputs
    assert build_integrity.notebook_inputs("print('no inputs')", ROOT) == []


def test_no_data_step_work_at_build_time():
    """Geometry simplification and reading the raw sources belong to `make data` (cstobook/derive.py
    and its raw sources, cstobook/sources.py), never to a chapter or to the code chapters import."""
    forbidden = re.compile(r"\.simplify(?:_coverage)?\(|set_precision\(|\.dissolve\(|\boverlay\(|union_all\(|"
                           r"unary_union|paths\.SOURCES|shared/sources|from cstobook import (?:derive|sources)|cstobook\.(?:derive|sources)")
    found = []
    for module in sorted((ROOT / "cstobook").glob("*.py")):
        if module.name in {"derive.py", "sources.py", "paths.py"}:
            continue
        found += [f"cstobook/{module.name}:{n}: {line.strip()}" for n, line in
                  enumerate(module.read_text(encoding="utf-8").splitlines(), 1) if forbidden.search(line)]
    for page in notebook_pages():
        text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
        for line, code in build_integrity.code_cells(text):
            found += [f"{page}.md (cell at line {line}): {row.strip()}" for row in code.splitlines() if forbidden.search(row)]
    assert not found, "\n".join(found)


def test_pages_that_list_the_chapters_depend_on_the_table_of_contents_and_titles():
    assert set(build_integrity.TOC_INPUTS) <= set(inputs_of(ROOT, "chapters/how-to-cite"))
    assert build_integrity.TOC not in build_integrity.notebook_inputs("from cstobook import i18n\n", ROOT)


def test_table_of_contents_and_titles_change_the_fingerprints_of_their_readers(tmp_path):
    """Changing _toc.yml, or a title of one of its documents, changes the fingerprint of a chapter
    that reads them (it executes again) and the presentation fingerprint (every page's navigation
    is re-written); an edit elsewhere in a chapter changes neither."""
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: index\nparts:\n- caption: The argument\n"
                                   "  chapters:\n  - file: chapters/a\n", encoding="utf-8")
    (root / "index.md").write_text("# Home\n\nText.\n", encoding="utf-8")
    (root / "chapters" / "a.md").write_text("(a)=\n# First title\n\nText.\n", encoding="utf-8")
    (root / "chapters" / "b.md").write_text("# Another chapter\n", encoding="utf-8")

    def fingerprints():
        return (build_integrity.fingerprint(build_integrity.TOC_INPUTS, root),
                build_integrity.presentation_fingerprint(root))

    start = fingerprints()
    (root / "chapters" / "a.md").write_text("(a)=\n# First title\n\nOther text.\n", encoding="utf-8")
    assert fingerprints() == start
    (root / "chapters" / "a.md").write_text("(a)=\n# A new title: 2022–2025\n\nOther text.\n", encoding="utf-8")
    retitled = fingerprints()
    assert retitled[0] != start[0] and retitled[1] != start[1]
    with (root / "_toc.yml").open("a", encoding="utf-8") as toc:
        toc.write("  - file: chapters/b\n")
    added = fingerprints()
    assert added[0] != retitled[0] and added[1] != retitled[1]


def test_every_module_that_reads_data_is_known_to_the_fingerprint():
    """A cstobook module that reads data/ or the bibliography itself must be listed in
    build_integrity.MODULE_INPUTS (or be the loader, whose reads follow the tables loaded)."""
    reads = re.compile(r"paths\.(DATA|DATAPACKAGE|BIBLIOGRAPHY)\b")
    unknown = []
    for module in sorted((ROOT / "cstobook").glob("*.py")):
        if module.stem in {"data", "derive", "paths", "register"} or module.stem in build_integrity.MODULE_INPUTS:
            continue
        if reads.search(module.read_text(encoding="utf-8")):
            unknown.append(f"cstobook/{module.name}")
    assert not unknown, unknown



def chart_modules(root: Path = ROOT) -> list[str]:
    """The modules that draw and write charts: the front `charts` and every module it imports."""
    closure = build_integrity.module_closure({"charts"}, root / "cstobook")
    return sorted(name for name in closure if name == "charts" or name.startswith("chart_"))


def test_a_change_in_any_chart_module_reexecutes_the_chapters_that_draw_charts(tmp_path):
    """charts.py is a front over flat modules (layouts, families, output, twins): each chapter
    that draws a chart depends on every one of them and on what the twins read, so that an edit
    to any executes it again; a chapter that draws none depends on none."""
    modules = chart_modules()
    assert {"charts", "chart_layout", "chart_output", "chart_twins", "chart_bars", "chart_grids",
            "chart_timelines"} <= set(modules), modules
    assert {f"chart_{path.stem.split('_', 1)[1]}" for path in (ROOT / "cstobook").glob("chart_*.py")} <= set(modules)
    pages = notebook_pages()
    readers = [page for page in pages if "charts." in (ROOT / f"{page}.md").read_text(encoding="utf-8")]
    assert len(readers) >= 8 and len(readers) < len(pages), readers
    for page in pages:
        inputs = inputs_of(ROOT, page)
        read = [m for m in modules if f"cstobook/{m}.py" in inputs]
        assert read == (modules if page in readers else []), page
        if page in readers:
            assert set(build_integrity.MODULE_INPUTS["chart_twins"]) <= set(inputs), page
    root = tmp_path / "book"
    shutil.copytree(ROOT / "cstobook", root / "cstobook", ignore=shutil.ignore_patterns("__pycache__"))
    code = [item for item in inputs_of(ROOT, readers[0]) if item.startswith("cstobook/")]
    before = build_integrity.fingerprint(code, root)
    for module in modules:
        path = root / "cstobook" / f"{module}.py"
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "\n# edited\n", encoding="utf-8")
        assert build_integrity.fingerprint(code, root) != before, f"an edit to {module} leaves {readers[0]} as it was"
        path.write_text(text, encoding="utf-8")
    assert build_integrity.fingerprint(code, root) == before


# --- Incremental builds of a copy ----------------------------------------------------------------

TEMPLATE = "chapters/_template"
HOW_TO_CITE = "chapters/how-to-cite"


def add_chapter(source: Path, document: str, part: str = "The argument") -> None:
    """Add `document` at the end of a part of the _toc.yml of a copy of the book."""
    path = source / "_toc.yml"
    contents = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(p for p in contents["parts"] if p["caption"] == part)["chapters"].append({"file": document})
    path.write_text(yaml.safe_dump(contents, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def warm_copy(built_book, tmp_path_factory):
    """A copy of the book, with the chapter template added as an argument chapter, built
    (incrementally from here on) on the session build's cache: only the template executes."""
    folder = tmp_path_factory.mktemp("incremental")
    source = copy_book(folder / "book")
    add_chapter(source, TEMPLATE)
    output = folder / "out"
    (output / "_build").mkdir(parents=True)
    shutil.copytree(built_book.parent / ".jupyter_cache", output / "_build" / ".jupyter_cache")
    first = build(source, output)
    assert first.returncode == 0, first.log[-6000:]
    # the session build's cache served the other chapters; How to cite, which has a citation per
    # chapter of _toc.yml, executes again for the new chapter
    assert first.executed(source) == {TEMPLATE, HOW_TO_CITE}, first.executed(source)
    return source, output


def test_chapter_template_builds_strictly_as_an_argument_chapter(warm_copy):
    """chapters/_template.md, copied as it is and added to _toc.yml, builds with warnings as
    errors (the fixture) and shows what an argument chapter must: the In brief box with its
    glued number, a table with header cells, a figure with alt text, a citation."""
    source, output = warm_copy
    soup = BeautifulSoup(page_text(output, TEMPLATE), "html.parser")
    article = soup.find("article")
    brief = article.select_one(".admonition.in-brief")
    assert brief is not None and "In brief" in brief.get_text()
    assert re.search(r"\d", brief.get_text()), "the In brief box shows its glued number"
    assert all(table.find("th") for table in article.find_all("table")) and article.find("table")
    images = [img for img in article.find_all("img") if "_images" in img.get("src", "")]
    assert images and all(len(img.get("alt", "")) >= 15 for img in images)
    assert article.select("a.reference.internal[href*='references']"), "a citation links the bibliography"
    assert (source / "figures" / "template_contingents.png").is_file()


def build_with_edit(source: Path, output: Path, path: Path, edit) -> BuildResult:
    """An incremental build of `source` with the file `path` changed by `edit(text)`; the file is
    restored afterwards."""
    original = path.read_text(encoding="utf-8")
    path.write_text(edit(original), encoding="utf-8")
    try:
        return build(source, output)
    finally:
        path.write_text(original, encoding="utf-8")


def page_text(output: Path, page: str) -> str:
    return (output / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")


def test_rebuild_without_change_executes_nothing(warm_copy):
    source, output = warm_copy
    result = build(source, output)
    assert result.returncode == 0, result.log[-4000:]
    assert result.executed(source) == set()


def test_prose_edit_executes_nothing_and_shows_the_edit(warm_copy):
    source, output = warm_copy
    page = notebook_pages(source)[0]
    result = build_with_edit(source, output, source / f"{page}.md",
                             lambda text: text + "\nA sentence added by the prose-edit test: proseeditmarker.\n")
    assert result.returncode == 0, result.log[-4000:]
    assert result.executed(source) == set()
    assert "proseeditmarker" in page_text(output, page)


def charts_drawn(source: Path, pages: set[str]) -> int:
    """How many charts these chapters write (their calls of save_figure): what executing them
    costs, most of it."""
    return sum((source / f"{page}.md").read_text(encoding="utf-8").count("save_figure(") for page in pages)


def value_to_change(source: Path, output: Path) -> tuple[str, str, set[str]] | None:
    """(data file, a cell value shown verbatim on the page of a chapter that loads the file, the
    chapters reading the file), preferring files read by the fewest chapters, then by chapters
    that draw the fewest charts."""
    notebooks = set(notebook_pages(source))
    candidates = []
    for resource in build_integrity.data_package(source).values():
        item = f"data/{resource['path']}"
        readers = dependents(source, item)
        if not item.endswith(".csv") or not readers or readers == notebooks:
            continue
        candidates.append((len(readers), charts_drawn(source, readers), item, readers))
    for *_, item, readers in sorted(candidates, key=lambda candidate: candidate[:3]):
        text = (source / item).read_text(encoding="utf-8")
        with (source / item).open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row[1:]]
        for cell in sorted(set(cells), key=lambda c: (-len(c), c)):
            if not (12 <= len(cell) <= 80) or not re.fullmatch(r"[A-Za-z][\w ,.'()-]*", cell) or text.count(cell) != 1:
                continue
            if any(html.escape(cell, quote=False) in page_text(output, page) for page in readers):
                return item, cell, readers
    return None


def test_changed_table_reexecutes_exactly_its_chapters_and_shows_the_new_value(warm_copy):
    source, output = warm_copy
    found = value_to_change(source, output)
    if found is None:
        pytest.fail("no table value shown verbatim on a page was found to change")
    item, value, readers = found
    result = build_with_edit(source, output, source / item, lambda text: text.replace(value, f"{value} Zstalecheck"))
    assert result.returncode == 0, result.log[-4000:]
    assert result.executed(source) == readers, f"changed {item}"
    assert any(f"{value} Zstalecheck" in html.unescape(page_text(output, page)) for page in readers), \
        f"the new value of {item} is not on the pages of {sorted(readers)}"


def test_changed_cstobook_module_reexecutes_exactly_its_chapters(warm_copy):
    source, output = warm_copy
    notebooks = set(notebook_pages(source))
    readers = {m.name: dependents(source, f"cstobook/{m.name}") for m in (source / "cstobook").glob("*.py")}
    # the module read by the fewest chapters, then by chapters that draw the fewest charts
    modules = sorted((len(pages), charts_drawn(source, pages), name) for name, pages in readers.items())
    chosen = next((name for count, _, name in modules if 0 < count < len(notebooks)), None)
    if chosen is None:
        pytest.skip("every cstobook module is read by every chapter")
    result = build_with_edit(source, output, source / "cstobook" / chosen,
                             lambda text: text + "\n# edited by the stale-output test\n")
    assert result.returncode == 0, result.log[-4000:]
    assert result.executed(source) == readers[chosen], f"changed cstobook/{chosen}"


def test_changed_table_of_contents_or_title_rewrites_the_pages_that_show_them(warm_copy):
    """A new title for a chapter and a new place for it in _toc.yml reach How to cite (its
    citation line, executed again) and the navigation of pages that did not change; restoring
    both does the same."""
    source, output = warm_copy
    chapter, toc_path = source / f"{TEMPLATE}.md", source / "_toc.yml"
    original_chapter, original_toc = chapter.read_text(encoding="utf-8"), toc_path.read_text(encoding="utf-8")
    title = next(line for line in original_chapter.splitlines() if line.startswith("# "))
    untouched = [page for page in notebook_pages(source) if page not in {TEMPLATE, HOW_TO_CITE}][0]
    contents = yaml.safe_load(original_toc)
    argument = next(p for p in contents["parts"] if p["caption"] == "The argument")
    argument["chapters"] = [entry for entry in argument["chapters"] if entry["file"] != TEMPLATE]
    next(p for p in contents["parts"] if p["caption"] == "Appendices")["chapters"].insert(0, {"file": TEMPLATE})

    def navigation(page: str) -> str:
        nav = BeautifulSoup(page_text(output, page), "html.parser").select_one("nav.bd-links, .bd-sidebar-primary")
        return nav.get_text(" ", strip=True) if nav else ""

    chapter.write_text(original_chapter.replace(title, "# A renamed chapter, 2022–2025: Ztocmarker", 1), encoding="utf-8")
    toc_path.write_text(yaml.safe_dump(contents, sort_keys=False), encoding="utf-8")
    try:
        changed = build(source, output)
    finally:
        chapter.write_text(original_chapter, encoding="utf-8")
        toc_path.write_text(original_toc, encoding="utf-8")
    assert changed.returncode == 0, changed.log[-4000:]
    assert changed.executed(source) == {HOW_TO_CITE}
    assert "Ztocmarker" in page_text(output, HOW_TO_CITE)
    for page in ("index", untouched):
        text = navigation(page)
        assert "Ztocmarker" in text, f"{page}: navigation not re-written"
        assert text.index("Appendices") < text.index("Ztocmarker"), f"{page}: the chapter's new place"

    restored = build(source, output)
    assert restored.returncode == 0, restored.log[-4000:]
    assert restored.executed(source) <= {HOW_TO_CITE}  # its earlier execution may be served from the cache
    assert "Ztocmarker" not in page_text(output, HOW_TO_CITE)
    assert all("Ztocmarker" not in navigation(page) for page in ("index", untouched))
