"""The book outside the book: chapters as notebooks (repository, download, JupyterLab, a bare
environment), the data package on its own, and the data step from a mirror of the raw sources."""
from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pytest

from browser_support import QuietHTTPServer
import yaml

from build_support import notebook_pages, built_page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "tools"))

import build_integrity  # noqa: E402
from cstobook import decision_table, derive, paths, sources  # noqa: E402

NOTEBOOK_PAGES = [page for page in notebook_pages() if page.startswith("chapters/")]
GLUE_FIGURE = re.compile(r"^(`{3,}|:{3,})\{glue(?::figure)?\}", re.M)
# pip in the fresh environments skips compiling what it installs to bytecode (about half of an
# install's CPU time); Python compiles what a kernel imports. (`PIP_COMPILE=0`: pip reads
# `PIP_NO_COMPILE=1` as "compile".)
QUICK_PIP = {"PIP_COMPILE": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
# A reader's environment: no book build around it, and Python writes the bytecode it compiles (its
# default: where the test machine's environment says otherwise, every kernel of a fresh environment
# would compile every module it imports again, a third of a chapter's run).
READER_ENV = {**{k: v for k, v in os.environ.items() if k not in {"CSTOBOOK_BOOK_BUILD", "PYTHONDONTWRITEBYTECODE"}},
              **QUICK_PIP}


def figures_in_chapter(page: str) -> int:
    """Charts, maps and tables the book places with a {glue:figure} directive."""
    return len(GLUE_FIGURE.findall((ROOT / f"{page}.md").read_text(encoding="utf-8")))


def shown(notebook) -> int:
    """Figures (images, and the tables placed as figures: the mandate's grid) and maps (Leaflet
    documents) a reader sees among the notebook's outputs."""
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            html = str(data.get("text/html", ""))
            if ("image/png" in data or "image/svg+xml" in data or "leaflet" in html
                    or f'class="{decision_table.GRID_CLASS}"' in html):
                count += 1
    return count


def tables_in(notebook) -> int:
    """Tables among the notebook's outputs (each edition's copy of a table would count)."""
    return sum(str(output.get("data", {}).get("text/html", "")).count("<table")
               for cell in notebook.cells for output in cell.get("outputs", []))


def tables_on_page(built_book: Path, page: str) -> int:
    document = built_page(built_book, page)
    main = document.select_one("main") or document
    return len([table for table in main.find_all("table") if table.find_parent("table") is None])


# --- 1. Notebooks show what the book shows ---------------------------------------------------

def test_chapters_take_glue_from_the_book_package():
    """myst-nb's glue with display=False hides a figure from a notebook; cstobook.notebook.glue
    is the same call and shows it there (and is myst-nb's glue in the book)."""
    wrong = [page for page in notebook_pages() if "from myst_nb import glue" in (ROOT / f"{page}.md").read_text()]
    assert not wrong, f"{wrong}: import glue with `from cstobook.notebook import glue` instead of from myst_nb"


def test_glue_shows_figures_in_a_notebook_and_leaves_them_to_the_book_in_a_build(monkeypatch):
    import IPython.display
    import matplotlib.pyplot as plt
    import myst_nb
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats

    from cstobook import notebook

    select_figure_formats(InteractiveShell.instance(), {"png"})  # as the inline backend of a kernel
    shown_here, glued = [], []
    monkeypatch.setattr(IPython.display, "display", lambda value: shown_here.append(value))
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: glued.append((name, display)))
    fig = plt.figure()
    monkeypatch.delenv("CSTOBOOK_BOOK_BUILD", raising=False)
    notebook.glue("a_figure", fig, display=False)
    notebook.glue("a_number", 6, display=False)
    assert shown_here == [fig] and glued == []
    shown_here.clear()
    monkeypatch.setenv("CSTOBOOK_BOOK_BUILD", "1")
    notebook.glue("a_figure", fig, display=False)
    notebook.glue("a_number", 6, display=False)
    assert shown_here == [] and glued == [("a_figure", False), ("a_number", False)]
    plt.close(fig)


def code_cells(notebook) -> list[str]:
    """The code a notebook runs, without the build's fingerprint of the page's inputs (a comment,
    see _ext/build_integrity.py)."""
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"
            and not cell.source.startswith(build_integrity.FINGERPRINT_MARKER)]


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_chapter_opened_as_a_notebook_holds_the_code_of_the_downloaded_one(built_book, page):
    """A chapter opened as a notebook (JupyterLab reads the .md through jupytext, `make lab`) holds
    the same code cells as the notebook the book serves, after its set-up cell (which, where the
    book's package is installed, only imports it). The run of the served notebook below, in an
    empty folder as a reader's kernel, therefore also shows that the chapter runs as a notebook
    and shows every figure and map: one kernel run a chapter, not two."""
    served = nbformat.read(built_book / "_sources" / f"{page}.ipynb", as_version=4)
    assert code_cells(jupytext.read(ROOT / f"{page}.md")) == code_cells(served)[1:]


# --- 3. One notebook per chapter for every route -----------------------------------------------

