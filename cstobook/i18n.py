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
from functools import lru_cache
from pathlib import Path

from cstobook.paths import ROOT

LOCALES = ROOT / "locales"
LANGUAGES = ("ar",)
RIGHT_TO_LEFT = {"ar"}
EDITION_CLASS = "cstobook-edition"
# catalogue: what it holds (its messages are listed by `messages`)
DOMAINS = {"data": "cells of the data tables that translated pages show",
           "figures": "words on the charts of translated pages"}


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
    parts = [f'<div class="{EDITION_CLASS}" lang="en">{english_html}</div>']
    for language, translated in translations.items():
        parts.append(f'<div class="{EDITION_CLASS}" lang="{html.escape(language)}" '
                     f'dir="{direction(language)}">{translated}</div>')
    return "".join(parts)


# The free-text columns that translated pages show, by table; and the words their code adds.
DATA_COLUMNS = {"claims": ("speaker", "verdict", "evidence_summary")}
INTERFACE = ("Claim", "Move", "Arabic excerpt", "Who", "Verdict", "Evidence", "Sources")
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
        return list(dict.fromkeys(word for name in TRANSLATED_FIGURES for word in figure_words(name)))
    raise KeyError(f"no catalogue named {domain!r}: the catalogues are {', '.join(DOMAINS)}")
