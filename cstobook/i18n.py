"""The book in another language: the Arabic edition's translations of what chapters' code writes.

Sphinx translates the pages' prose from one catalogue per page (locales/ar/LC_MESSAGES/<page>.po,
tools/build_edition.py). What a chapter's code writes (the claims register's cells, a chart's
labels) is not prose Sphinx sees, so it is translated here, from catalogues of the same kind
(`DOMAINS`), which the same command extracts and merges: a changed English string comes back
untranslated or fuzzy, and is then shown in English until it is translated again.

A chapter that writes HTML for readers writes it once per edition with `bilingual`; each edition's
build keeps its own language's part (_ext/editions.py).
"""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path

from cstobook.paths import ROOT

LOCALES = ROOT / "locales"
LANGUAGES = ("ar",)
RIGHT_TO_LEFT = {"ar"}
SCRIPTS = {"ar": "[\u0621-\u064a]"}   # a letter of the language's script: text in that language
# Where each edition lives in the published site: the translations one folder below the English.
EDITION_FOLDERS = {"en": "", "ar": "ar/"}
LANGUAGE_NAMES = {"en": "English", "ar": "العربية"}
EDITION_CLASS = "cstobook-edition"
# Pages translated in full (every message of their catalogues); every other page of an edition is
# translated in its title, headings and "In brief", and says so to its readers (_ext/editions.py).
PAGES_IN_FULL = ("index", "chapters/verdict", "chapters/how-to-cite", "chapters/appendix-data",
                 "chapters/arabic-edition")
# Pages whose translation is pending, one per line in locales/<language>/pending.txt (`#` starts
# a comment): a contributor who writes no Arabic lists a new page there. Its page in that edition
# shows the English text under a notice saying that the translation is pending, the edition's
# page lists it, and the completeness tests (title, headings and "In brief" in the language, a
# catalogue) hold every page except these. A page translated in full is never pending.
PENDING_FILE = "pending.txt"


def pending_pages(language: str = "ar") -> tuple[str, ...]:
    """The documents of _toc.yml whose translation into `language` is pending, in file order."""
    path = LOCALES / language / PENDING_FILE
    if not path.is_file():
        return ()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(dict.fromkeys(line.removesuffix(".md") for line in lines if line))


# catalogue: what it holds (its messages are listed by `messages`)
DOMAINS = {"data": "cells of the data tables that translated pages show",
           "figures": "words on the charts of translated pages",
           "edition": "words the build adds to every page: notices, the language switch, the citation line",
           "glued": "values chapters glue into prose (phrases, lists, names) that spelled dates do not cover"}


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def catalogue_path(language: str, domain: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


@lru_cache(maxsize=None)
def catalogue(language: str, domain: str) -> dict[str, str]:
    """msgid: msgstr of the translated, not fuzzy, messages of one catalogue."""
    import polib

    path = catalogue_path(language, domain)
    if not path.exists():
        return {}
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(path)).translated_entries()}


def translate(text: str, language: str, domain: str = "data") -> str:
    """`text` in `language`; the English text itself where no translation is on record."""
    if language == "en" or not isinstance(text, str):
        return text
    return catalogue(language, domain).get(text, text)


def is_translated(text: str, language: str, domain: str = "data") -> bool:
    return text in catalogue(language, domain)


def bilingual(english_html: str, translations: dict[str, str]) -> str:
    """One block of HTML per edition; each edition's build keeps its own and drops the others."""
    parts = [("en", english_html), *translations.items()]
    return "".join(f'<!--edition:{language}--><div class="{EDITION_CLASS}" lang="{html.escape(language)}" '
                   f'dir="{direction(language)}">{part}</div><!--/edition:{language}-->'
                   for language, part in parts)


EDITION_BLOCK = re.compile(r"<!--edition:(?P<language>[\w-]+)-->(?P<html>.*?)<!--/edition:(?P=language)-->", re.S)


