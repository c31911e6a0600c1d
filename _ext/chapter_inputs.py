"""What each chapter reads, and the fingerprint of it (the first part of _ext/build_integrity.py).

The execution cache re-executes a notebook only when its code cells change: `notebook_inputs` lists
what a chapter's code reads (the tables it loads by name, the map geometry, the modules of cstobook
it imports, directly or through others, and what those read), and `fingerprint` digests their
bytes, so that build_integrity can append the fingerprint to the notebook as it is read. The modules
of cstobook are flat (cstobook/NAME.py, a front such as charts.py importing its sibling modules):
`module_closure` follows their imports, so that an edit to any module a chapter reaches re-executes
it (tests/test_incremental_builds.py)."""
from __future__ import annotations

import ast
import csv
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

FINGERPRINT_MARKER = "# Inputs of this page, fingerprinted by _ext/build_integrity.py"
ALL_DATA = "data/"  # an input meaning: every file in data/

# What a call in a chapter reads, as resources of data/datapackage.json.
FUNCTION_INPUTS = {"load_region": ("region", "countries")}  # the region's iso3 are checked against countries
# What importing a module of cstobook reads, beyond its own code and the tables a chapter loads.
MODULE_INPUTS = {"datapackage_docs": (ALL_DATA,),  # the data appendix shows every file of data/
                 "geometry": ("data/region.geojson",),  # maps refer to its outlines by key
                 "edition": ("CITATION.cff", "record.yml"),  # the edition's version, date, citation and record date
                 # what code writes in each edition comes from the catalogues of cstobook.i18n
                 "i18n": ("locales/ar/LC_MESSAGES/data.po", "locales/ar/LC_MESSAGES/figures.po"),
                 # chart_twins writes the translated twins of figures from the figures catalogues, in the book's fonts
                 "chart_twins": ("locales/ar/LC_MESSAGES/figures.po", "_static/fonts/NotoNaskhArabic-Regular.ttf",
                            "_static/fonts/NotoNaskhArabic-Bold.ttf")}

# What reads the table of contents: the documents of _toc.yml and each one's title (the "# " line of
# its source). A chapter whose code calls the module `toc` or `edition.chapter_title` (How to cite:
# one citation per chapter) depends on both.
TOC = "_toc.yml"
TOC_TITLES = "_toc.yml#titles"
TOC_INPUTS = (TOC, TOC_TITLES)
_READS_TOC = re.compile(r"\btoc\.\w+\(|\bchapter_title\(")

# What every page is drawn with besides its source: a change re-writes every page (Sphinx's
# incremental build sees only sources, and would keep pages drawn with the old style sheet).
# The table of contents and its titles are there too: every page's navigation (the sidebar, the
# previous and next links) is drawn from them, and Sphinx re-writes only the pages it re-reads.
PRESENTATION = ("_static", "_templates", "_ext", "locales/ar/LC_MESSAGES/edition.po",
                # glued values in translated messages are localised when a page is read (_ext/editions.py)
                "locales/ar/LC_MESSAGES/glued.po",
                "CITATION.cff",  # every page's foot names the edition (_ext/reader_edition.py)
                TOC, "locales/ar/pending.txt",  # notices, and the Arabic edition's page lists them
                "record.yml")  # and the date its record is complete to, as the argument's pages do
_LOAD_TABLE = re.compile(r"\bload_table\(\s*(?P<quote>['\"])(?P<name>[^'\"]+)(?P=quote)")
_ANY_LOAD_TABLE = re.compile(r"\bload_table\(")
_DATA_FILE = re.compile(r"['\"](?:\.\./)?data/(?P<file>[^'\"/]+)['\"]")
_BIB_ENTRY = re.compile(r"^@\s*(?P<type>\w+)\s*\{\s*(?P<key>[^,\s]+)\s*,", re.M)


# --- Inputs of a chapter ----------------------------------------------------------------------

def project_root() -> Path:
    """The project whose data and code the chapters' kernels read: that of the cstobook imported
    here, which is the one the kernels import (same interpreter, same PYTHONPATH)."""
    from cstobook import paths

    return paths.ROOT


