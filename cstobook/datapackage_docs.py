"""The data appendix: every resource of data/datapackage.json, its licence, sources and fields.

Each resource's title, description and licence are Markdown the page shows, translated with the
page's prose (its catalogue); so are the sources of a derived table, datasets named by title. A
researched table's sources are cited as the tables cite them, once per edition. Its fields are a
table once per edition of the book (`tables.styled_editions`): field names as the files spell
them, since a reuser types them; types, descriptions, column names and caption translated by the
data catalogue (`words` lists them)."""
from __future__ import annotations

import html
import json

import pandas as pd
from IPython.display import Markdown, display

from cstobook import i18n, paths, register, tables

FIELD_COLUMNS = ("Field", "Type", "Key", "Description")
TRANSLATED_COLUMNS = ("Type", "Key", "Description")  # the field names stay as the files spell them
PRIMARY_KEY = "primary"
CAPTION = "Fields of {path}"
FIELDS_CLASS = "cstobook-fields"
SOURCES_CLASS = "cstobook-package-sources"


def resources() -> list[dict]:
    return json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))["resources"]


def cited_keys(resource: dict) -> list[str]:
    """The bibliography keys of a resource's sources (those `register` wrote for a researched table)."""
    return [key for key in map(register.source_key, resource.get("sources", [])) if key]


def describe(resource: dict) -> str:
    """Markdown for one resource. Its texts come from data/ and are escaped: Markdown may style
    them, but HTML in them shows as text. Sources that the bibliography holds are not named here
    but cited, once per edition (`cited_sources`)."""
    text = html.escape
    size = (paths.DATA / resource["path"]).stat().st_size / 1024
    licences = "; ".join(text(item.get("title", item["name"])) for item in resource.get("licenses", [])) \
        or "CC BY 4.0 (the package's licence)"
    weight = f"{size:,.0f} KiB" if size >= 0.5 else "under 1 KiB"  # not "0 KiB" for a file of a few hundred bytes
    described = (f"**{text(resource['title'])}** (`{resource['path'].replace('`', '')}`, {weight})\n\n"
                 f"{text(resource['description'])}\n\n*Licence:* {licences}.")
    if cited_keys(resource):
        return described
    sources = "; ".join(text(item["title"]) for item in resource.get("sources", [])) \
        or "researched by hand; each row names its source in `source_id`"
    return f"{described} *Sources:* {sources}."


def cited_sources(resource: dict, language: str = "en") -> str:
    """HTML: the sources of a researched table as the book cites them ('Author Year', each a link
    to the source), in `language`. Each citation is one unit, so that in a right-to-left edition a
    list of Latin names keeps its order when it wraps (a paragraph of titles did not)."""
    keys = html.escape(";".join(cited_keys(resource)))
    return (f'<p class="{SOURCES_CLASS}"><em>{html.escape(i18n.translate(tables.SOURCES_COLUMN, language))}:</em> '
            f"{tables.source_links(keys, language)}.</p>")


def fields(resource: dict) -> pd.DataFrame:
    schema = resource.get("schema", {"fields": []})
    keys = set(schema.get("primaryKey", []))
    return pd.DataFrame([{"Field": f["name"], "Type": f["type"],
                          "Key": PRIMARY_KEY if f["name"] in keys else "",
                          "Description": f.get("description", "")} for f in schema["fields"]],
                        columns=list(FIELD_COLUMNS))


def caption(resource: dict, language: str = "en") -> str:
    """'Fields of countries.csv' in `language` (the file's name as it is)."""
    return i18n.translate(CAPTION, language).format(path=resource["path"])


def field_name(escaped_name: str) -> str:
    """A field's name as a reuser types it, isolated left to right inside a right-to-left table;
    on a phone it may break after an underscore (<wbr>, which copies as nothing)."""
    # str(): pandas hands the name escaped as a markupsafe.Markup, whose replace would escape "<wbr>"
    return f'<bdi dir="ltr">{str(escaped_name).replace("_", "_<wbr>")}</bdi>'


def field_table(resource: dict, language: str = "en") -> str:
    """The HTML of a resource's table of fields in `language` (the English one as it always was)."""
    if i18n.direction(language) == "ltr":
        return tables.compact(tables.styled(fields(resource), caption(resource, language), language=language).to_html())
    # in a right-to-left edition, each Latin run of a cell (a date format, a file name) is set as
    # one box, never split across lines where its parts would change places (_static/rtl.css)
    shown = tables.styled(fields(resource), caption(resource, language), {"Field": field_name}, language)
    return f'<div class="{FIELDS_CLASS}">{tables.compact(shown.to_html())}</div>'


def words() -> list[str]:
    """What the field tables show that the data catalogue translates: the column names, the
    caption, the key's word, then each field type and description, in the package's order."""
    found = [*FIELD_COLUMNS, CAPTION, PRIMARY_KEY]
    for resource in resources():
        frame = fields(resource)
        for column in TRANSLATED_COLUMNS:
            found.extend(str(value) for value in frame[column] if str(value))
    return list(dict.fromkeys(found))


def show_all() -> None:
    for resource in resources():
        display(Markdown(describe(resource)))
        if cited_keys(resource):
            display(tables.per_edition({language: resource for language in ("en", *i18n.LANGUAGES)}, cited_sources))
        if "schema" in resource:
            display(tables.per_edition({language: resource for language in ("en", *i18n.LANGUAGES)},
                                       lambda shown, language: field_table(shown, language)))