@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_served_notebook_holds_every_output_and_no_raw_myst(built_book, page):
    """The notebook the book serves (download, Binder, Colab) opens with what the page shows, in
    prose a reader's Jupyter renders. That it runs, and shows the same once run, is tested on each
    route a reader takes, in an environment of its own (the Binder image, the Colab simulation, a
    bare Jupyter): see READER_SAMPLE."""
    notebook = nbformat.read(built_book / "_sources" / f"{page}.ipynb", as_version=4)
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "{glue" not in prose, "the prose shows a glue role instead of its value"
    assert not raw_myst(prose), f"the prose shows MyST markup where the page shows text: {raw_myst(prose)[:5]}"
    assert notebook.cells[0].metadata["tags"] == ["setup"]
    assert shown(notebook) == figures_in_chapter(page), "the served notebook does not hold every chart and map"
    assert tables_in(notebook) == tables_on_page(built_book, page), "the served notebook does not hold every table once"
    assert not any("<!--edition:" in str(output.get("data", {}).get("text/html", ""))
                   for cell in notebook.cells for output in cell.get("outputs", [])), "a table shows in every edition"
    assert "_static/" not in json.dumps([c.get("outputs", []) for c in notebook.cells]), \
        "an output loads files of the book's site, which are not beside a downloaded notebook"


MYST_MARKUP = re.compile(r"\{[a-z][\w:-]*\}`|^(?:`{3,}|:{3,})\{[\w:-]+\}|^\([\w.:-]+\)=$", re.M)


def raw_myst(prose: str) -> list[str]:
    """MyST roles, directives and targets left in Markdown (a reader would see them as text)."""
    return MYST_MARKUP.findall(prose)


def test_reader_prose_is_plain_markdown_with_author_year_citations():
    from reader_notebooks import Links, plain_markdown
    from cstobook import data, tables

    key = sorted(data.bibliography_urls())[0]
    who, _, year = tables.author_year(key).rpartition(" ")
    url = data.bibliography_urls()[key]
    links = Links(book_url="https://example.org/book/", repository_url="https://github.com/o/r",
                  labels={"alliance-clauses": ("chapters/mandate", "alliance-clauses", "Alliance clauses")},
                  titles={"chapters/mandate": "The mandate"}, figure_numbers={"fig-x": "Fig. 3"})
    prose = ("(armenia)=\n# Title\n\n:::{admonition} In brief\n:class: in-brief\n**The claim.** A {cite:p}`" + key
             + "` claim.\n:::\n\nAs {cite:t}`" + key + "` shows ({numref}`fig-x`), see {ref}`alliance-clauses` "
             "and {ref}`the clauses <alliance-clauses>`, {doc}`mandate`, {download}`PNG <../figures/a.png>`.\n")
    out = plain_markdown(prose, links, "chapters/armenia")
    assert not raw_myst(out), out
    assert out.startswith("# Title\n\n> **In brief**\n>\n> **The claim.** A ([" + f"{who} {year}]({url})) claim.")
    assert f"As [{who}]({url}) ({year}) shows (Fig. 3)" in out
    assert "[Alliance clauses](https://example.org/book/chapters/mandate.html#alliance-clauses)" in out
    assert "[the clauses](https://example.org/book/chapters/mandate.html#alliance-clauses)" in out
    assert "[The mandate](https://example.org/book/chapters/mandate.html)" in out
    assert "[PNG](https://github.com/o/r/blob/main/figures/a.png)" in out


def test_download_binder_and_colab_serve_the_same_notebook(built_book, tmp_path):
    import launch_notebooks

    written = launch_notebooks.write_notebooks(built_book, tmp_path)
    assert written
    for path in written:
        page = path.relative_to(tmp_path).with_suffix("").as_posix()
        download = built_book / "_sources" / f"{page}.ipynb"
        assert path.read_bytes() == download.read_bytes(), page
        html = built_page(built_book, page)
        links = {a["href"] for a in html.find_all("a", href=True)}
        assert f"../_sources/{page}.ipynb" in links, f"{page}: no download button for its notebook"


def test_the_prose_of_a_reader_notebook_shows_glued_values_as_the_book_formats_them():
    from reader_notebooks import paste_glued_values

    prose = "It was {glue:text}`share:.1f`% of {glue:text}`n` states in {glue}`year`.\n\n" \
            "```{glue:figure} fig_x\n:name: fig-x\n:alt: A chart.\n\nThe caption. Source: X.\n```\n"
    out = paste_glued_values(prose, {"share": "12.345", "n": "6", "year": "'2022'"})
    assert out.startswith("It was 12.3% of 6 states in 2022.")
    assert "The caption. Source: X." in out and "{glue" not in out and ":alt:" not in out