def code_cells(text: str, suffix: str = ".md") -> list[tuple[int, str]]:
    """(first line, source) of each code cell of a MyST notebook or .ipynb; [] for anything else."""
    import nbformat
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

    if suffix == ".ipynb":
        notebook = nbformat.reads(text, as_version=4)
        return [(0, cell.source) for cell in notebook.cells if cell.cell_type == "code"]
    if not is_myst_markdown_notebook(text):
        return []
    notebook = read_myst_markdown_notebook(text, add_source_map=True)
    lines = notebook.metadata.get("source_map", [0] * len(notebook.cells))  # 1-based lines of the fences
    return [(line, cell.source) for line, cell in zip(lines, notebook.cells) if cell.cell_type == "code"]


def _imported_modules(code: str, package_dir: Path, package: str = "cstobook",
                      current: str | None = None) -> set[str]:
    """Modules of `package` imported by `code` (absolute, or relative from module `current`)."""
    modules = {name.stem for name in package_dir.glob("*.py")}
    found: set[str] = set()
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics: fall back to the import lines alone
        lines = [line.strip() for line in code.splitlines() if line.strip().startswith(("import ", "from "))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            return {"__init__"} | modules if package in code else set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == package:
                    found.add("__init__")
                    if len(parts) > 1 and parts[1] in modules:
                        found.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and current is not None:
                base = f"{package}.{base}" if base else package
            parts = base.split(".")
            if parts[0] != package:
                continue
            found.add("__init__")
            if len(parts) > 1 and parts[1] in modules:
                found.add(parts[1])
            elif len(parts) == 1:
                found.update(alias.name for alias in node.names if alias.name in modules)
    return found


def _closure(start: Iterable[str], neighbours) -> set[str]:
    """`start` and everything reachable from it through `neighbours(name)`."""
    todo, seen = list(start), set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(neighbours(name))
    return seen


_IMPORTS: dict[tuple, frozenset[str]] = {}


def _module_imports(package_dir: Path, name: str) -> frozenset[str]:
    """The package's modules that module `name` imports, parsed once per version of its file (a
    build reads every chapter's closure, and the chapters share most of their modules)."""
    source = package_dir / f"{name}.py"
    try:
        stat = source.stat()
    except OSError:
        return frozenset()
    key = (str(source), stat.st_mtime_ns, stat.st_size, frozenset(p.stem for p in package_dir.glob("*.py")))
    if key not in _IMPORTS:
        _IMPORTS[key] = frozenset(_imported_modules(source.read_text(encoding="utf-8"), package_dir, current=name))
    return _IMPORTS[key]


def module_closure(modules: Iterable[str], package_dir: Path) -> set[str]:
    """`modules` and every module of the package they import, directly or not."""
    return _closure(modules, lambda name: _module_imports(package_dir, name))


def data_package(root: Path) -> dict[str, dict]:
    """Resource name -> its descriptor in data/datapackage.json."""
    try:
        package = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {resource["name"]: resource for resource in package.get("resources", [])}


def resource_closure(names: Iterable[str], resources: dict[str, dict]) -> set[str]:
    """`names` and the resources their foreign keys point at (loading a table checks those)."""
    def references(name: str) -> list[str]:
        keys = resources.get(name, {}).get("schema", {}).get("foreignKeys", [])
        return [key.get("reference", {}).get("resource") or name for key in keys]
    return _closure(names, references)


def notebook_inputs(code: str, root: Path) -> list[str]:
    """What the notebook with this code (all its code cells) depends on, as a sorted list of
    items: files relative to `root`, 'data/' for every file in data/, and two kinds of parts of
    a file: 'data/datapackage.json#T' (the descriptor of table T) and 'references.bib#T' (the
    bibliography entries of the sources named in table T).

    A chapter depends on the code of each cstobook module it imports (directly or not) and what
    those read (MODULE_INPUTS); on each table it loads by a literal name (load_table("T"), and
    load_region()), with the tables their foreign keys point at: the file, its descriptor, and the
    bibliography entries of its sources (loading checks them; tables link them). A load_table()
    whose argument is not a literal, or a use of paths.DATA, makes it depend on all of data/; a
    mention of the bibliography or the data package, on the whole file."""
    package_dir = root / "cstobook"
    modules = module_closure(_imported_modules(code, package_dir), package_dir)
    resources = data_package(root)
    inputs = {f"cstobook/{name}.py" for name in modules}
    for name in modules:
        inputs.update(MODULE_INPUTS.get(name, ()))
    names = {match["name"] for match in _LOAD_TABLE.finditer(code)}
    for function, loaded in FUNCTION_INPUTS.items():
        if re.search(rf"\b{function}\(", code):
            names.update(loaded)
    for name in resource_closure(names, resources):
        if name not in resources:
            inputs.add(ALL_DATA)  # an unknown table fails to load; any change to data/ may fix it
            continue
        inputs.update({f"data/{resources[name]['path']}", f"data/datapackage.json#{name}", f"references.bib#{name}"})
    if len(_ANY_LOAD_TABLE.findall(code)) > len(_LOAD_TABLE.findall(code)) or "paths.DATA" in code:
        inputs.add(ALL_DATA)
    inputs.update(f"data/{match['file']}" for match in _DATA_FILE.finditer(code))
    if re.search(r"bibliograph|BIBLIOGRAPHY|references\.bib", code):
        inputs.add("references.bib")
    if re.search(r"datapackage|DATAPACKAGE", code):
        inputs.add("data/datapackage.json")
    if _READS_TOC.search(code):
        inputs.update(TOC_INPUTS)
    return sorted(inputs)


def toc_titles(root: Path) -> str:
    """Each document of _toc.yml with its title line, as the pages that list chapters read them."""
    from cstobook import toc

    try:
        documents = toc.documents(root)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "<unreadable>"
    lines = []
    for document in documents:
        source = toc.source_file(document, root)
        text = source.read_text(encoding="utf-8") if source else ""
        title = next((line.strip() for line in text.splitlines() if line.strip().strip('",').strip().startswith("# ")), "")
        lines.append(f"{document}\0{title}\n")
    return "".join(lines)


_DIGESTS: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _DIGESTS:
        _DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _DIGESTS[key]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _source_keys(path: Path) -> set[str]:
    """The bibliography keys a table names (cstobook.data.table_sources)."""
    from cstobook import data

    try:
        return set(data.table_sources(path))
    except (OSError, ValueError, csv.Error):
        return {"<unreadable>"}


def _bib_entries(path: Path) -> dict[str, str]:
    """Key -> raw text of its entry in a BibTeX file."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    starts = list(_BIB_ENTRY.finditer(text))
    return {match["key"]: text[match.start():(starts[i + 1].start() if i + 1 < len(starts) else len(text))]
            for i, match in enumerate(starts)}


class _Digester:
    """Digests of input items, each computed once per build."""

    def __init__(self, root: Path):
        self.root = root
        self.memo: dict[str, str] = {}
        self.resources: dict[str, dict] | None = None

    def __call__(self, item: str) -> str:
        if item not in self.memo:
            self.memo[item] = self._compute(item)
        return self.memo[item]

    def _compute(self, item: str) -> str:
        root = self.root
        if item == ALL_DATA:
            folder = root / "data"
            files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
            return _sha("".join(f"{p.name}\0{_file_digest(p)}\n" for p in files))
        if item == TOC_TITLES:
            return _sha(toc_titles(root))
        if "#" not in item:
            return _file_digest(root / item)
        file, name = item.split("#", 1)
        if self.resources is None:
            self.resources = data_package(root)
        resource = self.resources.get(name)
        if file == "data/datapackage.json":
            return _sha(json.dumps(resource, sort_keys=True))
        if resource is None:
            return "missing"
        bib = self._bib(file)
        keys = sorted(_source_keys(root / "data" / resource["path"]))
        return _sha("".join(f"{key}\0{bib.get(key, '<missing>')}\n" for key in keys))

    def _bib(self, file: str) -> dict[str, str]:
        key = f"bib:{file}:{_file_digest(self.root / file)}"
        if key not in _BIBS:
            _BIBS.clear()
            _BIBS[key] = _bib_entries(self.root / file)
        return _BIBS[key]


_BIBS: dict[str, dict[str, str]] = {}


def fingerprint(inputs: Iterable[str], root: Path, digester: _Digester | None = None) -> str:
    """sha256 over the names and contents of the inputs."""
    digester = digester or _Digester(root)
    return _sha("".join(f"{item}\0{digester(item)}\n" for item in inputs))


def fingerprint_cell(inputs: list[str], value: str, language: str = "ipython3") -> str:
    """The MyST code cell appended to a notebook: a comment, removed from the page."""
    return (f"\n\n```{{code-cell}} {language}\n:tags: [remove-cell]\n\n{FINGERPRINT_MARKER}\n"
            f"# so that the execution cache re-executes it when one changes: {value}\n"
            f"# {', '.join(inputs)}\n```\n")
