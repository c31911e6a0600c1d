"""The book in another language: the Arabic edition's translations of what chapters' code writes.

Sphinx translates the pages' prose from one catalogue per page (locales/ar/LC_MESSAGES/<page>.po,
tools/build_edition.py). What a chapter's code writes (the claims register's cells, a chart's
labels) is not prose Sphinx sees, so it is translated here, from catalogues of the same kind
(`DOMAINS`; cstobook.catalogues lists what each holds), which the same command extracts and
merges: a changed English string comes back untranslated or fuzzy, and is then shown in English
until it is translated again. This module imports nothing of the package's but its paths: every
module that writes for readers can use it.

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
                 "chapters/arabic-edition",
                 "chapters/mandate", "chapters/forces",
                 "chapters/literature", "chapters/appendix-methods", "chapters/references",
                 "chapters/references-p-z",
                 "chapters/instead", "chapters/offer",
                 "chapters/partners", "chapters/armenia",
                 "chapters/russias-case", "chapters/alliance-on-paper")
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
           "glued": "values chapters glue into prose (phrases, lists, names) that spelled dates do not cover",
           "names": "the names that cite sources in tables and source lines (outlets, agencies, institutions, "
                    "authors): in Arabic where the outlet or institution has an Arabic name, a scholar's "
                    "name kept in its own script (the msgid as msgstr), for finding the work"}


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


# The separators of a list in each edition's script (English's are the default)
LIST_SEPARATORS = {"ar": {",": "،", ";": "؛"}}


def comma(language: str) -> str:
    """The comma and space between the items of a list, in the edition's script."""
    return LIST_SEPARATORS.get(language, {}).get(",", ",") + " "


def semicolon(language: str) -> str:
    """The semicolon and space between the items of a list whose items hold commas."""
    return LIST_SEPARATORS.get(language, {}).get(";", ";") + " "


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
                                       "north_korean_test", "judgement"),
                "csto_forces": ("force", "instrument", "mandate", "deployment_conditions"),  # chapters/forces.md
                "treaty_provisions": ("instrument", "article", "text_en", "paraphrase"),  # chapters/mandate.md ...
                "alliance_clauses": ("instrument", "article", "trigger", "who_decides", "territorial_scope",
                                     "form_of_help", "when_invoked", "quote_en"),
                "mandate_conditions": ("condition_id", "condition"),
                "mandate_cases": ("case", "assessment", "explanation", "verdict", "outcome"),
                "russia_strike_claims": ("place", "claim", "claimant", "ukraine_response"),
                "literature": ("label", "strand", "position", "read", "claim", "reason"),
                "zas_offer": ("item", "value"),   # chapters/offer.md
                "russia_alternatives": ("channel", "what", "quantity_unit"),   # chapters/instead.md
                "partner_distancing": ("kind", "speaker", "statement"),
                # chapters/partners.md
                "unga_later_resolutions": ("title", "votes_reported"),
                "belarus_role": ("event",),
                "kazakhstan_positions": ("speaker", "statement"),
                "kazakhstan_war_citizens": ("measure", "bound", "compiled_by", "method"),
                # chapters/armenia.md
                "armenia_csto_record": ("episode", "article_invoked", "addressed_to", "csto_response"),
                "csto_military_committee": ("weekday", "format", "chair", "ukraine_mentioned"),
                "pashinyan_statements": ("venue", "gist"),
                # chapters/russias-case.md: Russia's legal case, the members' positions, the mandate grid
                "russia_legal_case": ("actor", "step", "instrument", "legal_basis"),
                "annexation_positions": ("statement",),
                # chapters/alliance-on-paper.md: the organisation's record (also its map's popups)
                "alliance_events": ("description",)}
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
             "no data",
             # the tables of chapters/forces.md
             "The CSTO's collective forces and the two bilateral groupings, as their founding texts and official accounts describe them.",
             "Force", "Created", "Founding instrument", "What it is for", "Where and on what conditions it may deploy",
             # the tables of chapters/mandate.md
             "The provisions on collective defence, decision and scope: the original as read and the book's English.",
             "Provision", "Original text as read", "Translation", "(paraphrase)",
             "Four mutual-assistance clauses: trigger, decision, scope, help and use.", "Treaty", "Article", "Trigger",
             "Who decides", "Territorial scope", "Form of help", "When invoked", "The clause as read (original)",
             "Each case against each condition.", "Case", "Condition", "Assessment", "Why",
             "Every test of the alliance: the conditions and the collective response",  # the grid (decision_table)
             "Source: the book's coding; the sources of every cell are listed in the tables below.",
             "The verdict on each case and what the alliance did as a whole.", "Collective response",
             "Russian claims of Ukrainian strikes on Russian territory, spring 2022.", "Place", "Claimed by",
             "Ukraine's response",
             # the literature chapter's table of works (chapters/literature.md)
             "The works read and the book's position on each.", "Work", "Position", "What was read",
             "Claim (paraphrase)", "Why",
             # the methods appendix's table of versions (chapters/appendix-methods.md)
             "Versions used to build this edition.", "Package", "Version", "not installed here",
             # the tables of chapters/offer.md and chapters/instead.md: captions, headers, the states named
             "Stanislav Zas's offer of February 2022 and what he said later.", "Item", "What the source reports",
             "What Russia did instead of asking the CSTO, 2022-2025, by date of entry.", "Channel", "Through",
             "What", "Figure as reported",
             "Russia's partners in public: denials, non-recognition, warnings, prosecutions, 2022-2025.",
             "State", "Kind", "What was said or done", "CSTO (organisation)", "Russia", "Belarus", "Kazakhstan",
             "Kyrgyzstan", "Tajikistan", "Armenia", "Uzbekistan", "North Korea", "Iran",
             # the tables of chapters/partners.md: captions, headers and the words their code adds
             "General Assembly resolutions on the war after the grid, as found in the sources read: tallies "
             "and the votes of the grid's countries that those sources report.", "Resolution", "Votes in favour",
             "Votes against", "Abstentions", "Votes of the grid's countries reported (Y, N, A)",
             "Belarus and the war, 2022 to 2025, by date: what it did, did not do and said.", "Kind",
             "What Belarus did or allowed", "What it did not do", "What its leaders said",
             "The CSTO mission in Kazakhstan, January 2022: key dates.", "Step", "Request by Tokayev",
             "Decision of the Collective Security Council", "First units deployed", "Tokayev: main mission complete",
             "Withdrawal begins", "Withdrawal complete",
             "Kazakhstan's positions on the war and on the CSTO, 2022-2026.", "Speaker", "Statement",
             "Citizens of Kazakhstan in Russia's war: counts, their compilers and methods.", "What is counted",
             "Count", "Kind of figure", "Compiled by", "How",
             # the tables of chapters/armenia.md
             "Armenia's requests to the CSTO and its members, 2021-2022. Sources link to the reports read.",
             "Episode", "Article or mechanism invoked", "Addressed to", "The CSTO's responses, as reported.",
             "Response", "Meetings of the CSTO Military Committee found in the sources, 2021-2024.", "Weekday",
             "Format", "Chair", "Ukraine mentioned?", "Pashinyan's statements on the CSTO in parliament, April 2022.",
             "Venue", "What he said", "Armenia's steps away from the CSTO and its new alignments, 2022 onwards.",
             "What happened",
             # the tables of chapters/russias-case.md: captions, headers, votes, the members' names
             "Russia's legal case, the answers to it and the alliance's test, step by step.",
             "What was done or said", "Instrument", "Legal basis claimed or applied",
             "The conditions for collective military assistance in the two Russian cases, "
             "as assessed in the chapter on the mandate.", "Condition",
             "The members of the alliance on the annexations: their votes on resolution ES-11/4 of "
             "12 October 2022 and their statements on recognition and on the alliance's scope.",
             "Member", "Vote on ES-11/4", "Statements found, 2022-2025", "Yes", "No", "Abstain", "Absent",
             "None found in the sources searched.", "Russia", "Belarus", "Armenia", "Kazakhstan", "Kyrgyzstan",
             "Tajikistan",
             # the tables of chapters/alliance-on-paper.md: captions, headers, the groups
             "The CSTO's members on 23 February 2022: each indicator's latest value up to the last full "
             "year before the invasion, its year in brackets, and the member's share of the members' total.",
             "Population", "GDP (current US$)", "Armed forces personnel", "Military expenditure (current US$ m)",
             "Military expenditure in current US$ in the members' latest year before the invasion: "
             "sum over each group's members, and how many members have a figure. Source: SIPRI.",
             "Group", "members", "with data", "Military expenditure", "CSTO", "NATO (members of February 2022)",
             "Ukraine",
             "The CSTO's own record from October 2024, Armenia's steps aside (they are in the chapter on Armenia).")


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
    "pdf_static_map": "Static image of the map: {title}",
    "show_map": "Show the interactive map",
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
# The words the bibliography's style writes around its entries (_ext/bibliography_editions.py).
BIBLIOGRAPHY_WORDS = ("URL:", "visited on", "In", "editor", "editors", "chapter", "pages", "Technical Report")


