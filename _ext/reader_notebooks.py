"""Sphinx extension: one notebook per chapter for every route a reader takes.

The theme's download button serves the executed notebook of each page, `_sources/<page>.ipynb`;
the publishing workflow copies the very same files into the `notebooks` branch, which the Binder
and Colab buttons open (tools/launch_notebooks.py). At the end of each build this extension
makes those files readable and runnable outside the book:

1. a first cell, the set-up, that makes the notebook run wherever it is opened: where the book's
   package is missing (Colab, a bare Jupyter) it fetches the book's repository and installs what
   the chapters need (pyproject.toml's version ranges: what is installed in range is kept), or
   prints the exact steps where it cannot; where it had to replace a package the kernel had
   already imported it stops with the message to restart (on Colab it restarts the runtime);
   it can be run again after a failure, and does nothing where the package is present (Binder,
   a checkout);
2. the notebook opens with what the page shows: each chart, map and table a {glue:figure} of the
   prose shows is an output of the code cell that glued it (from myst-nb's <page>.glue.json), and
   a table written for every edition of the book shows once, in English;
3. the prose reads as the page does, in plain Markdown that Jupyter, Colab and GitHub show: glued
   values as the book formats them, each {glue:figure} as its numbered caption, citations as
   'Author Year' linked to the source (the bibliography's url), cross-references as their titles
   linked to the book's pages, admonitions as quoted boxes, targets dropped;
4. every notebook names its kernel (Python 3), so Colab and Jupyter open it without asking.

Each file is made afresh at every build from myst-nb's executed notebook (jupyter_execute/), so
an incremental build updates every page's; where there is none, once, in place.
"""
from __future__ import annotations

import base64
import json
import posixpath
import re
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text
from sphinx.application import Sphinx
from sphinx.util import logging

from cstobook import i18n

logger = logging.getLogger(__name__)

SETUP_CELL_ID = "cstobook-setup"
GLUE_PREFIX = "application/papermill.record/"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

SETUP = '''\
# Set-up: run this cell first. Where the book's package (cstobook) is missing, as on Colab or in a
# bare Jupyter, it fetches the book's repository into ./{folder} and installs what the chapters
# need (version ranges: packages already installed in a suitable version are kept); where it
# cannot, it prints the steps to take by hand. If it had to replace a package this kernel had
# already imported, it says so and stops (on Colab it restarts the runtime): then run the notebook
# again from the top. Safe to run again after a failure.
# CSTOBOOK_REPOSITORY, CSTOBOOK_BRANCH and CSTOBOOK_CHECKOUT change where it fetches from and to.
import importlib, importlib.metadata, importlib.util, os, shlex, subprocess, sys, time

REPOSITORY = os.environ.get("CSTOBOOK_REPOSITORY", "{url}")
BRANCH = os.environ.get("CSTOBOOK_BRANCH", "{branch}")
CHECKOUT = os.path.abspath(os.environ.get("CSTOBOOK_CHECKOUT", "{folder}"))


def installed_versions():
    return {{d.metadata["Name"].lower(): d.version for d in importlib.metadata.distributions() if d.metadata["Name"]}}


if importlib.util.find_spec("cstobook") is None:
    steps = [["git", "clone", "--depth", "1", "--branch", BRANCH, REPOSITORY, CHECKOUT],
             [sys.executable, "-m", "pip", "install", "--quiet", "-e", CHECKOUT]]
    if os.path.isfile(os.path.join(CHECKOUT, "pyproject.toml")):
        steps = steps[1:]  # fetched by an earlier run
    before = installed_versions()
    for step in steps:
        try:
            subprocess.run(step, check=True)
        except (OSError, subprocess.CalledProcessError) as error:
            raise RuntimeError(
                f"The set-up failed at: {{shlex.join(step)}} ({{error}}).\\n"
                "Run these steps in a terminal, restart the kernel, then run this notebook again:\\n"
                + "\\n".join("  " + shlex.join(s) for s in steps)) from None
    after = installed_versions()
    providers = importlib.metadata.packages_distributions()
    in_use = {{d.lower() for name in list(sys.modules) if "." not in name for d in providers.get(name, [])}}
    replaced = sorted(f"{{d}} {{before[d]}} -> {{after.get(d, 'removed')}}" for d in in_use
                      if d in before and before[d] != after.get(d))
    if replaced:
        message = ("The set-up installed the book's package, and replaced packages this kernel had already "
                   "imported: " + ", ".join(replaced) + ". Restart the kernel (on Colab: Runtime > Restart "
                   "session), then run this notebook again from the top; this cell will then only import "
                   "the book's package.")
        if "google.colab" in sys.modules:  # Colab: restart the runtime now, before any later cell runs
            print(message + " Colab restarts the runtime now.", flush=True)
            time.sleep(2)  # the message reaches the page before the kernel goes
            os.kill(os.getpid(), 9)
        raise RuntimeError(message)
    sys.path.insert(0, CHECKOUT)  # the editable install is seen by new kernels; this one needs it now
    importlib.invalidate_caches()
import cstobook
print("The book's package and data:", os.path.dirname(os.path.dirname(cstobook.__file__)))
'''