@functools.cache
def local_repository(folder: Path) -> Path:
    """The working tree as a git repository (a stand-in for the book's on GitHub)."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file() or source.is_symlink():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name, follow_symlinks=False)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    subprocess.run(["git", "init", "-q", "-b", "notebooks"], cwd=folder, check=True)
    subprocess.run([*git, "add", "-A"], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-qm", "book"], cwd=folder, check=True)
    return folder


# --- Fresh environments: each route a reader takes, with nothing from the project's venv ----------
# Each route is an environment of its own, made once: the Binder image, the Colab simulation, a
# bare Jupyter. In each, every chapter it runs runs from the notebook the book serves (download,
# Binder and Colab open the same file), from a folder of its own, in a kernel of its own (two at a
# time), and shows every chart, map and table of its page. The project's venv runs no chapter
# here: the build runs them all there.

# Runs notebooks with the nbclient of the environment it is run by (its own kernel), clearing the
# outputs the book left first; saves what each ran, outputs and error alike, and prints the errors.
RUN_NOTEBOOKS = """
import asyncio, json, sys, nbformat
from nbclient import NotebookClient

folder, parallel, *paths = sys.argv[1:]


async def run(source, target, slots):
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    async with slots:
        try:
            await NotebookClient(notebook, timeout=900, kernel_name="python3",
                                 resources={"metadata": {"path": folder}}).async_execute()
            return ""
        except Exception as error:
            return f"{type(error).__name__}: {error}"[-4000:]
        finally:
            nbformat.write(notebook, target)


async def main():
    slots = asyncio.Semaphore(int(parallel))
    (source, target), *rest = zip(paths[::2], paths[1::2])
    first = await run(source, target, slots)  # alone: it installs the book (in a bare Jupyter) and
    # its kernel writes the bytecode of what the others import
    print(json.dumps([first, *await asyncio.gather(*(run(source, target, slots) for source, target in rest))]))

asyncio.run(main())
"""


def reader_env(venv: Path) -> dict:
    """The environment a reader's Jupyter in `venv` runs in: no PYTHONPATH, no CSTOBOOK_DATA, a
    Jupyter data folder of its own (no kernel of the machine's is used), its bin/ first on PATH."""
    env = {k: v for k, v in READER_ENV.items() if k not in {"PYTHONPATH", "CSTOBOOK_DATA", "VIRTUAL_ENV"}}
    return env | {"JUPYTER_DATA_DIR": str(venv / "jupyter-data"), "JUPYTER_PATH": "",
                  "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"}


def pip_install(python: Path, *arguments: str, cwd: Path | None = None) -> None:
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", *arguments], cwd=cwd,
                               capture_output=True, text=True, timeout=1200, env={**os.environ, **QUICK_PIP})
    assert installed.returncode == 0, installed.stderr[-3000:]


