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
   What a chapter reads and the fingerprint are computed in _ext/chapter_inputs.py.
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

import json
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

# What each chapter reads and its fingerprint (re-exported: tests and tools read them here)
from chapter_inputs import (ALL_DATA as ALL_DATA, FINGERPRINT_MARKER as FINGERPRINT_MARKER,
                            MODULE_INPUTS as MODULE_INPUTS, PRESENTATION as PRESENTATION, TOC as TOC,
                            TOC_INPUTS as TOC_INPUTS, _Digester as _Digester, _file_digest as _file_digest,
                            _sha as _sha, code_cells as code_cells, data_package as data_package,
                            fingerprint as fingerprint, fingerprint_cell as fingerprint_cell,
                            module_closure as module_closure, notebook_inputs as notebook_inputs,
                            project_root as project_root, toc_titles as toc_titles)

logger = logging.getLogger(__name__)


# --- Sphinx hooks -----------------------------------------------------------------------------

def _records(env) -> dict:
    if not hasattr(env, "cstobook_inputs"):
        env.cstobook_inputs = {}
    return env.cstobook_inputs


def _digester(app: Sphinx) -> _Digester:
    """One digester per build: the inputs do not change while Sphinx reads, and the chapters share
    most of them."""
    if getattr(app, "cstobook_digester", None) is None:
        app.cstobook_digester = _Digester(project_root())
    return app.cstobook_digester


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
    value = fingerprint(inputs, root, _digester(app))
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
    digester = _digester(app)
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
        separator = i18n.comma(language)
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
