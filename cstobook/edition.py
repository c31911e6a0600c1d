"""The edition of the book a citation names: its version, release date, title, authors and
address, read from CITATION.cff (the one record of them; pyproject.toml, .zenodo.json and
CHANGELOG.md must agree with it, which tests/test_edition.py checks)."""
from __future__ import annotations

import datetime as dt
import functools
import re

import yaml

from cstobook import paths, toc


@functools.cache
def citation() -> dict:
    return yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def version() -> str:
    return str(citation()["version"])


def released() -> dt.date:
    value = citation()["date-released"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def title() -> str:
    return citation()["preferred-citation"]["title"]


def authors() -> str:
    """The authors as one line: names of organisations as they are, persons as 'Given Family'."""
    names = [a["name"] if "name" in a else f"{a['given-names']} {a['family-names']}"
             for a in citation()["preferred-citation"]["authors"]]
    return ", ".join(names)


def site() -> str:
    return citation()["preferred-citation"]["url"].rstrip("/") + "/"


def year() -> int:
    return int(citation()["preferred-citation"]["year"])


def pdf_name(language: str = "en") -> str:
    """The file name of the PDF edition (in `language`: csto-ukraine-book-0.3.0.ar.pdf), as
    attached to each release and served by the site."""
    suffix = "" if language == "en" else f".{language}"
    return f"csto-ukraine-book-{version()}{suffix}.pdf"


def chapter_title(document: str) -> str:
    """The title of a document of _toc.yml: its first line starting with '# '."""
    source = toc.source_file(document)
    if source is not None:
        for line in source.read_text(encoding="utf-8").splitlines():
            line = line.strip().strip('",').strip()
            if line.startswith("# "):
                return line[2:].strip()
    raise ValueError(f"{document} has no title (a line starting with '# ')")


def chapter_key(document: str) -> str:
    return "csto_ukraine_book_" + re.sub(r"\W+", "_", document.rsplit("/", 1)[-1]).strip("_")
