"""Sphinx extension: the book never shows stale outputs, fails loudly and locally, links safely.

1. Inputs of each chapter. The execution cache (jupyter-cache) re-executes a notebook only when its
   code cells change, not when the files they read change. For every MyST notebook this extension
   lists the inputs its code reads (see `notebook_inputs`: the tables named in
   `data.load_table("...")`, the map geometry for `data.load_region()`, the modules of `cstobook`
   it imports and, through them, the data package and the bibliography), fingerprints their bytes
   and appends one hidden code cell holding the fingerprint (a comment, tagged `remove-cell`) to
   the notebook as it is read. A change to an input changes that cell, so jupyter-cache executes
   exactly the chapters that read the input, and reuses every other chapter's outputs. The cell
   is appended at the end, so line numbers in warnings stay right. Sphinx itself is told to
   re-read those chapters (`env-get-outdated`), so an incremental build picks the change up.
2. Failures. myst-nb's `raise_on_error` aborts the whole build at the first failing chapter. With
   it off, this extension fails the build at its end instead (exit status 1), after every other
   page is written, with one line per failed chapter naming the file, the line and the number of
   the failing code cell and the error. A failed chapter is re-read on every build until it passes,
   so an incremental build cannot hide the failure.
3. External links (`http(s)://`) in the written pages, theme buttons included, get
   rel="noopener noreferrer".
4. Kernels. myst-nb runs each chapter's kernel over TCP on 127.0.0.1; ipykernel warns, once per
   chapter, that this traffic is plain text that other processes on the machine could read.
   jupyter_client provisions CurveZMQ keys for kernels whose kernelspec declares support
   (ipykernel's does) when its KernelManager has transport_encryption "auto"; myst-nb creates its
   kernel managers (through jupyter-cache and nbclient) with no configuration to pass on, so this
   extension sets that default, and the build's kernels run encrypted (see `encrypt_kernels`).
5. A first build fails only for reasons inside the book. matplotlib builds its font cache on first
   use (or when a cached font file has gone) and, when that takes over 5 s on a busy machine, says
   so on stderr, which the strict build treats as a chapter's error. The build warms the cache
   before any chapter executes (`warm_font_cache`); a cell that prints to stderr fails the build
   with the text it printed (`render_stderr`), and its output is dropped from the execution cache,
   so that the next build executes the chapter again instead of serving the same output.
6. The directive `datapackage-downloads` writes a download link for data/datapackage.json, for
   the file of every resource it describes and for the bibliography (data/references.bib, the
   book's one bibliography), so that the data appendix offers every table, including those added later.
"""
from __future__ import annotations

import ast
import csv
import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

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


def module_closure(modules: Iterable[str], package_dir: Path) -> set[str]:
    """`modules` and every module of the package they import, directly or not."""
    def imports(name: str) -> set[str]:
        source = package_dir / f"{name}.py"
        if not source.is_file():
            return set()
        return _imported_modules(source.read_text(encoding="utf-8"), package_dir, current=name)
    return _closure(modules, imports)


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


# --- Sphinx hooks -----------------------------------------------------------------------------

def _records(env) -> dict:
    if not hasattr(env, "cstobook_inputs"):
        env.cstobook_inputs = {}
    return env.cstobook_inputs


def add_fingerprint(app: Sphinx, docname: str, source: list[str]) -> None:
    path = Path(app.env.doc2path(docname))
    if path.suffix not in {".md", ".ipynb"}:
        return
    cells = code_cells(source[0], path.suffix)
    if not cells:
        return
    root = project_root()
    inputs = notebook_inputs("\n".join(code for _, code in cells), root)
    if not inputs:
        return
    value = fingerprint(inputs, root)
    _records(app.env)[docname] = {"inputs": inputs, "fingerprint": value}
    if path.suffix == ".md":
        language = re.search(r"^(?:`{3,}|~{3,})\{code-cell\}\s*(\S*)", source[0], re.M)
        source[0] = source[0].rstrip("\n") + fingerprint_cell(inputs, value, (language and language[1]) or "ipython3")
    else:
        notebook = json.loads(source[0])
        notebook["cells"].append({"cell_type": "code", "execution_count": None, "outputs": [],
                                  "metadata": {"tags": ["remove-cell"]},
                                  "source": f"{FINGERPRINT_MARKER}: {value}"})
        source[0] = json.dumps(notebook)