def one_edition(bilingual_html: str, language: str = "en") -> str:
    """What `bilingual` wrote, as one edition shows it: the block in `language`, without the others
    (a notebook read outside the book shows each table once, in its own language)."""
    return EDITION_BLOCK.sub(lambda m: m["html"] if m["language"] == language else "", bilingual_html)


# The free-text columns that translated pages show, by table; and the words their code adds.
DATA_COLUMNS = {"claims": ("speaker", "verdict", "evidence_summary"),
                "article_translation_markers": ("what_it_suggests",),
                "aftermath_events": ("event",),   # its chart's words are the figures catalogue's
                "rival_explanations": ("explanation", "predicts", "evidence_for", "evidence_against",
                                       "north_korean_test", "judgement")}
INTERFACE = ("Claim", "Move", "Arabic excerpt", "Who", "Verdict", "Evidence", "Sources",
             # the claims register of chapters/verdict.md: its caption, the article's moves
             "The claims register of the article.", "1. What the CSTO is", "2. Cracks inside",
             "3. Russia's dilemma", "4. The mandate", "5. The offer",
             # the other tables of chapters/verdict.md: the article's slips, the aftermath
             "Slips in the article's Arabic that point to a translation.", "What it suggests",
             "What happened after the article, as far as the sources read show.", "Date", "Event",
             "Rival explanations of Russia's silence, tested.", "Explanation", "What it alone predicts",
             "For", "Against", "The North Korean test", "Judgement",
             # the verdict scale, whole even when no claim has a verdict (the register's filter)
             "accurate", "imprecise", "wrong", "unverifiable", "opinion",
             # every table's controls and empty cells (cstobook.tables.filterable, styled)
             "Search", "Search the table", "Any word", "all", "{shown} of {total} rows shown",
             "no data")


# The words the build adds to pages (_ext/editions.py), kept here so that the catalogue tool
# lists them without importing Sphinx.
EDITION_WORDS = {
    "cite_book": "Cite this book: version {version} of {date}.",
    "cite_chapter": "Cite this chapter: version {version} of {date}.",
    "how_to_cite": "How to cite, and the PDF edition",
    "record": "Record complete to {date}.",
    "record_note": "Record complete to {date}: later events are not in this edition.",
    "pdf_header": "{title}, version {version}",
    "pdf_version": "Version {version}, {date}",
    "pdf_read_online": "Read online: {site}",
    "pdf_source": "Source, data and every edition: {repository}",
    "show_code": "Show the code",
    "hide_code": "Hide the code",
    "part": "Only the title, headings and summary of this page are translated so far; the rest is shown in English.",
    "none": "This page is not translated yet; it is shown in English.",
    "pending": "The translation of this page is pending; until it is done, the page is shown in English.",
    "pending_list": "Pages whose translation is pending, shown in English until it is done:",
    "pending_none": "No page is waiting for its translation.",
    "download": "Download:",
    "english_page": "Read the English page",
    "switch_title": "This page in the other edition",
    "bibtex_arabic": "The Arabic edition in BibTeX (the book, then each chapter; replace the access date YYYY-MM-DD):",
    # the numbers of figures and tables (Sphinx's numfig_format), in captions and references
    "figure_number": "Fig. %s",
    "table_number": "Table %s",
}


# The words of the page's frame that the themes write in English whatever the language (their
# templates, scripts and buttons), replaced in a translated edition's pages after the build
# (_ext/editions.py) from the edition catalogue. Longer strings first: one may contain another.
FURNITURE = ("Search this book...", "Open issue", "Repository", "Source repositories", "Launch interactive content",
             "Launch on Binder", "Launch on Colab", "Download this page", "Download source file",
             "Fullscreen mode", "Toggle primary sidebar", "Toggle secondary sidebar", "Color mode",
             "System Settings", "Light", "Dark", "Link to this heading", "Link to this image",
             "Link to this table", "Toggle hidden content", "previous page", "next page", "Index",
             "Version warning", "Skip to main content", "Back to top", "Contents", "Main", "Page",
             "By", "Copyright", "The CSTO–Ukraine book contributors")