def install_kernel(python: Path, env: dict) -> None:
    subprocess.run([str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
                   check=True, capture_output=True, env=env)


def fresh_environment(folder: Path, *packages: str, python: str = sys.executable) -> tuple[Path, dict]:
    """A new venv holding only `packages` (from the package registry, as a reader installs them)
    and a Python 3 kernel of its own; and the environment to run it in (reader_env)."""
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    venv_python = folder / "bin" / "python"
    pip_install(venv_python, *packages)
    env = reader_env(folder)
    install_kernel(venv_python, env)
    return venv_python, env


def downloaded(built_book: Path, page: str):
    """The notebook the book serves for `page` (its download; Binder and Colab open the same)."""
    return nbformat.read(built_book / "_sources" / f"{page}.ipynb", as_version=4)


def run_notebooks(python: Path, env: dict, notebooks: dict, folder: Path, parallel: int = 2) -> dict:
    """Runs each of `notebooks` (name -> notebook) in `folder` with the environment's own Jupyter,
    a kernel each: the first alone, then the others `parallel` at a time; returns name -> (what
    it ran, its error or "")."""
    staging = folder.parent / f"{folder.name}-notebooks"
    staging.mkdir(exist_ok=True)
    paths = {}
    for name, notebook in notebooks.items():
        slug = name.replace("/", "-")
        paths[name] = staging / f"{slug}-in.ipynb", staging / f"{slug}-out.ipynb"
        nbformat.write(notebook, paths[name][0])
    ran = subprocess.run([str(python), "-c", RUN_NOTEBOOKS, str(folder), str(parallel),
                          *(str(path) for pair in paths.values() for path in pair)],
                         cwd=folder, capture_output=True, text=True, env=env, timeout=3600)
    assert ran.returncode == 0, ran.stderr[-4000:]
    errors = json.loads(ran.stdout.strip().splitlines()[-1])
    return {name: (nbformat.read(target, as_version=4), error) for (name, (_, target)), error in zip(paths.items(), errors)}


def outputs_text(notebook) -> str:
    return "\n".join(str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
                     + str(output.get("data", {}).get("text/html", "")) + str(output.get("evalue", ""))
                     for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", []))


def what_chapters_miss(built_book: Path, ran: dict) -> list[str]:
    """For each chapter run: its error, or the charts and maps (images, Leaflet maps) and tables
    it shows where its page shows another number (each table once, in the notebook's language)."""
    problems = []
    for page, (notebook, error) in ran.items():
        if error:
            problems.append(f"{page}: {error}")
            continue
        figures, tables = (shown(notebook), figures_in_chapter(page)), (tables_in(notebook), tables_on_page(built_book, page))
        if figures[0] != figures[1] or tables[0] != tables[1]:
            problems.append(f"{page}: shows {figures[0]} charts and maps and {tables[0]} tables, "
                            f"its page {figures[1]} and {tables[1]}")
    return problems


def python_of(version: str) -> str:
    """A Python `version` ("3.12") of this machine (on PATH or installed by pyenv) that runs, else
    the one running the tests."""
    candidates = [shutil.which(f"python{version}"), *sorted(Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"))]
    for candidate in filter(None, candidates):
        found = subprocess.run([str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip() == version:
            return str(candidate)
    return sys.executable


def test_binder_image_holds_what_the_chapters_need_and_no_build_stack():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    import tomllib

    needs = {re.split(r"[<>=\[ ]", d)[0].lower() for d in tomllib.loads(pyproject)["project"]["dependencies"]}
    binder = {line.strip().lower() for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith(("#", "-"))}
    assert needs <= binder and binder - needs == {"jupytext"}
    assert not {"jupyter-book", "pytest", "playwright", "sphinx"} & binder


# Every chapter runs from its downloaded notebook on the Colab simulation (Python 3.12, Colab's older
# numpy and pandas, the newest of the rest in range, as the set-up cell installs them). The Binder
# image and the bare Jupyter run these three: a chapter with maps, the verdict and the methods
# appendix, which says which build tools are not installed (they failed there before: polib,
# imported inside functions, was not declared; the methods appendix asked for the build tools'
# versions). The Binder image holds the versions the book is built with, on the Python it is built
# with (binder/requirements.txt takes requirements.txt as constraints), where the build runs every
# chapter; the bare Jupyter the newest in range, which were the pinned ones when this was written.
# All thirteen chapters on each would add some 50 s of CPU to the suite for each route.
READER_SAMPLE = ["chapters/verdict", "chapters/alliance-on-paper", "chapters/appendix-methods"]


def test_binder_image_runs_the_sampled_chapters_from_their_downloaded_notebooks(built_book, tmp_path):
    """The Binder image as repo2docker builds it from binder/: a plain Python 3.11 (runtime.txt; the
    pip and setuptools its venv comes with, no wheel), binder/requirements.txt installed with a
    Jupyter kernel, then postBuild, which installs the book's package from the repository (build
    isolation: no wheel needed) and JupyterLab's setting that opens MyST chapters as notebooks.
    There each chapter of READER_SAMPLE, from its notebook as Binder opens it, runs from a folder
    of its own: its set-up cell only imports the package, it shows every chart, map and table of
    its page and writes nothing beside itself; the methods appendix says which build tools are not
    installed.
    (repo2docker brings a Jupyter of its own; here nbclient and ipykernel come in the same pip run
    as the requirements, at the book's versions.)"""
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    venv = tmp_path / "image"
    subprocess.run([python_of("3.11"), "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    plain = "import importlib.util, sys; print(sys.version_info[:2], importlib.util.find_spec('wheel'))"
    assert subprocess.run([str(python), "-c", plain], capture_output=True, text=True,
                          check=True).stdout.strip() == "(3, 11) None"
    repository = local_repository(tmp_path / "repository")
    pip_install(python, "-r", "binder/requirements.txt", "nbclient", "ipykernel", cwd=repository)
    assert subprocess.run([str(python), "-c", plain], capture_output=True, text=True,
                          check=True).stdout.strip() == "(3, 11) None", "postBuild must work without wheel"
    env = reader_env(venv)
    built = subprocess.run(["bash", "binder/postBuild"], cwd=repository, capture_output=True, text=True, env=env,
                           timeout=600)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-3000:]
    assert (venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json").is_file()
    install_kernel(python, env)

    folder = tmp_path / "work"
    folder.mkdir()
    ran = run_notebooks(python, env, {page: downloaded(built_book, page) for page in READER_SAMPLE}, folder)
    problems = what_chapters_miss(built_book, ran)
    assert not problems, "on the Binder image:\n" + "\n".join(problems)
    for page, (notebook, _) in ran.items():
        assert outputs_text(nbformat.from_dict({**notebook, "cells": notebook.cells[:1]})).strip() == \
            f"The book's package and data: {repository}", f"{page}: the set-up did more than import the package"
    assert "not installed here" in outputs_text(ran["chapters/appendix-methods"][0])
    assert not list(folder.iterdir()), "a chapter wrote files beside its notebook"




def test_downloaded_notebooks_run_in_a_bare_jupyter_from_an_empty_folder(built_book, tmp_path):
    """A venv with nothing but Jupyter's notebook runner and kernel. The set-up cell (the first of
    every notebook) fails with the steps to take while the book's repository cannot be reached;
    then, reachable (a local stand-in), the first notebook's fetches the book and installs the
    package with what pyproject.toml declares, from the package registry, and the chapters run
    from their downloaded notebooks and show every chart, map and table of their page; the set-up
    run again changes nothing."""
    python, env = fresh_environment(tmp_path / "venv", "nbclient", "ipykernel")
    absent = subprocess.run([str(python), "-c", "import pandas, cstobook"], capture_output=True, env=env)
    assert absent.returncode != 0, "the bare environment must hold no package of the book's"
    folder = tmp_path / "empty"
    folder.mkdir()
    notebooks = {page: downloaded(built_book, page) for page in READER_SAMPLE}
    setup = notebooks[READER_SAMPLE[0]].cells[0].source
    env["CSTOBOOK_BRANCH"] = "notebooks"
    failed = subprocess.run([str(python), "-c", setup], cwd=folder, capture_output=True, text=True,
                            env={**env, "CSTOBOOK_REPOSITORY": str(tmp_path / "nowhere")})
    assert failed.returncode != 0
    assert "Run these steps in a terminal" in failed.stderr and "git clone" in failed.stderr
    assert not list(folder.iterdir())

    env["CSTOBOOK_REPOSITORY"] = local_repository(tmp_path / "repository").as_uri()
    ran = run_notebooks(python, env, notebooks, folder)  # the first installs the book, alone
    problems = what_chapters_miss(built_book, ran)
    assert not problems, "in a bare Jupyter:\n" + "\n".join(problems)
    checkout = folder / "csto-ukraine-book"
    assert f"The book's package and data: {checkout}" in outputs_text(ran[READER_SAMPLE[0]][0])
    again = subprocess.run([str(python), "-c", setup], cwd=folder, capture_output=True, text=True, env=env)
    assert again.returncode == 0 and again.stdout.strip() == f"The book's package and data: {checkout}", \
        again.stderr[-3000:]  # safe to re-run: it only imports the package
    assert sorted(p.name for p in folder.iterdir()) == ["csto-ukraine-book"]  # the fetched book only


def colab_like_python() -> str:
    """Colab's Python (3.12) where this machine has it, else this one's."""
    return python_of("3.12")


# Colab's preloaded versions (older than the book's): numpy 2.0.2 and pandas 2.2.2 are within the
# book's ranges, matplotlib 3.10.0 is not (the book needs 3.11).
COLAB_PRELOADED = {"numpy": "2.0.2", "pandas": "2.2.2", "matplotlib": "3.10.0"}
PRELOAD = "import numpy, pandas, matplotlib.pyplot\n"


def test_setup_cell_on_colab_keeps_its_packages_and_restarts_only_when_it_must(built_book, tmp_path):
    """Colab-like: a Python 3.12 venv with Colab's older numpy, pandas and matplotlib, imported by
    the kernel before the set-up cell. (1) The set-up keeps numpy and pandas (in range: not
    reinstalled) and must replace matplotlib, which the kernel has imported: it says so, and
    Colab's runtime is restarted (the kernel is killed) before any later cell runs. (2) Then, as
    after Colab's restart, every chapter runs from its notebook on Colab's numpy and pandas and
    shows every chart, map and table of its page."""
    python, env = fresh_environment(tmp_path / "venv", "nbclient", "ipykernel",
                                    *(f"{name}=={version}" for name, version in COLAB_PRELOADED.items()),
                                    python=colab_like_python())
    env |= {"CSTOBOOK_REPOSITORY": local_repository(tmp_path / "repository").as_uri(), "CSTOBOOK_BRANCH": "notebooks"}
    folder = tmp_path / "content"
    folder.mkdir()
    page = "chapters/verdict"
    first = downloaded(built_book, page)
    first.cells.insert(0, nbformat.v4.new_code_cell(
        "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n" + PRELOAD))
    ran, error = run_notebooks(python, env, {page: first}, folder)[page]
    assert error.startswith("DeadKernelError"), "the set-up must restart Colab's runtime after replacing an imported package"
    setup_output = outputs_text(nbformat.from_dict({**ran, "cells": ran.cells[1:2]}))
    assert f"matplotlib {COLAB_PRELOADED['matplotlib']} -> " in setup_output, setup_output[-2000:]
    assert "Restart" in setup_output and "Colab restarts the runtime now" in setup_output
    assert "numpy" not in setup_output.split("already imported")[-1]  # kept, not replaced
    assert not any(cell.get("outputs") for cell in ran.cells[2:] if cell.cell_type == "code")  # no later cell ran
    versions = subprocess.run([str(python), "-c", "from importlib.metadata import version; "
                               "print(' '.join(version(p) for p in ['numpy', 'pandas', 'matplotlib']))"],
                              capture_output=True, text=True, env=env, check=True).stdout.split()
    assert versions[:2] == [COLAB_PRELOADED["numpy"], COLAB_PRELOADED["pandas"]], "the set-up reinstalled a package in range"
    assert versions[2] != COLAB_PRELOADED["matplotlib"]

    notebooks = {}
    for page in NOTEBOOK_PAGES:
        notebooks[page] = downloaded(built_book, page)
        notebooks[page].cells.insert(0, nbformat.v4.new_code_cell(PRELOAD))
        notebooks[page].cells.append(nbformat.v4.new_code_cell("print('versions', numpy.__version__, pandas.__version__)"))
    ran = run_notebooks(python, env, notebooks, folder)
    problems = what_chapters_miss(built_book, ran)
    assert not problems, "on the Colab simulation:\n" + "\n".join(problems)
    for page, (notebook, _) in ran.items():
        assert f"versions {COLAB_PRELOADED['numpy']} {COLAB_PRELOADED['pandas']}" in outputs_text(notebook), page


# --- 2. make lab -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow  # JupyterLab from the project's own environment (make lab): seconds to start, no chapter's concern
def test_make_lab_serves_the_chapters_as_notebooks():
    port, token = free_port(), "reuse-test"
    lab = subprocess.Popen(["make", "-s", "lab", f"LAB_PORT={port}",
                            f"LAB_OPTIONS=--no-browser --IdentityProvider.token={token}"],
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/api/contents/chapters/armenia.md?type=notebook&content=1"
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    model = json.load(response)
                break
            except OSError:
                assert lab.poll() is None, lab.stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, "JupyterLab did not answer"
                time.sleep(1)
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=30)
    assert model["type"] == "notebook"
    code = [cell for cell in model["content"]["cells"] if cell["cell_type"] == "code"]
    assert any("load_table" in cell["source"] for cell in code)


def test_saving_a_chapter_in_jupyterlab_leaves_it_as_it_was(tmp_path):
    """JupyterLab opens a chapter through jupytext's contents manager (make lab, Binder) and saves
    it back to the .md: with the repository's jupytext.toml the file is byte for byte as it was,
    front matter included (file_format kept, no version stamps)."""
    from jupytext import TextFileContentsManager

    shutil.copy(ROOT / "jupytext.toml", tmp_path)
    (tmp_path / "chapters").mkdir()
    manager = TextFileContentsManager(root_dir=str(tmp_path))
    changed = []
    for page in [*notebook_pages(), "chapters/_template"]:
        shutil.copy(ROOT / f"{page}.md", tmp_path / f"{page}.md")
        model = manager.get(f"{page}.md", content=True, type="notebook")
        manager.save(model, f"{page}.md")
        if (tmp_path / f"{page}.md").read_bytes() != (ROOT / f"{page}.md").read_bytes():
            changed.append(page)
    assert not changed, f"saved from JupyterLab, these change: {changed}"


def test_notebooks_written_from_the_chapters_are_ignored_by_git_and_the_build():
    ignored = subprocess.run(["git", "check-ignore", "-q", "chapters/armenia.ipynb"], cwd=ROOT)
    assert ignored.returncode == 0, "chapters/*.ipynb must be ignored by git"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "chapters/*.ipynb" in config["exclude_patterns"]


# --- 4. The data on its own ----------------------------------------------------------------------

@pytest.mark.slow  # a fresh virtual environment and a pip install: a minute
def test_installed_package_loads_a_table_from_a_data_folder_anywhere(tmp_path):
    site, project = tmp_path / "site", tmp_path / "project"
    shutil.copytree(ROOT / "cstobook", project / "cstobook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project)  # a copy: building writes build/ beside the sources
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(project)], check=True, capture_output=True)
    shutil.copytree(paths.DATA, tmp_path / "my-data", symlinks=True)  # as `cp -r`: the bibliography travels too
    env = {**READER_ENV, "PYTHONPATH": str(site)}
    env.pop("CSTOBOOK_DATA", None)
    script = ("import sys; from cstobook import data; "
              "print(data.__file__); print(len(data.load_table('claims', sys.argv[1])))")
    by_argument = subprocess.run([sys.executable, "-c", script, str(tmp_path / "my-data")], cwd=tmp_path,
                                 capture_output=True, text=True, env=env)
    assert by_argument.returncode == 0, by_argument.stderr[-3000:]
    assert by_argument.stdout.startswith(str(site)) and int(by_argument.stdout.split()[-1]) > 0
    by_setting = subprocess.run([sys.executable, "-c", "from cstobook import data; print(len(data.load_table('claims')))"],
                                cwd=tmp_path, capture_output=True, text=True,
                                env={**env, "CSTOBOOK_DATA": str(tmp_path / "my-data")})
    assert by_setting.returncode == 0 and by_setting.stdout.strip() == by_argument.stdout.split()[-1]
    nowhere = subprocess.run([sys.executable, "-c", "from cstobook import data; data.load_table('claims')"],
                             cwd=tmp_path, capture_output=True, text=True, env=env)
    assert nowhere.returncode != 0 and "CSTOBOOK_DATA" in nowhere.stderr


def test_cstobook_data_set_in_a_running_kernel_counts(tmp_path, monkeypatch):
    """CSTOBOOK_DATA is read when a table is loaded, not when the package is imported: a reader
    who sets it in a notebook after `import cstobook` gets that folder."""
    from cstobook import data

    mine = tmp_path / "my-data"
    shutil.copytree(paths.DATA, mine)  # follows links: a data folder with its bibliography
    claims = (mine / "claims.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (mine / "claims.csv").write_text("".join(claims[:3]), encoding="utf-8")  # the header and two rows
    monkeypatch.setenv("CSTOBOOK_DATA", str(mine))
    assert len(data.load_table("claims")) == 2
    monkeypatch.setenv("CSTOBOOK_DATA", str(tmp_path / "nothing-here"))
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        data.load_table("claims")


def test_the_data_folder_copied_as_it_is_holds_its_bibliography(tmp_path):
    """data/references.bib is the book's one bibliography, a file: the data folder copied as `cp -r`
    copies it (links kept as links) is complete, and loads."""
    from cstobook import data

    assert not (ROOT / "data" / "references.bib").is_symlink()
    root = ROOT / "references.bib"  # kept for habit and tools; a link, so that there is one file
    assert root.is_symlink() and root.resolve() == (ROOT / "data" / "references.bib").resolve(),         "references.bib at the root must stay a link to data/references.bib (an editor that saves by replacing files breaks it)"
    assert paths.BIBLIOGRAPHY == ROOT / "data" / "references.bib"
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy, symlinks=True)
    assert not any(path.is_symlink() for path in copy.rglob("*"))
    assert (copy / "references.bib").read_bytes() == paths.BIBLIOGRAPHY.read_bytes()
    assert len(data.load_table("claims", copy)) > 0


def test_a_data_folder_without_its_bibliography_names_the_file_to_copy(tmp_path):
    """A data folder elsewhere must carry references.bib; where it is missing, or a link to nothing
    (a folder copied without following links), the error names the file and what to copy, not a
    path inside the installed package."""
    from cstobook import data

    missing = tmp_path / "missing"
    shutil.copytree(paths.DATA, missing)
    (missing / "references.bib").unlink()
    with pytest.raises(FileNotFoundError) as error:
        data.load_table("claims", missing)
    assert str(missing / "references.bib") in str(error.value) and "Copy the book's data/references.bib" in str(error.value)
    dangling = tmp_path / "dangling"
    shutil.copytree(paths.DATA, dangling)
    (dangling / "references.bib").unlink()
    (dangling / "references.bib").symlink_to("../references.bib")
    with pytest.raises(FileNotFoundError, match="is a link to ../references.bib, which is not there"):
        data.load_table("claims", dangling)


# Imported by cstobook/ or a chapter but not to be installed with the package, each for a reason.
NOT_INSTALLED_WITH_THE_PACKAGE = {
    "IPython": "the Jupyter kernel that runs a chapter provides it (pinning it would reinstall Colab's)",
    "myst_nb": "imported only inside a build of the book (cstobook.notebook.in_book_build)",
}


def imported_modules(source: str) -> set[str]:
    """The top-level names of every absolute import in Python source, at module level and inside
    functions, classes and conditionals alike (an AST walk, not a scan of line starts)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_import_scan_sees_imports_inside_functions():
    source = "import os\nif True:\n    import yaml\ndef f():\n    from polib import pofile\n    from . import x\n"
    assert imported_modules(source) == {"os", "yaml", "polib"}


def declared_distributions() -> set[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {re.split(r"[<>=!~\[; ]", r)[0].lower().replace("_", "-") for r in requirements}


def test_the_package_and_the_chapters_declare_what_they_import():
    """Every third-party module imported anywhere in cstobook/ (inside functions too) or in a
    chapter's code cells comes from a distribution that pyproject.toml declares (the data step's
    from its `data` extra), and binder/requirements.txt holds each of pyproject's dependencies."""
    from importlib.metadata import packages_distributions

    imported = {}
    for module in sorted((ROOT / "cstobook").glob("*.py")):
        for name in imported_modules(module.read_text(encoding="utf-8")):
            imported.setdefault(name, module.relative_to(ROOT).as_posix())
    for page in notebook_pages():
        for cell in jupytext.read(ROOT / f"{page}.md").cells:
            if cell.cell_type == "code":
                source = "\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!")))
                for name in imported_modules(source):
                    imported.setdefault(name, f"{page}.md")
    third_party = {name: where for name, where in imported.items()
                   if name not in sys.stdlib_module_names and name not in {"cstobook", "__future__"}
                   and name not in NOT_INSTALLED_WITH_THE_PACKAGE}
    distributions = packages_distributions()
    declared = declared_distributions()
    missing = []
    for name, where in sorted(third_party.items()):
        provided_by = {d.lower().replace("_", "-") for d in distributions.get(name, [name])}
        if not provided_by & declared:
            missing.append(f"{name} (imported by {where}; distribution {sorted(provided_by)})")
    assert not missing, "pyproject.toml does not declare: " + "; ".join(missing)
    assert "polib" in third_party and "PIL" in third_party  # imported only inside functions: the scan sees them

    import tomllib

    dependencies = {re.split(r"[<>=!~\[; ]", r)[0].lower()
                    for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    binder = {line.strip().lower() for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith(("#", "-"))}
    assert dependencies <= binder, f"binder/requirements.txt lacks {sorted(dependencies - binder)}"


def test_every_resource_states_sources_licence_and_described_fields():
    package = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    problems = []
    for resource in package["resources"]:
        name = resource["name"]
        if not resource.get("sources") or not all(s.get("title") for s in resource["sources"]):
            problems.append(f"{name}: no sources (make register writes them; make register-sources restates them)")
        if not resource.get("licenses"):
            problems.append(f"{name}: no licence")
        for field in resource.get("schema", {}).get("fields", []):
            if not field.get("description"):
                problems.append(f"{name}.{field['name']}: no description")
            if field["type"] == "number" and not field.get("unit"):
                problems.append(f"{name}.{field['name']}: a number without a unit")
    assert not problems, "\n".join(problems)


def test_the_bibliography_travels_with_the_data(built_book):
    assert (paths.DATA / "references.bib").read_bytes() == paths.BIBLIOGRAPHY.read_bytes()
    assert (built_book / "_downloads").exists()
    served = [p for p in (built_book / "_downloads").rglob("references.bib")]
    assert served and served[0].read_bytes() == paths.BIBLIOGRAPHY.read_bytes()


# --- 5. The raw sources, fetched and verified ------------------------------------------------------

needs_sources = pytest.mark.skipif(not paths.sources_available(), reason="../shared/sources is not beside the project")


class Mirror:
    """A loopback HTTP server over a folder laid out like ../shared/sources."""

    def __init__(self, folder: Path):
        handler = functools.partial(Quiet, directory=str(folder))
        self.server = QuietHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def make_data(mirror: Mirror, data: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {**READER_ENV, "CSTOBOOK_SOURCES_URL": mirror.url, "CSTOBOOK_SOURCES": str(cache / "no-local-copy"),
           "CSTOBOOK_SOURCES_CACHE": str(cache), "CSTOBOOK_DATA": str(data)}
    return subprocess.run([sys.executable, "-m", "cstobook.derive"], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@needs_sources
def test_make_data_from_a_mirror_rederives_data_byte_for_byte(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(paths.DATA, data)
    for name in derive.DERIVED_FILES:
        (data / name).write_text("stale\n")
    with Mirror(paths.SOURCES) as mirror:
        result = make_data(mirror, data, tmp_path / "cache")
    assert result.returncode == 0, result.stderr[-3000:]
    for name in derive.DERIVED_FILES:
        assert (data / name).read_bytes() == (paths.DATA / name).read_bytes(), name
    cached = {s.path for s in sources.RAW_SOURCES if (tmp_path / "cache" / s.path).is_file()}
    assert cached == {s.path for s in sources.RAW_SOURCES}


@needs_sources
def test_make_data_stops_on_a_corrupted_source_and_leaves_data_untouched(tmp_path):
    mirror_folder = tmp_path / "mirror"
    shutil.copytree(paths.SOURCES, mirror_folder)
    corrupted = sources.RAW_SOURCES[-1].path  # the last one: every earlier file has been fetched
    with open(mirror_folder / corrupted, "ab") as handle:
        handle.write(b"\n")
    data = tmp_path / "data"
    shutil.copytree(paths.DATA, data)
    for name in derive.DERIVED_FILES:
        (data / name).write_text("as it was\n")
    before = fingerprint(data)
    with Mirror(mirror_folder) as mirror:
        result = make_data(mirror, data, tmp_path / "cache")
    assert result.returncode == 1
    assert corrupted in result.stderr and "checksum" in result.stderr
    assert fingerprint(data) == before


@needs_sources
def test_the_upstream_processing_gives_the_files_of_the_sources_folder(tmp_path):
    """The fixes the provenance describes, repeated on stand-ins of the upstream files: the
    header of the armed-forces file, and the Europe subset of the 10m places (as it was written)."""
    by_path = {s.path: s for s in sources.RAW_SOURCES}
    forces = by_path["world_bank_wdi/wdi_MS.MIL.TOTL.P1_armed_forces_personnel_via_owid2020.csv"]
    rows = (paths.SOURCES / forces.path).read_text(encoding="utf-8").splitlines()[1:]
    upstream = tmp_path / "armed-forces-personnel.csv"
    upstream.write_text('Entity,Code,Year,Year,"Armed forces personnel, total"\n' + "\n".join(rows) + "\n")
    cache = tmp_path / "cache"
    made = sources.process(forces, upstream, cache)
    assert hashlib.sha256(made.read_bytes()).hexdigest() == forces.sha256

    places = by_path["natural_earth/ne_10m_populated_places_simple_europe_caucasus_centralasia.geojson"]
    subset = json.loads((paths.SOURCES / places.path).read_text(encoding="utf-8"))
    again = sources._europe_subset(subset, paths.SOURCES / sources.RAW_SOURCES[0].path)
    assert hashlib.sha256(json.dumps(again, ensure_ascii=False).encode()).hexdigest() == places.sha256


@pytest.mark.parametrize("value, spec, shown", [(np.float64(3.456), ":.1f", "3.5"), (np.int64(12500), ":,d", "12,500"),
                                                (np.float32(0.25), ":.0%", "25%"), (2.5, ":.2f", "2.50")])
def test_glue_accepts_numpy_numbers_with_a_format_spec(monkeypatch, value, spec, shown):
    """A numpy number glued for the prose is formatted by {glue:text}`name:spec` as a Python one
    (myst-nb reads the glued value back from its text form, which for numpy is 'np.float64(...)')."""
    import myst_nb
    from myst_nb.ext.glue.roles import format_plain_text

    from cstobook import notebook

    glued = {}
    monkeypatch.setenv(notebook.BOOK_BUILD_VARIABLE, "1")
    monkeypatch.setattr(myst_nb, "glue", lambda name, variable, display=True: glued.update({name: variable}))
    notebook.glue("value", value, display=False)
    assert type(glued["value"]) in (float, int)
    assert format_plain_text(repr(glued["value"]), spec[1:]) == shown