def _failed_docs(env) -> dict[str, dict]:
    metadata = getattr(env, "nb_metadata", {})
    return {docname: data["exec_data"] for docname, data in metadata.items()
            if docname in env.found_docs and (data.get("exec_data") or {}).get("succeeded") is False}


def _stderr_docs(env) -> set[str]:
    """Chapters whose cells printed to stderr when they were last read (the build failed on it)."""
    if not hasattr(env, "cstobook_stderr"):
        env.cstobook_stderr = set()
    return env.cstobook_stderr


def outdated_by_inputs(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """Chapters whose inputs changed since they were read, and chapters whose execution failed
    (a cell raised, or printed to stderr)."""
    root = project_root()
    digester = _Digester(root)
    done = added | changed | removed
    stale = [docname for docname, record in sorted(_records(env).items())
             if docname not in done and docname in env.found_docs
             and fingerprint(record["inputs"], root, digester) != record["fingerprint"]]
    failed = [docname for docname in sorted(set(_failed_docs(env)) | (_stderr_docs(env) & env.found_docs))
              if docname not in done and docname not in stale]
    drawn_with = presentation_fingerprint(root)
    if getattr(env, "cstobook_presentation", None) != drawn_with:
        logger.info("[build_integrity] style sheets, templates or extensions changed: re-writing every page")
        stale = sorted(env.found_docs - done)
        failed = []
    env.cstobook_presentation = drawn_with
    if stale:
        logger.info(f"[build_integrity] inputs changed, re-reading: {', '.join(stale)}")
    if failed:
        logger.info(f"[build_integrity] execution failed last time, re-reading: {', '.join(failed)}")
    return stale + failed


def presentation_fingerprint(root: Path) -> str:
    files = sorted(path for entry in PRESENTATION for path in
                   ([root / entry] if (root / entry).is_file() else (root / entry).rglob("*"))
                   if path.is_file() and "__pycache__" not in path.parts)
    return _sha("".join(f"{path.relative_to(root)}\0{_file_digest(path)}\n" for path in files) + toc_titles(root))


def purge_doc(app: Sphinx, env, docname: str) -> None:
    _records(env).pop(docname, None)
    _stderr_docs(env).discard(docname)


def merge_info(app: Sphinx, env, docnames: set, other) -> None:
    _records(env).update({name: record for name, record in _records(other).items() if name in docnames})
    _stderr_docs(env).update(_stderr_docs(other) & docnames)


# --- A first build that fails only for the book's own reasons ---------------------------------

def warm_font_cache() -> str:
    """Build matplotlib's font cache now, before any kernel starts, if it is missing, of another
    matplotlib version, or names a font file that no longer exists (a kernel would rebuild it,
    and say so on stderr when that takes over 5 s). The kernels share this process's
    environment, hence its cache folder (MPLCONFIGDIR, or the user's cache). Returns what it did."""
    import logging as std_logging

    from matplotlib import font_manager

    quiet = _FontCacheNotice()
    font_logger = std_logging.getLogger("matplotlib.font_manager")
    font_logger.addFilter(quiet)  # the notice is for a reader waiting on a kernel, not for the build's log
    try:
        manager = font_manager.fontManager  # importing read the cache, or built and wrote it
        gone = [font.fname for font in [*manager.ttflist, *manager.afmlist] if not os.path.exists(font.fname)]
        if gone:
            font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)
            return f"rebuilt: {len(gone)} cached font file(s) no longer exist"
        return "ready"
    finally:
        font_logger.removeFilter(quiet)


class _FontCacheNotice:
    """A logging filter that drops exactly matplotlib's notice that it is building its font cache."""

    MESSAGE = "Matplotlib is building the font cache"

    def filter(self, record) -> bool:
        return not record.getMessage().startswith(self.MESSAGE)