GLUE_TEXT = re.compile(r"\{glue(?::text)?\}`(?P<key>[^`]+)`")
GLUE_FIGURE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{glue(?::figure)?\}[ \t]*(?P<key>\S+)[ \t]*\n"
                         r"(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)


def setup_cell(url: str, branch: str) -> nbformat.NotebookNode:
    source = SETUP.format(url=url, branch=branch, folder=url.rstrip("/").rsplit("/", 1)[-1])
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["setup"]})
    cell["id"] = SETUP_CELL_ID
    return cell


def glued_text(glue_file: Path) -> dict[str, str]:
    """name -> the text/plain of every value a chapter glued, from the <page>.glue.json myst-nb
    writes beside the executed notebook (the notebook itself no longer holds them)."""
    if not glue_file.is_file():
        return {}
    glued = json.loads(glue_file.read_text(encoding="utf-8"))
    return {name: output["data"]["text/plain"] for name, output in glued.items()
            if "text/plain" in output.get("data", {})}


def paste_glued_values(markdown: str, values: dict[str, str], numbers: dict[str, str] | None = None) -> str:
    """The prose as the book shows it: each glue role becomes its value, formatted as myst-nb does,
    and each glue figure its caption (the figure shows at its code cell), numbered as in the book
    where `numbers` (figure name -> "Figure 3") gives it."""

    def text(match: re.Match) -> str:
        key, _, spec = match["key"].partition(":")
        if key not in values:
            return match[0]
        return format_plain_text(values[key], spec)

    def figure(match: re.Match) -> str:
        caption = [line for line in match["body"].splitlines() if not line.startswith(":")]
        caption = "\n".join(caption).strip()
        name = re.search(r"^:name:[ \t]*(\S+)", match["body"], re.M)
        label = (numbers or {}).get(name[1] if name else "", "Figure")
        return f"> **{label}** (drawn by the code cell that makes it): {caption}" if caption else ""

    return GLUE_TEXT.sub(text, GLUE_FIGURE.sub(figure, markdown))


ROLE = re.compile(r"\{(?P<role>cite:p|cite:t|cite|ref|numref|doc|download|term|abbr)\}`(?P<content>[^`]+)`")
TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*\n", re.M)
ADMONITION = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>[a-z-]+)\}[ \t]*(?P<title>[^\n]*)\n"
                        r"(?P<body>.*?)^(?P=fence)[ \t]*$\n?", re.M | re.S)
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


