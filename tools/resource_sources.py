"""Fill in the `sources` and `licenses` of data/datapackage.json resources that lack them.

    python tools/resource_sources.py            # sources and licences of resources without them
    python tools/resource_sources.py --fields   # also the book's usual description of a field
                                                # without one, and the unit of a number field

A researched table names its sources row by row (source_id: keys of references.bib); its
resource must also state them (tests/test_reuse.py), so that the data reads on its own. For each
resource without `sources`, this lists every key its rows name, in order of first use, with the
bibliography entry's author or organisation, title and url; a resource without `licenses` gets the
book's licence (CC BY 4.0) for the compilation. Resources that state either are left as they are,
and the file keeps its layout (two-space JSON). With --fields, a field without a description
gets the book's usual one for its name (FIELD_DESCRIPTIONS; a categorical field also lists its
values) and a number field without a unit the usual unit (UNITS); fields the tool has no
description for are printed, for their author to describe.
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "data" / "datapackage.json"
BOOK_LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0 (the book's compilation; quoted evidence stays "
                         "its sources' and is quoted as short excerpts)"}

FIELD_DESCRIPTIONS = {  # field name -> the book's usual description
 'source_id': "Bibliography key(s) of the row's source(s) in references.bib, separated by ';'",
 'evidence': "The passage of the source that supports the row, quoted in its original language",
 'note': "Remarks on the row: caveats, conflicting reports, how a value was read",
 'iso3': "ISO 3166-1 alpha-3 code of the country (a code of countries.csv)",
 'name': "Name, as the source spells it",
 'unit': "Unit of the row's value(s)",
 'event_id': "Identifier of the row, stable across versions",
 'claim_id': "Identifier of the claim in the register of the article's claims (c01, c02, ...)",
 'record_id': "Identifier of the row, stable across versions", 'location_id': "Identifier of the row, stable across versions",
 'meeting_id': "Identifier of the meeting, stable across versions", 'statement_id': "Identifier of the row, stable across versions",
 'report_id': "Identifier of the report, stable across versions", 'site_id': "Identifier of the row, stable across versions",
 'position_id': "Identifier of the row, stable across versions", 'entry_id': "Identifier of the row, stable across versions",
 'provision_id': "Identifier of the provision, stable across versions", 'item_id': "Identifier of the row, stable across versions",
 'estimate_id': "Identifier of the estimate, stable across versions", 'route_id': "Identifier of the route",
 'case_id': "Identifier of the case", 'condition_id': "Identifier of the condition (a condition_id of mandate_conditions.csv)",
 'organisation': "The organisation or treaty concerned", 'description': "What happened, in one sentence",
 'event': "What happened, in one sentence", 'event_description': "What happened there, in one sentence",
 'event_date': "ISO date of the event (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known)",
 'date': "ISO date (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known)",
 'weekday': "Day of the week of the date, as the source or the calendar gives it",
 'speaker': "Who makes the claim or statement", 'verdict': "The book's verdict on the claim",
 'place': "Place named, as the source spells it", 'continent': "Continent (Natural Earth CONTINENT)",
 'subregion': "Subregion (Natural Earth SUBREGION, after the UN geoscheme)",
 'indicator': "Code of the indicator (a code of indicator_catalogue.csv)",
 'year': "Calendar year of the value", 'value': "The value",
 'date_precision': "Precision of the date: day, month or year", 'event_type': "Kind of event",
 'episode': "The episode the row belongs to", 'trigger_event': "What prompted the request",
 'addressed_to': "To whom the request was addressed", 'csto_response': "What the CSTO did in response, as reported",
 'format': "In person or by video link", 'location': "Where the meeting was held", 'chair': "Who chaired the meeting",
 'participants': "Who took part, as reported", 'agenda_as_reported': "The agenda as the source reports it",
 'venue': "Where the statement was made", 'occasion': "The occasion of the statement", 'gist': "The substance of the statement, paraphrased",
 'actors': "Who acted", 'field': "Which item of the article's metadata the row gives",
 'evidence_summary': "What the sources establish about the claim, in the book's words",
 'contingent': "The national contingent reported", 'city': "City", 'statement': "The statement, paraphrased or quoted in translation",
 'from_place': "Starting place of the axis (a place of places.csv)", 'to_place': "Objective of the axis (a place of places.csv)",
 'instrument': "The treaty or charter the provision belongs to", 'article': "Article (and paragraph) of the instrument",
 'text_en': "English text of the provision", 'paraphrase': "The provision in plain words",
 'translation_by': "Whose English translation text_en is", 'item': "The item of the offer", 'force_id': "Identifier of the force estimated",
 'label': "Label of the estimate as the book shows it", 'estimator': "Who made the estimate", 'claim': "The claim, as reported",
 'claimant': "Who made the claim", 'ukraine_response': "Ukraine's response, as reported",
 'resolution': "UN General Assembly resolution symbol", 'title': "Title of the resolution (as the source gives it)",
 'vote': "The country's vote: Y yes, N no, A abstention, X absent or not voting", 'route': "The route, as reported",
 'condition': "The condition, in the book's words", 'basis': "The provision the condition rests on",
 'case': "The case", 'assessment': "Whether the condition was met: met, not met, disputed", 'explanation': "Why, in the book's words",
 'kind': "Kind of row",
}
CATEGORICAL = {"kind", "verdict", "event_type", "date_precision", "organisation", "format", "assessment", "speaker"}
UNITS = {"year": "year", "lat": "degree (WGS84)", "lon": "degree (WGS84)", "personnel": "persons",
         "personnel_low": "persons", "personnel_high": "persons"}
IN_UNIT_COLUMN = {"value", "value_low", "value_high"}  # where the table has a column `unit`


def describe_fields(resource: dict, table: Path) -> list[str]:
    """Fill in missing descriptions and units; return the fields left undescribed."""
    rows = []
    if table.suffix == ".csv":
        with table.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    left = []
    for field in resource.get("schema", {}).get("fields", []):
        name = field["name"]
        if not field.get("description"):
            if name not in FIELD_DESCRIPTIONS:
                left.append(f"{resource['name']}.{name}")
                continue
            text = FIELD_DESCRIPTIONS[name]
            values = sorted({row[name] for row in rows if row.get(name)})
            if name in CATEGORICAL and 0 < len(values) <= 8:
                text += ": one of " + ", ".join(values)
            field["description"] = text
        if field["type"] in ("number", "integer") and "unit" not in field:
            if name in UNITS:
                field["unit"] = UNITS[name]
            elif name in IN_UNIT_COLUMN and "unit" in (rows[0] if rows else {}):
                field["unit"] = "given by the column unit"
    return left


def plain(latex: str) -> str:
    """BibTeX field text as a reader sees it: braces dropped, TeX escapes and accents decoded."""
    from pybtex.richtext import Text

    escaped = latex.replace("\\$", "$").replace("\\&", "&").replace("\\%", "%")
    return Text.from_latex(escaped).render_as("text").replace("--", "–") if set("{}\\") & set(escaped) else escaped


def source_entry(key: str, entries) -> dict:
    entry = entries[key]
    fields = entry.fields
    who = fields.get("organization") or fields.get("institution") or fields.get("journaltitle") or ""
    if not who and entry.persons.get("author"):
        who = str(entry.persons["author"][0])
    who, title = plain(who), plain(fields["title"])
    source = {"title": f"{who}: {title}" if who else title}
    if "url" in fields:
        source["path"] = fields["url"]
    source["note"] = f"references.bib: {key}"
    return source


def row_keys(table: Path) -> list[str]:
    keys: list[str] = []
    with table.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for key in (row.get("source_id") or "").split(";"):
                if key.strip() and key.strip() not in keys:
                    keys.append(key.strip())
    return keys


def main(argv: list[str]) -> int:
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    entries = parse_file(str(ROOT / "references.bib"), bib_format="bibtex").entries
    for resource in package["resources"]:
        path = PACKAGE.parent / resource["path"]
        if not resource.get("sources") and path.suffix == ".csv":
            resource["sources"] = [source_entry(key, entries) for key in row_keys(path)]
            print(f"{resource['name']}: {len(resource['sources'])} sources")
        if not resource.get("licenses"):
            resource["licenses"] = [dict(BOOK_LICENCE)]
        if "--fields" in argv:
            for field in describe_fields(resource, path):
                print(f"{field}: no description: describe it by hand")
    PACKAGE.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