def warm_font_cache_before_execution(app: Sphinx, config) -> None:
    outcome = warm_font_cache()
    if outcome != "ready":
        logger.info(f"[build_integrity] matplotlib's font cache {outcome}")


STDERR_SHOWN = 600  # characters of a cell's stderr quoted in the build's error


def _drop_from_execution_cache(env, source: str) -> None:
    """Remove the cached execution of the notebook `source`, so that the next build executes it."""
    from jupyter_cache import get_cache

    path = getattr(getattr(env, "mystnb_config", None), "execution_cache_path", "") or ""
    if not path or not Path(path).exists():
        return
    cache = get_cache(path)
    for record in cache.list_cache_records():
        if Path(record.uri) == Path(source):
            cache.remove_cache(record.pk)


def render_stderr(self, output, cell_metadata: dict, cell_index: int, source_line: int) -> list:
    """myst-nb's stderr rendering, with the text the cell printed in the warning or error (myst-nb
    says only 'stderr was found in the cell outputs of cell N'), and the chapter's execution dropped
    from the cache and re-read on the next build: a page whose cell wrote to stderr is a failed
    page (`stderr_output: error`), and a failure is never served from the cache."""
    if "remove-stderr" in cell_metadata.get("tags", []):
        return []
    output_stderr = self.renderer.get_cell_level_config("output_stderr", cell_metadata, line=source_line)
    if output_stderr == "remove":
        return []
    # on one line, so that the summary `make book` prints after a failure shows it too
    text = " | ".join(line.strip() for line in _ANSI.sub("", str(output.get("text", ""))).splitlines() if line.strip())
    shown = text if len(text) <= STDERR_SHOWN else text[:STDERR_SHOWN] + " [...]"
    msg = f"stderr was found in the cell outputs of cell {cell_index + 1}: {shown}"
    if output_stderr in {"error", "severe"}:
        env = getattr(self.renderer, "sphinx_env", None)
        if env is not None:
            _stderr_docs(env).add(env.docname)
            _drop_from_execution_cache(env, self.source)
    if output_stderr in {"remove-warn", "warn"}:
        self.logger.warning(msg, subtype="stderr", line=source_line)
        if output_stderr == "remove-warn":
            return []
    elif output_stderr == "error":
        self.logger.error(msg, subtype="stderr", line=source_line)
    elif output_stderr == "severe":
        self.logger.critical(msg, subtype="stderr", line=source_line)
    lexer = self.renderer.get_cell_level_config("render_text_lexer", cell_metadata, line=source_line)
    node = self.renderer.create_highlighted_code_block(output["text"], lexer, source=self.source, line=source_line)
    node["classes"] += ["output", "stderr"]
    return [node]


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def describe_failure(path: Path, traceback: str) -> tuple[int | None, str]:
    """(line of the failing cell, 'code cell N of M failed: Error: message') from the traceback
    nbclient records, which holds the failing cell's source between lines of dashes."""
    traceback = _ANSI.sub("", traceback or "")
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    error = lines[-1].strip() if lines else "unknown error"
    match = re.search(r"executing the following cell:\n-{5,}\n(.*?)\n-{5,}\n", traceback, re.S)
    try:
        cells = code_cells(path.read_text(encoding="utf-8"), path.suffix)
    except (OSError, ValueError):
        cells = []
    if match:
        failing = match[1].strip()
        for number, (line, code) in enumerate(cells, start=1):
            if code.strip() == failing:
                return line or None, f"code cell {number} of {len(cells)} failed: {error}"
        return None, f"the code cell starting {failing.splitlines()[0]!r} failed: {error}"
    return None, f"execution failed: {error}"


def report_failures(app: Sphinx, exception: Exception | None) -> None:
    """Fail the build, after every page is written, if a chapter's execution failed."""
    failed = _failed_docs(app.env)
    if exception is not None or not failed:
        return
    app.statuscode = 1
    logger.info(f"[build_integrity] {len(failed)} chapter(s) failed to execute; the other pages were built.")
    for docname, data in sorted(failed.items()):
        path = Path(app.env.doc2path(docname))
        line, what = describe_failure(path, data.get("traceback") or data.get("error") or "")
        logger.warning(f"execution failed: {what}", location=(docname, line),
                       type="build_integrity", subtype="execution")