class Links:
    """What a MyST role of the book's prose points at, for a notebook read outside the book:
    citations as 'Author Year' linked to the source (the bibliography's url), cross-references as
    their titles linked to the book's page, figure references as the book numbers them."""

    def __init__(self, book_url: str = "", repository_url: str = "", labels: dict | None = None,
                 titles: dict | None = None, figure_numbers: dict | None = None):
        self.book_url = book_url.rstrip("/") + "/" if book_url else ""
        self.repository_url = repository_url.rstrip("/")
        self.labels = labels or {}  # label -> (docname, anchor, title)
        self.titles = titles or {}  # docname -> title
        self.figure_numbers = figure_numbers or {}  # label -> "Figure 3"

    def page(self, docname: str, anchor: str = "") -> str:
        return f"{self.book_url}{docname}.html" + (f"#{anchor}" if anchor else "") if self.book_url else ""

    @staticmethod
    def link(text: str, url: str) -> str:
        return f"[{text}]({url})" if url else text

    def cite(self, keys: str, textual: bool) -> str:
        from cstobook import tables

        urls, entries = tables.bibliography_urls(), tables.bibliography_entries()
        cited = []
        for key in (k.strip() for k in keys.split(",") if k.strip()):
            if key not in entries:
                cited.append(key)
                continue
            who, _, year = tables.author_year(key).rpartition(" ")
            url = urls.get(key, "")
            cited.append(f"{self.link(who, url)} ({year})" if textual else self.link(f"{who} {year}", url))
        return "; ".join(cited) if textual else "(" + "; ".join(cited) + ")"

    def role(self, match: re.Match, docname: str) -> str:
        role, content = match["role"], match["content"]
        explicit = EXPLICIT.match(content)
        text, target = (explicit["text"], explicit["target"]) if explicit else (None, content)
        if role.startswith("cite"):
            return self.cite(target, textual=role == "cite:t")
        if role == "numref":
            number = self.figure_numbers.get(target, "the figure")
            return text.replace("{number}", number.split()[-1]).replace("%s", number.split()[-1]) if text else number
        if role == "ref":
            docname_, anchor, title = self.labels.get(target, ("", "", target))
            return self.link(text or title, self.page(docname_, anchor) if docname_ else "")
        if role == "doc":
            path = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target)) \
                if not target.startswith("/") else target.lstrip("/")
            return self.link(text or self.titles.get(path, path), self.page(path))
        if role == "download":
            path = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
            url = f"{self.repository_url}/blob/main/{path}" if self.repository_url else ""
            return self.link(text or posixpath.basename(path), url)
        return text or target  # term, abbr: their text


def plain_markdown(markdown: str, links: Links, docname: str = "") -> str:
    """MyST prose as CommonMark that Jupyter, Colab and GitHub show as the book does: roles as
    text and links (Links), admonitions as quoted boxes with their title, targets dropped."""

    def admonition(match: re.Match) -> str:
        body = "\n".join(line for line in match["body"].splitlines() if not line.startswith(":"))
        title = match["title"].strip() or match["kind"].capitalize()
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in body.strip().splitlines())
        return f"> **{title}**\n>\n{quoted}\n"

    def elsewhere(match: re.Match) -> str:  # a directive of the book's own (downloads, ...)
        title = links.titles.get(docname, "the book")
        return f"> This part is on the book's page: {links.link(title, links.page(docname))}.\n"

    markdown = TARGET.sub("", markdown)
    markdown = ADMONITION.sub(lambda m: admonition(m) if m["kind"] in ADMONITION_KINDS else elsewhere(m), markdown)
    return ROLE.sub(lambda m: links.role(m, docname), markdown)


ADMONITION_KINDS = {"admonition", "note", "tip", "important", "warning", "caution", "seealso", "attention", "hint"}


def reader_notebook(notebook, values: dict[str, str], url: str, branch: str, links: Links | None = None,
                    docname: str = ""):
    links = links or Links()
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(paste_glued_values(cell.source, values, links.figure_numbers), links, docname)
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is not None:
                html = "".join(html) if isinstance(html, list) else html
                if "<!--edition:" in html:  # a table of every edition: the notebook's (English) only
                    output["data"]["text/html"] = i18n.one_edition(html, "en")
    cell = setup_cell(url, branch)
    if notebook.nbformat_minor < 5:
        cell.pop("id")
    notebook.cells.insert(0, cell)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.setdefault("language_info", {"name": "python"})
    return notebook


def is_reader_notebook(notebook) -> bool:
    return bool(notebook.cells) and "setup" in notebook.cells[0].get("metadata", {}).get("tags", []) \
        and "cstobook" in notebook.cells[0].source


def links_of_the_book(app: Sphinx) -> Links:
    env = app.env
    labels = {name: tuple(value) for name, value in env.domaindata["std"]["labels"].items()}
    numbers = {}
    for label, (docname, anchor, _) in labels.items():
        for figtype, numbered in env.toc_fignumbers.get(docname, {}).items():
            if anchor in numbered:
                number = ".".join(str(n) for n in numbered[anchor])
                numbers[label] = app.config.numfig_format.get(figtype, "%s") % number
    return Links(book_url=app.config.html_baseurl or "",
                 repository_url=app.config.html_theme_options.get("repository_url", ""),
                 labels=labels, titles={d: title.astext() for d, title in env.titles.items()},
                 figure_numbers=numbers)


