"""What each catalogue of what chapters' code writes holds (`cstobook.i18n.DOMAINS`): the English
strings that tools/build_edition.py --catalogues extracts and merges into
locales/<language>/LC_MESSAGES/<domain>.po.

It sits above the modules whose output it lists (tables, charts, edition), so that `cstobook.i18n`,
which they all use to translate, imports nothing of the package's but its paths.
"""
from __future__ import annotations

import json
import re

from cstobook import charts, data, datapackage_docs, edition, i18n, paths, tables


def figure_words(name: str) -> list[str]:
    """The words on a translated figure and its phone layout, as the chapter that draws it
    recorded them in figures/NAME.png and NAME.phone.png (empty before it has run)."""
    from PIL import Image

    found = []
    for file in (paths.FIGURES / f"{name}.png", paths.FIGURES / f"{name}{charts.PHONE_SUFFIX}.png"):
        if file.is_file():
            with Image.open(file) as image:
                found.extend(json.loads(image.info.get(charts.FIGURE_WORDS_KEY, "[]")))
    return list(dict.fromkeys(found))


def map_words() -> list[str]:
    """Every word the book's maps show, as their chapters recorded them, in the order of the files."""
    found = []
    for path in sorted(paths.FIGURES.glob(f"*{i18n.MAP_WORDS_SUFFIX}")):
        found.extend(json.loads(path.read_text(encoding="utf-8")))
    return list(dict.fromkeys(found))


def source_names() -> list[str]:
    """The names that cite the bibliography's entries in tables and source lines ('Reuters' of
    'Reuters 2022'), in the bibliography's order: the names catalogue's messages."""
    return list(dict.fromkeys(tables.source_name(key) for key in data.bibliography_entries()))


def names_on_translated_pages() -> list[str]:
    """The names that cite the sources of the tables translated pages show (`i18n.DATA_COLUMNS`):
    those the edition must give in its language. Any other name shows as the bibliography writes it
    until a translator gives it (a contributor's pending page cites its new sources so)."""
    keys = [key for table in i18n.DATA_COLUMNS for column, cells in data.load_table(table).items()
            if data.is_source_column(str(column)) for cell in cells for key in data.source_keys(cell)]
    entries = data.bibliography_entries()
    return list(dict.fromkeys(tables.source_name(key) for key in keys if key in entries))


def messages(domain: str) -> list[str]:
    """The English strings of a catalogue, in a stable order."""
    if domain == "data":
        found = list(i18n.INTERFACE)
        for table, columns in i18n.DATA_COLUMNS.items():
            frame = data.load_table(table)
            for column in columns:
                found.extend(str(value) for value in frame[column].dropna())
        found.extend(datapackage_docs.words())  # the data appendix's tables of fields
        return list(dict.fromkeys(found))
    if domain == "figures":
        return list(dict.fromkeys([*(word for name in i18n.TRANSLATED_FIGURES for word in figure_words(name)),
                                   *map_words()]))
    if domain == "edition":
        return list(dict.fromkeys([i18n.book_title(), edition.title(), edition.licence_note(), *i18n.EDITION_WORDS.values(),
                                   *i18n.FURNITURE, *i18n.BIBLIOGRAPHY_WORDS]))
    if domain == "glued":  # what localised_dates leaves with Latin letters
        return list(dict.fromkeys(value for value in i18n.glued_text_values()
                                  if re.search("[A-Za-z]", i18n.localised_dates(value, "ar"))))
    if domain == "names":
        return source_names()
    raise KeyError(f"no catalogue named {domain!r}: the catalogues are {', '.join(i18n.DOMAINS)}")