_ANCHOR = re.compile(r"<a\s[^>]*>", re.I)
_SKIP = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_HREF = re.compile(r"""\shref\s*=\s*(["'])(?P<url>.*?)\1""", re.I | re.S)
_REL = re.compile(r"""\srel\s*=\s*(["'])(?P<rel>.*?)\1""", re.I | re.S)
SAFE_REL = ("noopener", "noreferrer")


def secure_anchor(tag: str) -> str:
    """An <a> start tag to an external URL, with rel="noopener noreferrer" added."""
    href = _HREF.search(tag)
    if not href or not re.match(r"(?i)\s*(https?:)?//", href["url"]):
        return tag
    rel = _REL.search(tag)
    if rel is None:
        return f'{tag[:2]} rel="{" ".join(SAFE_REL)}"{tag[2:]}'
    tokens = rel["rel"].split()
    tokens += [token for token in SAFE_REL if token not in tokens]
    return tag[:rel.start("rel")] + " ".join(tokens) + tag[rel.end("rel"):]


def secure_links(html: str) -> str:
    """Every external link of a page gets rel="noopener noreferrer" (scripts and styles untouched;
    map documents inside iframe srcdoc are escaped, so they hold no tags to touch)."""
    out, last = [], 0
    for block in _SKIP.finditer(html):
        out.append(_ANCHOR.sub(lambda m: secure_anchor(m[0]), html[last:block.start()]))
        out.append(block[0])
        last = block.end()
    out.append(_ANCHOR.sub(lambda m: secure_anchor(m[0]), html[last:]))
    return "".join(out)


def secure_written_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] in {"_static", "_sources", "_downloads", "_images"}:
            continue
        text = page.read_text(encoding="utf-8")
        secured = secure_links(text)
        if secured != text:
            page.write_text(secured, encoding="utf-8")


class DataPackageDownloads(SphinxDirective):
    """'Download: datapackage.json, countries.csv, ...': one link per file of the data package."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        package = Path(self.env.srcdir) / "data" / "datapackage.json"
        self.env.note_dependency(str(package))
        files = ["datapackage.json"] + [resource["path"] for resource in
                                        json.loads(package.read_text(encoding="utf-8"))["resources"]]
        files.append("references.bib")  # the bibliography every source_id names travels with the data
        # In each edition's words, and not a message of the page's catalogue (translatable=False):
        # a new table would otherwise change a message of the data appendix, a page translated in full.
        from cstobook import i18n

        language = self.env.config.language or "en"
        separator = "، " if language == "ar" else ", "
        paragraph = nodes.paragraph("", i18n.edition_words("download", language) + " ", translatable=False)
        for number, name in enumerate(files):
            if number:
                paragraph += nodes.Text(separator)
            link = addnodes.download_reference("", "", reftarget=f"/data/{name}", refdoc=self.env.docname,
                                               refdomain="", reftype="download", refexplicit=True)
            link += nodes.literal(name, name)
            paragraph += link
        paragraph += nodes.Text(".")
        return [paragraph]


def encrypt_kernels() -> None:
    """Kernels started by this process get CurveZMQ keys (when pyzmq has CURVE and the kernelspec
    declares support; otherwise they run as before, and ipykernel's warning says so)."""
    import zmq
    from jupyter_client.manager import KernelManager

    if zmq.has("curve"):
        KernelManager.class_traits()["transport_encryption"].default_value = "auto"


def setup(app: Sphinx) -> dict:
    from myst_nb.core.render import NbElementRenderer

    encrypt_kernels()
    NbElementRenderer.render_stderr = render_stderr
    app.connect("config-inited", warm_font_cache_before_execution)
    app.add_directive("datapackage-downloads", DataPackageDownloads)
    app.connect("source-read", add_fingerprint)
    app.connect("env-get-outdated", outdated_by_inputs)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("build-finished", secure_written_pages)
    app.connect("build-finished", report_failures, priority=900)  # last: its lines end the log
    return {"version": "1.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
