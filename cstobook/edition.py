"""The edition of the book a citation names: its version, release date, title, authors and
address, read from CITATION.cff (the one record of them; pyproject.toml, .zenodo.json and
CHANGELOG.md must agree with it, which tests/test_edition.py checks), and the date to which its
record is complete, read from record.yml beside it (the Citation File Format has no field for it)."""
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


@functools.cache
def _record() -> dict:
    return yaml.safe_load((paths.ROOT / "record.yml").read_text(encoding="utf-8"))


def record_complete_to() -> dt.date:
    """The date to which the book's record is complete: every dated fact happened on or before
    it, and nothing dated before it may be described as future (tests/test_currency.py)."""
    value = _record()["record-complete-to"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def title() -> str:
    return citation()["preferred-citation"]["title"]


def authors() -> str:
    """The authors as one line: names of organisations as they are, persons as 'Given Family'."""
    names = [a["name"] if "name" in a else f"{a['given-names']} {a['family-names']}"
             for a in citation()["preferred-citation"]["authors"]]
    return ", ".join(names)


def licence_note() -> str:
    """The citation file's note on the licences (the PDF's title page gives it in the edition's language)."""
    return citation()["preferred-citation"]["notes"]


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
                return plain_text(line[2:].strip())
    raise ValueError(f"{document} has no title (a line starting with '# ')")


def chapter_key(document: str) -> str:
    return "csto_ukraine_book_" + re.sub(r"\W+", "_", document.rsplit("/", 1)[-1]).strip("_")


def plain_text(markdown: str) -> str:
    """A line of MyST Markdown as a reader sees its text: emphasis, code, links and roles dropped
    to their text (a title such as "The *offer*, 2022–2025" is cited as "The offer, 2022–2025")."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parseInline(markdown)
    parts = []
    for token in tokens:
        for child in token.children or []:
            if child.type in {"text", "code_inline"}:
                parts.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


# --- BibTeX for the book and its chapters (the How to cite page) --------------------------------

def bibtex_text(text) -> str:
    """Text for a BibTeX field: TeX specials escaped, an en dash as --, an em dash as ---."""
    text = re.sub(r"([&%$#_{}])", r"\\\1", str(text))
    return text.replace("–", "--").replace("—", "---")


def publisher() -> str:
    return citation()["preferred-citation"]["publisher"]["name"]


def bibtex_entry(kind: str, key: str, fields: dict) -> str:
    width = max(map(len, fields))
    body = ",\n".join(f"  {name:<{width}} = {{{value}}}" for name, value in fields.items())
    return f"@{kind}{{{key},\n{body}\n}}"


def _common_fields() -> dict:
    book = citation()["preferred-citation"]
    names = " and ".join("{" + bibtex_text(a["name"]) + "}" if "name" in a
                         else bibtex_text(f"{a['family-names']}, {a['given-names']}") for a in book["authors"])
    return {"author": names, "publisher": bibtex_text(publisher()), "year": year(), "version": version()}


def record_note() -> str:
    """The sentence a citation carries to say where the edition's record stops."""
    return f"Record complete to {record_complete_to():%-d %B %Y}."


def book_bibtex(accessed: str) -> str:
    """The book as a BibTeX @book (biblatex's url, urldate and version too). Titles are in double
    braces, so that styles that lower-case titles keep them as written ("Cracks inside: Armenia")."""
    return bibtex_entry("book", "csto_ukraine_book", {
        "title": "{" + bibtex_text(title()) + "}", **_common_fields(), "url": site(), "urldate": accessed,
        "note": bibtex_text(f'{citation()["preferred-citation"]["notes"]} {record_note()}')})


def chapter_bibtex(document: str, accessed: str) -> str:
    """A chapter as a BibTeX @incollection of the book."""
    return bibtex_entry("incollection", chapter_key(document), {
        "title": "{" + bibtex_text(chapter_title(document)) + "}", "booktitle": "{" + bibtex_text(title()) + "}",
        **_common_fields(), "url": f"{site()}{document}.html", "urldate": accessed,
        "note": bibtex_text(record_note())})