def glued_outputs(glue_file: Path) -> dict:
    """name -> the output (a figure as PNG, a map or table as HTML) of every value a chapter
    glued that shows as more than text."""
    if not glue_file.is_file():
        return {}
    glued = json.loads(glue_file.read_text(encoding="utf-8"))
    return {name: output for name, output in glued.items() if set(output.get("data", {})) - {"text/plain"}}


def place_glued_outputs(notebook, outputs: dict, folder: Path | None = None) -> None:
    """Each chart, map and table a {glue:figure} of the prose shows, as an output of the code cell
    that glued it (the one naming it in a glue call, else the code cell nearest before, or after,
    the prose that shows it): the notebook opens with what the page shows, before a reader runs it."""
    code = [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for match in GLUE_FIGURE.finditer(cell.source):
            name = match["key"]
            if name not in outputs:
                continue
            call = re.compile(r"glue\(\s*[\"']" + re.escape(name) + r"[\"']")
            before = [c for i, c in code if i < index]
            after = [c for i, c in code if i > index]
            owner = next((c for _, c in code if call.search(c.source)), None) \
                or (before[-1] if before else after[0] if after else None)
            if owner is None:
                continue
            output = outputs[name]
            data = dict(output["data"])
            if "leaflet" in str(data.get("text/html", "")):
                data = static_map(data, match["body"], folder)
            owner.outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=output.get("metadata", {})))


STATIC_PNG = re.compile(r"<(?P<path>[^<>]*figures/[^<>]+\.png)>")


def static_map(data: dict, figure_body: str, folder: Path | None) -> dict:
    """A map as the served notebook shows it: its static twin (the PNG its figure links), since the
    book's map loads Leaflet and the shared geometry from the book's own _static/ (no such folder
    beside a downloaded notebook) and untrusted or static viewers (GitHub) drop its iframe. Run,
    the cell draws the interactive map (cstobook.maps: Leaflet from a CDN outside the book)."""
    linked = STATIC_PNG.search(figure_body)
    if folder is None or linked is None or not (folder / linked["path"]).is_file():
        return data
    image = base64.b64encode((folder / linked["path"]).read_bytes()).decode("ascii")
    return {"image/png": image, "text/plain": "A static image of the map; run the cell for the interactive map."}


def glued_only(output) -> bool:
    data = output.get("data") or {}
    return bool(data) and all(mime.startswith(GLUE_PREFIX) for mime in data)


def with_outputs(notebook, cache_path: str):
    """The notebook with its outputs, without the values glued for the page (a mime type no viewer
    shows). myst-nb writes a page's notebook without outputs when it took them from the execution
    cache (an incremental build): they are merged from that cache here."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if cache_path and not any(cell.get("outputs") for cell in code):
        try:
            from jupyter_cache import get_cache

            _, notebook = get_cache(cache_path).merge_match_into_notebook(notebook)
        except KeyError:  # not in the cache (a page whose notebook was not executed)
            pass
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.get("outputs", []) if not glued_only(output)]
    return notebook


def write_reader_notebooks(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    url = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    branch = app.config.launch_notebooks_branch
    sources = Path(app.outdir) / "_sources"
    executed = Path(app.env.mystnb_config.output_folder)  # myst-nb's jupyter_execute/
    links = links_of_the_book(app)
    for path in sorted(sources.rglob("*.ipynb")):
        page = path.relative_to(sources).with_suffix("")
        # Made afresh at every build from myst-nb's executed notebook (so that an incremental build
        # updates pages it did not write again); once only where there is none.
        fresh = executed / page.parent / f"{page.name}.ipynb"
        notebook = nbformat.read(fresh if fresh.is_file() else path, as_version=4)
        if is_reader_notebook(notebook):
            continue
        notebook = with_outputs(notebook, app.env.mystnb_config.execution_cache_path)
        glue_file = executed / page.parent / f"{page.name}.glue.json"
        place_glued_outputs(notebook, glued_outputs(glue_file), Path(app.srcdir) / page.parent)
        reader_notebook(notebook, glued_text(glue_file), url, branch, links, page.as_posix())
        nbformat.validate(notebook)
        nbformat.write(notebook, path)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_reader_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
