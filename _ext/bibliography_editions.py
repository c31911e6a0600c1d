"""Sphinx extension: the bibliography's own words in the edition's language, and its titles as
the sources write them.

pybtex's `plain` style, which the book uses, writes a few words of its own around each entry:
"URL:", "(visited on ...)", "In ...", "editor", "chapter", "pages", "Technical Report". In a
translated edition they come from the edition catalogue (cstobook.i18n.BIBLIOGRAPHY_WORDS, in
locales/<language>/LC_MESSAGES/edition.po), through a style registered for that edition and set as
its default. The entries themselves (authors, titles, outlets, dates, the notes on what was read)
stay as the bibliography writes them, in their sources' languages; in a right-to-left edition an
entry that begins in Latin or Cyrillic letters reads left to right (`dir="ltr"`, so that its words
are not set apart and reordered as runs inside Arabic text), one that begins in Arabic right to left.

The entries are in one alphabetical order, however long the bibliography and however many pages
it takes: by the name of the first author, a person's surname or an organisation's name alike,
then by date and title. (`plain` sorted the braces that keep an organisation's name whole as
characters: every organisation came after every person, and a name braced twice after those.) They
are numbered in that order across all its pages, so that a label names one entry of the book.

Titles keep the case the bibliography writes them in, in every edition: `plain` sets each title
of an article, a web page or a chapter in sentence case, which lowercased every name in it that
was not braced ("the csto", "rusia", "la otan", "the un missions"). A dollar sign, which BibTeX
writes escaped, reaches the page as "$", not "\\$".
"""
from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx

from cstobook import i18n


def alphabetical_order():
    """A pybtex sorting style: by the first author's name as a reader reads it (braces dropped,
    case folded), then by year (or date) and title."""
    from pybtex.style.sorting.author_year_title import SortingStyle

    class Alphabetical(SortingStyle):
        def sorting_key(self, entry):
            author, _, title = super().sorting_key(entry)
            return author, entry.fields.get("year") or entry.fields.get("date", ""), title

        def person_key(self, person):
            return super().person_key(person).replace("{", "").replace("}", "").casefold()

    return Alphabetical


def book_order(bibfiles: list[Path]) -> dict[str, int]:
    """Each entry's number: its place in the alphabetical order of all the book's entries."""
    from pybtex.database import BibliographyData, parse_file

    entries = BibliographyData()
    for bibfile in bibfiles:
        entries.add_entries(parse_file(bibfile).entries.items())
    ordered = alphabetical_order()().sort(entries.entries.values())
    return {entry.key: number for number, entry in enumerate(ordered, start=1)}


def edition_style(language: str, numbers: dict[str, int]):
    """A pybtex formatting style: `plain`, with its words in `language`, its entries in
    alphabetical order and numbered as `numbers` says (book_order)."""
    from pybtex.style.formatting import toplevel
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.formatting.unsrt import date, pages
    from pybtex.style.template import (field, first_of, href, join, optional, optional_field, sentence, together,
                                       words)

    # Most entries read left to right (entries_in_their_own_direction): left-to-right marks around
    # a right-to-left word keep the bracket before it and the number or date after it in the
    # entry's order (a URL that ends in digits would otherwise draw the bracket into the word).
    mark = "\u200e" if language in i18n.RIGHT_TO_LEFT else ""

    def say(english: str) -> str:
        if language == "en":
            return english
        return mark + i18n.translate(english, language, "edition") + mark

    class Style(Plain):
        def __init__(self, **options):
            super().__init__(**options)  # which sets sort and format_labels from the default plugins
            self.sort = alphabetical_order()().sort
            self.format_labels = self.numbered

        @staticmethod
        def numbered(sorted_entries):
            return (str(numbers[entry.key]) for entry in sorted_entries)

        def format_title(self, e, which_field, as_sentence=True):
            title = field(which_field, apply_func=as_written)
            return sentence[title] if as_sentence else title

        def format_web_refs(self, e):
            return sentence[
                optional[self.format_url(e), optional[" (", say("visited on"), " ", field("urldate"), ")"]],
                optional[self.format_eprint(e)],
                optional[self.format_pubmed(e)],
                optional[self.format_doi(e)],
            ]

        def format_url(self, e):
            url = field("url", raw=True)
            return words[say("URL:"), href(url)[url]]

        def format_editor(self, e, as_sentence=True):
            editors = self.format_names("editor", as_sentence=False)
            if "editor" not in e.persons:
                return editors
            result = join(sep=", ")[editors, say("editors" if len(e.persons["editor"]) > 1 else "editor")]
            return sentence[result] if as_sentence else result

        def format_chapter_and_pages(self, e):
            return join(sep=", ")[
                optional[together[say("chapter"), field("chapter")]],
                optional[together[say("pages"), pages]],
            ]

        def get_incollection_template(self, e):
            return toplevel[
                sentence[self.format_names("author")],
                self.format_title(e, "title"),
                words[
                    say("In"),
                    sentence[
                        optional[self.format_editor(e, as_sentence=False)],
                        self.format_btitle(e, "booktitle", as_sentence=False),
                        self.format_volume_and_series(e, as_sentence=False),
                        self.format_chapter_and_pages(e),
                    ],
                ],
                sentence[optional_field("publisher"), optional_field("address"), self.format_edition(e), date],
                self.format_web_refs(e),
            ]

        def get_techreport_template(self, e):
            return toplevel[
                sentence[self.format_names("author")],
                self.format_title(e, "title"),
                sentence[
                    words[first_of[optional_field("type"), say("Technical Report")], optional_field("number")],
                    field("institution"),
                    optional_field("address"),
                    date,
                ],
                sentence[optional_field("note")],
                self.format_web_refs(e),
            ]

    return Style


