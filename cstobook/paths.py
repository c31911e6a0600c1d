"""Where the project's files live. Everything else asks this module, never builds paths itself.

The data can live anywhere: `data_dir()` is the folder given, else the one named by the
environment variable CSTOBOOK_DATA, else data/ of the book's checkout. A data folder carries its
own bibliography (references.bib), which the loader uses to check every row's source: the book's
one bibliography is data/references.bib, a file (the root's references.bib is a link to it), so
that the data folder copied anyhow is complete.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_VARIABLE = "CSTOBOOK_DATA"
DATA = Path(os.environ.get(DATA_VARIABLE) or ROOT / "data")
FIGURES = ROOT / "figures"
BIBLIOGRAPHY = ROOT / "data" / "references.bib"  # the one bibliography (the root's is a link to it)
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
    """The data folder: `folder`, else $CSTOBOOK_DATA (read at each call, so that setting it in a
    running notebook counts), else data/ of the checkout."""
    found = Path(folder) if folder is not None else Path(os.environ.get(DATA_VARIABLE) or DATA)
    if not (found / "datapackage.json").is_file():
        raise FileNotFoundError(
            f"No data package at {found} (no file {found / 'datapackage.json'}). Pass the folder that "
            f"holds the book's data (data_dir=...) or set the environment variable {DATA_VARIABLE} to it; "
            "the data is the data/ folder of https://github.com/csto-ukraine-book/csto-ukraine-book "
            "(copy the whole folder, references.bib included) or the downloads of the book's data appendix.")
    return found


def bibliography(folder: Path) -> Path:
    """The bibliography that travels with a data folder: its references.bib. In the checkout (and
    copies of it) that is the book's one bibliography, BIBLIOGRAPHY. A folder elsewhere must carry
    its own; if it does not, the error names the file and what to copy."""
    if folder.resolve() == (ROOT / "data").resolve():
        return BIBLIOGRAPHY
    beside = folder / BIBLIOGRAPHY_NAME
    if beside.is_file():
        return beside
    why = (f"it is a link to {os.readlink(beside)}, which is not there (copy the folder with "
           "`cp -rL`, which copies what links point to)" if beside.is_symlink() else "it is missing")
    raise FileNotFoundError(
        f"No bibliography at {beside}: {why}. The loader checks every row's source_id against the "
        f"bibliography that travels with the data. Copy the book's data/{BIBLIOGRAPHY_NAME} (from "
        "https://github.com/csto-ukraine-book/csto-ukraine-book, or the data appendix's downloads) "
        f"into {folder}.")


def default_bibliography() -> Path:
    """The bibliography of the data folder in use (data_dir()): what citations are resolved against
    when no file is named."""
    return bibliography(data_dir())
