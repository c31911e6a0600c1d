"""The words of the book's maps, in each edition's language: `editions` draws a map once per
edition, and every word it shows passes through `say`; popups' texts, escaped for the map's HTML,
their sources as 'Author Year' and their dates spelled."""
from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence

import folium

from cstobook import i18n, notebook

Popup = Sequence[tuple[str, str]]  # rows of (label, value) shown in a country's popup

# --- Editions ------------------------------------------------------------------------------------
# A map is drawn once per edition of the book (`editions`): every word it shows (legend, layer
# names, popups, tooltips, its title) passes through `say`, which gives it in the edition's
# language from the catalogues (a cell of data/ as the data catalogue translates it, else the
# figures catalogue) and records the English, so that `make catalogues` lists it (figures/NAME.words.json).

_EDITION = {"language": "en", "words": None}


class Said(str):
    """A text already in the language of the edition being drawn: `say` passes it through."""


def language() -> str:
    """The language of the edition whose map is being drawn ('en' outside `editions`)."""
    return _EDITION["language"]


def say(text, **values) -> Said:
    """`text` in the edition's language; `values` (already said, or numbers) fill its {fields}.
    A text that is already `Said` comes back as it is."""
    if isinstance(text, Said):
        return text
    text = str(text)
    if _EDITION["words"] is not None:
        _EDITION["words"].append(text)
    own = text
    if language() != "en":
        for domain in ("data", "figures"):
            if i18n.is_translated(text, language(), domain):
                own = i18n.translate(text, language(), domain)
                break
    return Said(own.format(**values) if values else own)


def plain(text) -> Said:
    """A text with no word to translate (numbers, punctuation, parts already said)."""
    return Said(text)


def sourced(text, source_id) -> Said:
    """A sourced statement for a popup: 'text [Author Year]'."""
    return Said(f"{say(text)} [{sources(source_id)}]")


def dated(iso, text, source_id) -> Said:
    """A dated, sourced statement for a popup: 'date: text [Author Year]'."""
    return Said(f"{when(iso)}: {sourced(text, source_id)}")


def quantity(value, unit: str) -> Said:
    """A value of an indicator as `formatting.format_value` writes it, in the edition's words."""
    from cstobook import formatting

    english = formatting.format_value(value, unit)
    found = re.fullmatch(r"(?P<currency>US\$ )?(?P<number>[\d.,]+)(?: (?P<scale>trillion|billion|million))?"
                         r"(?P<share>% of GDP)?", english)
    if found is None:
        return say(english)
    template = (("US$ " if found["currency"] else "") + "{number}" + (f" {found['scale']}" if found["scale"] else "")
                + (found["share"] or ""))
    return Said(english) if template == "{number}" else say(template, number=found["number"])


class Editions:
    """The maps of one figure, one per edition: each edition's build keeps its own
    (cstobook.i18n.bilingual)."""

    def __init__(self, drawn: Mapping[str, folium.Map]):
        self.drawn = dict(drawn)

    def _repr_html_(self) -> str:
        english = self.drawn["en"]._repr_html_()
        return i18n.bilingual(english, {language: fmap._repr_html_() for language, fmap in self.drawn.items()
                                        if language != "en"})


def words_path(name: str):
    from cstobook import paths

    return paths.FIGURES / f"{name}{i18n.MAP_WORDS_SUFFIX}"


def editions(name: str, draw):
    """The map `draw()` draws, once per edition of the book (in the book's build; outside it, in
    English only); `name` (the map's glue name) names the record of its words, figures/NAME.words.json."""
    drawn, words = {}, []
    languages = ("en", *i18n.LANGUAGES) if notebook.in_book_build() else ("en",)
    for edition in languages:
        _EDITION.update(language=edition, words=words if edition == "en" else None)
        try:
            drawn[edition] = draw()
        finally:
            _EDITION.update(language="en", words=None)
    path = words_path(name)
    text = json.dumps(sorted(set(words)), ensure_ascii=False, indent=0) + "\n"
    path.parent.mkdir(exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return Editions(drawn) if len(drawn) > 1 else drawn["en"]


# A run kept in its own script inside a map's text (a source's 'Author Year'): marked, as it is
# composed, with Unicode's isolate controls (FSI ... PDI), which a right-to-left map shows as
# <bdi>, so that it keeps its order where the line wraps. Only such runs are isolated: an English
# word left untranslated stays in the text, where the Arabic edition's tests see it.
ISOLATE, END_ISOLATE = "\u2068", "\u2069"


def sources(source_id) -> Said:
    """A row's sources as readers see them ('Author Year; Author Year'), isolated."""
    from cstobook import tables

    return Said(f"{ISOLATE}{tables.author_years(source_id)}{END_ISOLATE}")


def shown(text) -> str:
    """`text` said in the edition's language and escaped for the map's HTML, its isolated runs
    set in <bdi> in a right-to-left edition (and unmarked in the others)."""
    escaped = escape(say(text))
    if i18n.direction(language()) == "rtl":
        return escaped.replace(ISOLATE, "<bdi>").replace(END_ISOLATE, "</bdi>")
    return escaped.replace(ISOLATE, "").replace(END_ISOLATE, "")


def escape(text) -> str:
    """Text for the map's HTML. folium puts popup and tooltip HTML inside JavaScript template
    literals (`...`), where a backtick, `${` or a backslash in data would run as code: on top of
    HTML escaping, those characters become entities, which read the same."""
    return html.escape(str(text)).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


# An ISO date left as the data write it ('2022-09', '2022-09-21'): popups spell dates (`when`).
_ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}(?:-\d{2})?(?![\d-])")


def when(iso) -> Said:
    """A date of the data spelled as far as it is known, for popups, in the edition's language:
    '2022-09-21' -> '21 September 2022', '2022-09' -> 'September 2022' (never the 1st of a month it
    does not know), '2022'."""
    if hasattr(iso, "day"):  # a full date, typed as one by its table's schema
        return Said(i18n.spelled_date(iso, language()) if language() != "en" else f"{iso.day} {iso:%B %Y}")
    return Said(i18n.spelled_partial_date(str(iso), language()))


def popup_problems(texts) -> list[str]:
    """What a popup must not show: an ISO date as the data write it, or a bibliography key where
    readers should see the source as 'Author Year' (`tables.author_years`)."""
    from cstobook import data

    keys = set(data.bibliography_entries())
    problems = []
    for text in map(str, texts):
        problems += [f"ISO date {found!r} in {text!r} (spell it with maps.when)" for found in _ISO_DATE.findall(text)]
        problems += [f"bibliography key {word!r} in {text!r} (show tables.author_years)"
                     for word in re.findall(r"[A-Za-z0-9_]+", text) if "_" in word and word in keys]
    return problems


def popup_html(title: str, rows: Popup) -> str:
    """A popup's HTML: the title and rows of (label, value), escaped. Raises ValueError if a
    text holds a raw ISO date or bibliography key (`popup_problems`), so the build names it."""
    problems = popup_problems([title, *(text for row in rows for text in row)])
    if problems:
        raise ValueError("a map popup shows what readers should not see: " + "; ".join(problems))
    body = "".join(f"<tr><th scope='row'>{shown(label)}</th><td>{shown(value)}</td></tr>"
                   for label, value in rows)
    return (f"<div class='cstobook-popup'><strong>{shown(title)}</strong>"
            f"<table>{body}</table></div>")