def edition_words(key: str, language: str, **values) -> str:
    return translate(EDITION_WORDS[key], language, "edition").format(**values)


# Dates in prose: day, month, year. The Arabic edition names the months as Sky News Arabia does.
MONTHS = {"ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                 "أكتوبر", "نوفمبر", "ديسمبر")}


def spelled_date(day, language: str) -> str:
    """'29 November 2026', or in Arabic '29 نوفمبر 2026' (Western digits, as the outlet prints them)."""
    return f"{day.day} {spelled_month(day, language)}"


def spelled_month(day, language: str) -> str:
    """'November 2026', or in Arabic 'نوفمبر 2026'."""
    if language in MONTHS:
        return f"{MONTHS[language][day.month - 1]} {day.year}"
    return f"{day:%B %Y}"


def spelled_partial_date(iso: str, language: str) -> str:
    """An ISO date of the data, which may lack its day or month, spelled as far as it is known:
    '2022-02-24' -> '24 فبراير 2022', '2022-06' -> 'يونيو 2022', '2022' -> '2022'."""
    import datetime

    parts = [int(part) for part in str(iso).split("-")]
    if len(parts) == 3:
        return spelled_date(datetime.date(*parts), language)
    if len(parts) == 2:
        return spelled_month(datetime.date(*parts, 1), language)
    return str(parts[0])


WEEKDAYS = {"ar": {"Monday": "الاثنين", "Tuesday": "الثلاثاء", "Wednesday": "الأربعاء", "Thursday": "الخميس",
                   "Friday": "الجمعة", "Saturday": "السبت", "Sunday": "الأحد"}}
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")
_SPELLED_DATE = re.compile(r"\b(?:(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? )?"
                           r"(?:(?P<day>\d{1,2}) )?(?P<month>" + "|".join(ENGLISH_MONTHS) + r")\b(?: (?P<year>\d{4}))?")


def localised_dates(text: str, language: str) -> str:
    """Dates spelled in English inside `text` ('Wednesday 13 April 2022', '11 January', 'May
    2021'), spelled in `language`; the rest of the text as it is."""
    if language not in MONTHS:
        return text

    def spell(match: re.Match) -> str:
        words = [WEEKDAYS[language][match["weekday"]]] if match["weekday"] else []
        words += [match["day"]] if match["day"] else []
        words.append(MONTHS[language][ENGLISH_MONTHS.index(match["month"])])
        words += [match["year"]] if match["year"] else []
        return " ".join(words)
    return _SPELLED_DATE.sub(spell, text)


def localised_glued_value(text: str, language: str) -> str:
    """A value a chapter glued into its prose, as a translated message shows it: the glued
    catalogue's translation of the whole value, else its dates spelled in the language (numbers
    keep their Western digits, as the edition writes them)."""
    if language == "en" or not isinstance(text, str):
        return text
    found = catalogue(language, "glued").get(text)
    return found if found is not None else localised_dates(text, language)


def glued_text_values(executed=None) -> list[str]:
    """Every text value the chapters glued (from the <page>.glue.json that myst-nb writes beside
    each executed notebook), in the order of the pages."""
    import ast

    folder = executed or ROOT / "_build" / "jupyter_execute"
    files = sorted(folder.rglob("*.glue.json")) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(f"no executed chapters in {folder}: build the book before listing glued values")
    values = []
    for file in files:
        for output in json.loads(file.read_text(encoding="utf-8")).values():
            plain = output.get("data", {})
            if set(plain) != {"text/plain"}:
                continue
            try:
                value = ast.literal_eval(plain["text/plain"])
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, str):
                values.append(value)
    return values


def page_message(document: str, english: str, language: str) -> str:
    """A message of a page (its title, say) as the page's own catalogue translates it."""
    import polib

    path = LOCALES / language / "LC_MESSAGES" / f"{document}.po"
    if language == "en" or not path.is_file():
        return english
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid == english:
            return entry.msgstr
    return english