def edition_words(key: str, language: str, **values) -> str:
    return translate(EDITION_WORDS[key], language, "edition").format(**values)


# Dates in prose, in each edition's language (a leaf module of their own)
from cstobook.spelled_dates import (ENGLISH_MONTHS as ENGLISH_MONTHS, MONTHS as MONTHS,  # noqa: E402
                                    WEEKDAYS as WEEKDAYS, localised_dates as localised_dates,
                                    spelled_date as spelled_date, spelled_month as spelled_month,
                                    spelled_partial_date as spelled_partial_date)
from cstobook.spelled_dates import COUNTED_NOUNS as COUNTED_NOUNS, counted_form as counted_form  # noqa: E402


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
TRANSLATED_FIGURES = ("csto_milex", "claims_verdicts", "aftermath_timeline",
                      "csto_force_sizes",
                      "literature_positions",
                      "force_sizes", "instead_timeline",  # chapters/offer.md, chapters/instead.md
                      "armenia_csto_record",  # chapters/armenia.md
                      "russia_legal_case", "membership_history",  # chapters/russias-case.md, alliance-on-paper.md
                      "unga_votes", "kazakhstan_contingents",  # chapters/partners.md
                      # the maps' static images (downloads, and the PDF's images of the maps)
                      "belarus_axes_map", "kazakhstan_sites_map", "armenia_border_map", "eastern_ukraine_map",
                      "instead_map", "alliances_2022_map", "membership_map")


# The words of the book's maps: each map, drawn once per edition (cstobook.maps.editions), records
# the English words it shows in figures/NAME.words.json; the figures catalogue translates them.
MAP_WORDS_SUFFIX = ".words.json"


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
