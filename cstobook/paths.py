"""Where the project's files live. Everything else asks this module, never builds paths itself.

The data can live anywhere: `data_dir()` is the folder given, else the one named by the
environment variable CSTOBOOK_DATA, else data/ of the book's checkout. A data folder carries its
own bibliography (references.bib: in the checkout, a link to the one at the root), which the
loader uses to check every row's source.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_VARIABLE = "CSTOBOOK_DATA"
DATA = Path(os.environ.get(DATA_VARIABLE) or ROOT / "data")
FIGURES = ROOT / "figures"
BIBLIOGRAPHY = ROOT / "references.bib"
DATAPACKAGE = DATA / "datapackage.json"
BIBLIOGRAPHY_NAME = "references.bib"

# The raw sources sit beside the project in development and CI, never inside it: a clone must
# build from data/ alone. CSTOBOOK_SOURCES points elsewhere when needed (tests of the data step).
SOURCES = Path(os.environ.get("CSTOBOOK_SOURCES", ROOT.parent / "shared" / "sources"))
# Where `make data` keeps the raw sources it fetched (pooch's cache), and the mirror it may use.
SOURCES_CACHE = Path(os.environ.get("CSTOBOOK_SOURCES_CACHE") or ROOT / ".sources-cache")
SOURCES_URL_VARIABLE = "CSTOBOOK_SOURCES_URL"


def sources_available() -> bool:
    return (SOURCES / "PROVENANCE.md").is_file()


def data_dir(folder: str | os.PathLike | None = None) -> Path:
    """The data folder: `folder`, else $CSTOBOOK_DATA, else data/ of the checkout."""
    found = Path(folder) if folder is not None else DATA
    if not (found / "datapackage.json").is_file():
        raise FileNotFoundError(
            f"No data package at {found} (no datapackage.json). Pass the folder that holds the book's "
            f"data (data_dir=...) or set the environment variable {DATA_VARIABLE} to it; the data is "
            "the data/ folder of https://github.com/csto-ukraine-book/csto-ukraine-book or the "
            "downloads of the book's data appendix.")
    return found


def bibliography(folder: Path) -> Path:
    """The bibliography that travels with a data folder outside the checkout, else the checkout's
    (in the checkout, and in copies of it, the one at the root is the one that is edited)."""
    beside = folder / BIBLIOGRAPHY_NAME
    inside = folder.resolve() == (ROOT / "data").resolve()
    return beside if beside.is_file() and not inside else BIBLIOGRAPHY