def book_title() -> str:
    import yaml

    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]


# The charts of translated pages (figures/NAME.png): cstobook.charts.save_figure writes their twins
# in each language (figures/NAME.ar.png ...) and records their words in the English PNG.
TRANSLATED_FIGURES = ("csto_milex", "claims_verdicts", "aftermath_timeline")


def figure_words(name: str) -> list[str]:
    """The words on a translated figure and its phone layout, as the chapter that draws it
    recorded them in figures/NAME.png and NAME.phone.png (empty before it has run)."""
    from PIL import Image

    from cstobook import charts, paths

    found = []
    for file in (paths.FIGURES / f"{name}.png", paths.FIGURES / f"{name}{charts.PHONE_SUFFIX}.png"):
        if file.is_file():
            with Image.open(file) as image:
                found.extend(json.loads(image.info.get(charts.FIGURE_WORDS_KEY, "[]")))
    return list(dict.fromkeys(found))


# The words of the book's maps: each map, drawn once per edition (cstobook.maps.editions), records
# the English words it shows in figures/NAME.words.json; the figures catalogue translates them.
MAP_WORDS_SUFFIX = ".words.json"


def map_words() -> list[str]:
    """Every word the book's maps show, as their chapters recorded them, in the order of the files."""
    from cstobook import paths

    found = []
    for path in sorted(paths.FIGURES.glob(f"*{MAP_WORDS_SUFFIX}")):
        found.extend(json.loads(path.read_text(encoding="utf-8")))
    return list(dict.fromkeys(found))


def messages(domain: str) -> list[str]:
    """The English strings of a catalogue, in a stable order (tools/build_edition.py --catalogues)."""
    if domain == "data":
        from cstobook import data

        found = list(INTERFACE)
        for table, columns in DATA_COLUMNS.items():
            frame = data.load_table(table)
            for column in columns:
                found.extend(str(value) for value in frame[column].dropna())
        return list(dict.fromkeys(found))
    if domain == "figures":
        return list(dict.fromkeys([*(word for name in TRANSLATED_FIGURES for word in figure_words(name)),
                                   *map_words()]))
    if domain == "edition":
        from cstobook import edition

        return list(dict.fromkeys([book_title(), edition.title(), *EDITION_WORDS.values(), *FURNITURE]))
    if domain == "glued":  # what localised_dates leaves with Latin letters
        return list(dict.fromkeys(value for value in glued_text_values()
                                  if re.search("[A-Za-z]", localised_dates(value, "ar"))))
    raise KeyError(f"no catalogue named {domain!r}: the catalogues are {', '.join(DOMAINS)}")


GLOSSARY_CHECKED_KINDS = ("the alliance", "bodies", "forces", "names")


def glossary(language: str = "ar"):
    import pandas as pd

    return pd.read_csv(LOCALES / language / "glossary.csv")


def glossary_departures(language: str = "ar") -> list[tuple[str, str, str]]:
    """(catalogue, English term, English message) for each translated message whose English
    names a glossary term (of the kinds whose rendering does not vary with grammar) and whose
    translation does not use the glossary's rendering (the Arabic article ال aside)."""
    import polib

    terms = glossary(language)
    terms = terms[terms["kind"].isin(GLOSSARY_CHECKED_KINDS)]
    patterns = [(re.compile(rf"\b{re.escape(row.english)}\b"), row.english, re.sub(r"^ال", "", row.arabic))
                for row in terms.itertuples()]
    departures = []
    for path in sorted((LOCALES / language / "LC_MESSAGES").rglob("*.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            if entry.msgstr == entry.msgid:  # kept in English on purpose (a citation, a title)
                continue
            for pattern, english, arabic in patterns:
                # a term kept in its English form is part of a title cited in its own script
                if pattern.search(entry.msgid) and arabic not in entry.msgstr and english not in entry.msgstr:
                    departures.append((path.relative_to(LOCALES).as_posix(), english, entry.msgid))
    return departures
