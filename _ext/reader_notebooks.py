"""Sphinx extension: one notebook per chapter for every route a reader takes.

The theme's download button serves the executed notebook of each page, `_sources/<page>.ipynb`;
the publishing workflow copies the very same files into the `notebooks` branch, which the Binder
and Colab buttons open (tools/launch_notebooks.py). At the end of each build this extension
makes those files readable and runnable outside the book:

1. a first cell, the set-up, that makes the notebook run wherever it is opened: where the book's
   package is missing (Colab, a bare Jupyter) it fetches the book's repository and installs what
   the chapters need, or prints the exact steps where it cannot; it can be run again after a
   failure, and does nothing where the package is present (Binder, a checkout);
2. the prose shows the values the code glued into it ({glue:text}`name` becomes the text the
   book shows), and each {glue:figure} directive becomes its caption, since the figure itself
   shows at the code cell that draws it (cstobook.notebook.glue);
3. every notebook names its kernel (Python 3), so Colab and Jupyter open it without asking.

The files are rewritten in place, once: a notebook whose first cell is the set-up is left alone.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

SETUP_CELL_ID = "cstobook-setup"
GLUE_PREFIX = "application/papermill.record/"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

SETUP = '''\
# Set-up: run this cell first. Where the book's package (cstobook) is missing, as on Colab or in a
# bare Jupyter, it fetches the book's repository into ./{folder} and installs what the chapters
# need; where it cannot, it prints the steps to take by hand. Safe to run again after a failure.
# CSTOBOOK_REPOSITORY, CSTOBOOK_BRANCH and CSTOBOOK_CHECKOUT change where it fetches from and to.
import importlib, importlib.util, os, shlex, subprocess, sys

REPOSITORY = os.environ.get("CSTOBOOK_REPOSITORY", "{url}")
BRANCH = os.environ.get("CSTOBOOK_BRANCH", "{branch}")
CHECKOUT = os.path.abspath(os.environ.get("CSTOBOOK_CHECKOUT", "{folder}"))
if importlib.util.find_spec("cstobook") is None:
    steps = [["git", "clone", "--depth", "1", "--branch", BRANCH, REPOSITORY, CHECKOUT],
             [sys.executable, "-m", "pip", "install", "--quiet", "-c", os.path.join(CHECKOUT, "requirements.txt"),
              "-e", CHECKOUT]]
    if os.path.isfile(os.path.join(CHECKOUT, "pyproject.toml")):
        steps = steps[1:]  # fetched by an earlier run
    for step in steps:
        try:
            subprocess.run(step, check=True)
        except (OSError, subprocess.CalledProcessError) as error:
            raise RuntimeError(
                f"The set-up failed at: {{shlex.join(step)}} ({{error}}).\\n"
                "Run these steps in a terminal, restart the kernel, then run this notebook again:\\n"
                + "\\n".join("  " + shlex.join(s) for s in steps)) from None
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


def paste_glued_values(markdown: str, values: dict[str, str]) -> str:
    """The prose as the book shows it: each glue role becomes its value, formatted as myst-nb does,
    and each glue figure its caption (the figure shows at its code cell)."""

    def text(match: re.Match) -> str:
        key, _, spec = match["key"].partition(":")
        if key not in values:
            return match[0]
        return format_plain_text(values[key], spec)

    def figure(match: re.Match) -> str:
        caption = [line for line in match["body"].splitlines() if not line.startswith(":")]
        caption = "\n".join(caption).strip()
        return f"> **Figure** (drawn by the code cell that makes it): {caption}" if caption else ""

    return GLUE_TEXT.sub(text, GLUE_FIGURE.sub(figure, markdown))


def reader_notebook(notebook, values: dict[str, str], url: str, branch: str):
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = paste_glued_values(cell.source, values)
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


def write_reader_notebooks(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    url = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    branch = app.config.launch_notebooks_branch
    sources = Path(app.outdir) / "_sources"
    executed = Path(app.env.mystnb_config.output_folder)  # myst-nb's jupyter_execute/
    for path in sorted(sources.rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        if is_reader_notebook(notebook):
            continue
        page = path.relative_to(sources).with_suffix("")
        values = glued_text(executed / page.parent / f"{page.name}.glue.json")
        reader_notebook(notebook, values, url, branch)
        nbformat.validate(notebook)
        nbformat.write(notebook, path)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_reader_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
