"""Write each chapter of the built book as an executed Jupyter notebook, for Binder and Colab.

    python tools/launch_notebooks.py BUILT_HTML OUTPUT_ROOT

BUILT_HTML is the book's html folder (_build/html): for every page with code, the theme copies the
executed notebook to _sources/<page>.ipynb (the book's download button serves it). Each one is
written to OUTPUT_ROOT/<page>.ipynb, beside its source, with one set-up cell first that makes it
run on Colab (it does nothing elsewhere). The publishing workflow writes them into the `notebooks`
branch, which the book's Binder and Colab buttons open (_ext/book_publishing.py). Prints the
paths written, one a line.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

from cstobook import toc

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "notebooks"
# What the chapters import, installed on Colab at the versions the book is built with.
COLAB_PACKAGES = ("pandas", "numpy", "matplotlib", "folium", "branca", "geopandas", "shapely", "pyogrio",
                  "pyproj", "frictionless", "myst-nb", "PyYAML")

SETUP = '''\
# Set-up for Google Colab; it does nothing anywhere else. It fetches the book's code and data
# (the `{branch}` branch of the repository), installs what the chapters import at the versions
# the book was built with, and runs from the chapter's folder, as the book's build does.
import os, subprocess, sys
if "google.colab" in sys.modules:
    BOOK = "/content/{repo}"
    if not os.path.isdir(BOOK):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "{branch}",
                        "{url}", BOOK], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", {pins}], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", BOOK], check=True)
    sys.path.insert(0, BOOK)
    os.chdir(os.path.join(BOOK, "{folder}"))
'''


def pins(requirements: Path, packages=COLAB_PACKAGES) -> list[str]:
    wanted = {re.sub(r"[-_.]+", "-", p).lower() for p in packages}
    found = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        name = line.split("==")[0].strip()
        if "==" in line and re.sub(r"[-_.]+", "-", name).lower() in wanted:
            found.append(line.strip())
    return found


def setup_cell(document: str, root: Path = ROOT):
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    url = config["repository"]["url"].rstrip("/")
    folder = str(Path(config["repository"].get("path_to_book", "") or ".") / Path(document).parent)
    source = SETUP.format(branch=BRANCH, repo=url.rsplit("/", 1)[-1], url=url, folder=folder.strip("./") or ".",
                          pins=", ".join(f'"{p}"' for p in pins(root / "requirements.txt")))
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["colab-setup"]})


def write_notebooks(html: Path, output: Path, root: Path = ROOT) -> list[Path]:
    written = []
    for document in toc.documents(root):
        executed = html / "_sources" / f"{document}.ipynb"
        if not executed.is_file():
            continue  # a page without code
        notebook = nbformat.read(executed, as_version=4)
        cell = setup_cell(document, root)
        if notebook.nbformat_minor >= 5:
            cell["id"] = "colab-setup"  # a fixed id: the same book writes the same notebook
        else:
            cell.pop("id", None)
        notebook.cells.insert(0, cell)
        nbformat.validate(notebook)
        target = output / f"{document}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for path in write_notebooks(Path(argv[0]), Path(argv[1])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
