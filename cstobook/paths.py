"""Where the project's files live. Everything else asks this module, never builds paths itself."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIGURES = ROOT / "figures"
BIBLIOGRAPHY = ROOT / "references.bib"
DATAPACKAGE = DATA / "datapackage.json"

# The raw sources sit beside the project in development and CI, never inside it: a clone must
# build from data/ alone. CSTOBOOK_SOURCES points elsewhere when needed (tests of the data step).
SOURCES = Path(os.environ.get("CSTOBOOK_SOURCES", ROOT.parent / "shared" / "sources"))


def sources_available() -> bool:
    return (SOURCES / "PROVENANCE.md").is_file()
