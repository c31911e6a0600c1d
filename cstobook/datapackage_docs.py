"""The data appendix: every resource of data/datapackage.json, its licence, sources and fields."""
from __future__ import annotations

import html
import json

import pandas as pd
from IPython.display import Markdown, display

from cstobook import paths, tables


def resources() -> list[dict]:
    return json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))["resources"]


def describe(resource: dict) -> str:
    """Markdown for one resource. Its texts come from data/ and are escaped: Markdown may style
    them, but HTML in them shows as text."""
    text = html.escape
    size = (paths.DATA / resource["path"]).stat().st_size / 1024
    licences = "; ".join(text(item.get("title", item["name"])) for item in resource.get("licenses", [])) \
        or "CC BY 4.0 (the package's licence)"
    sources = "; ".join(text(item["title"]) for item in resource.get("sources", [])) \
        or "researched by hand; each row names its source in `source_id`"
    return (f"**{text(resource['title'])}** (`{resource['path'].replace('`', '')}`, {size:,.0f} KiB)\n\n"
            f"{text(resource['description'])}\n\n*Licence:* {licences}. *Sources:* {sources}.")


def fields(resource: dict) -> pd.DataFrame:
    schema = resource.get("schema", {"fields": []})
    keys = set(schema.get("primaryKey", []))
    return pd.DataFrame([{"Field": f["name"], "Type": f["type"],
                          "Key": "primary" if f["name"] in keys else "",
                          "Description": f.get("description", "")} for f in schema["fields"]])


def show_all() -> None:
    for resource in resources():
        display(Markdown(describe(resource)))
        if "schema" in resource:
            display(tables.styled(fields(resource), caption=f"Fields of {resource['path']}"))