def as_written(title):
    """A title as the bibliography writes it (pybtex leaves BibTeX's escaped dollar as it is)."""
    from pybtex.richtext import Text

    return Text(str(title).replace("\\$", "$"))


def style_name(language: str) -> str:
    return f"cstobook-{language}"


def use_edition_style(app: Sphinx, config) -> None:
    """In every edition the bibliography's default style is `plain` in the edition's language, with
    titles as written, in one alphabetical order numbered across the bibliography's pages."""
    import pybtex.plugin

    language = config.language or "en"
    if language not in ("en", *i18n.LANGUAGES) or config.bibtex_default_style != "plain":
        return
    numbers = book_order([Path(app.srcdir) / bibfile for bibfile in config.bibtex_bibfiles])
    pybtex.plugin.register_plugin("pybtex.style.formatting", style_name(language),
                                  edition_style(language, numbers), force=True)
    config.bibtex_default_style = style_name(language)


_ENTRY = re.compile(r'(<div class="citation"[^>]*>\s*<span class="label">.*?</span>\s*<p)(>)(.*?)(</p>)', re.S)
_TAG = re.compile(r"<[^>]+>")
_STRONG = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u04ff\u0590-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_RIGHT_TO_LEFT_LETTER = re.compile(r"[\u0590-\u06ff\u0750-\u077f\u08a0-\u08ff]")


def entries_in_their_own_direction(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """In a right-to-left edition, each bibliography entry whose text begins in a left-to-right
    script is marked dir="ltr" (before _ext/editions.py isolates the Latin runs of Arabic text,
    which it leaves alone inside such an element)."""
    body = context.get("body")
    if (app.config.language or "en") not in i18n.RIGHT_TO_LEFT or not isinstance(body, str) \
            or 'class="citation"' not in body:
        return

    def mark(match: re.Match) -> str:
        first = _STRONG.search(_TAG.sub("", match[3]))
        if first is None or _RIGHT_TO_LEFT_LETTER.match(first[0]):
            return match[0]
        return f'{match[1]} dir="ltr"{match[2]}{match[3]}{match[4]}'

    context["body"] = _ENTRY.sub(mark, body)


# A group of citations in brackets, as sphinxcontrib-bibtex writes {cite:p}: links to the
# bibliography, one per work, separated by a comma or a semicolon.
_CITATION = r'<a class="reference internal" href="[^"]*#[^"]*">(?:(?!</a>).)*</a>'
_CITATION_GROUP = re.compile(rf"\[(?P<citations>{_CITATION}(?:[,;] {_CITATION})*)\]", re.S)
_CITATION_PARTS = re.compile(r"(?P<open><a [^>]*>)(?P<text>(?:(?!</a>).)*)</a>(?P<separator>[,;] )?", re.S)


def citation_groups_as_units(body: str, language: str) -> str:
    """In a right-to-left edition, each citation of a bracketed group is one isolated unit
    (<bdi>: "Leeds et al., 2000" or "Kanunnikova, n.d." whole, not Latin runs that the Arabic
    around them reorders), and the citations are separated by the edition's comma or semicolon
    («،», «؛»), so that a group that wraps keeps its order and tells its citations apart."""
    separators = i18n.LIST_SEPARATORS.get(language, {})

    def unit(part: re.Match) -> str:
        separator = part["separator"] or ""
        if separator:
            separator = separators.get(separator[0], separator[0]) + " "
        return f'{part["open"]}<bdi>{part["text"]}</bdi></a>{separator}'

    def group(match: re.Match) -> str:
        return "[" + _CITATION_PARTS.sub(unit, match["citations"]) + "]"

    return _CITATION_GROUP.sub(group, body)


def citations_in_their_own_direction(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """citation_groups_as_units on each page of a right-to-left edition (before _ext/editions.py
    isolates the Latin runs of Arabic text, which leaves a <bdi> alone)."""
    language = app.config.language or "en"
    body = context.get("body")
    if language in i18n.RIGHT_TO_LEFT and isinstance(body, str) and 'class="reference internal"' in body:
        context["body"] = citation_groups_as_units(body, language)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", use_edition_style)
    app.connect("html-page-context", citations_in_their_own_direction, priority=400)  # before editions' (500)
    app.connect("html-page-context", entries_in_their_own_direction, priority=400)  # before editions' (500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
