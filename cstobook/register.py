"""Register a new table of researched facts in data/datapackage.json.

    python -m cstobook.register data/new_table.csv [--primary-key COLUMN ...]   (or: make register TABLE=...)
    python -m cstobook.register --sources    (after rows cite new sources: make register-sources)

Frictionless infers each column's type from the file. The columns every researched table shares
get their standard definition and description: `source_id` (required), `evidence`, `note`, `iso3`
(a foreign key to countries), and dates (a column named `date` or ending in `_date`: ISO strings
that may lack the day or month, read with `data.partial_dates`). The primary key is the columns
given, or else the first column if its values are unique. What only the author can say, the
table's title and description and each other column's description, is written as a "TODO: ..."
text to replace (and the unit of a number column the book has no usual unit for); a test fails
while one is left. The resource states its sources (every bibliography entry its rows name in
source_id) and the book's licence, as every resource of the package must. It is appended at the end of the
package's resources; nothing else in the file changes. The table is then validated as the book
will load it (`data.load_table`), and any problem is reported by file, line and column.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from frictionless import describe

from cstobook import paths

TODO = "TODO: "
PARTIAL_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"
# The book's usual description of a field, by the field's name: the one table of them. `register`
# gives a new resource's standard fields (STANDARD_FIELDS) and date columns theirs;
# tools/resource_sources.py --fields gives one to any field of the package that lacks a description.
FIELD_DESCRIPTIONS = {
 'source_id': "Key(s) of references.bib, separated by ';'",
 'evidence': "Short excerpt of the source that supports the row, as read",
 'note': "Caveats, disagreements between sources, what could not be verified",
 'iso3': "ISO 3166-1 alpha-3 code of the country (a code of countries.csv)",
 'date': "Date of the row's fact (ISO; YYYY-MM or YYYY where only the month or year is known)",
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
# The columns every researched table shares, as `register` defines them.
STANDARD_FIELDS = {
    "source_id": {"type": "string", "description": FIELD_DESCRIPTIONS["source_id"], "constraints": {"required": True}},
    "evidence": {"type": "string", "description": FIELD_DESCRIPTIONS["evidence"]},
    "note": {"type": "string", "description": FIELD_DESCRIPTIONS["note"]},
    "iso3": {"type": "string", "description": FIELD_DESCRIPTIONS["iso3"]},
}
INFERRED_TYPES = {"integer", "number", "boolean"}  # anything else is kept as text
# The licence of the book's compilation, which a new resource states (quoted evidence stays its
# sources'); and the usual unit of a number field, by its name.
BOOK_LICENCE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0 (the book's compilation; quoted evidence stays "
                         "its sources' and is quoted as short excerpts)"}
UNITS = {"year": "year", "lat": "degree (WGS84)", "lon": "degree (WGS84)", "personnel": "persons",
         "personnel_low": "persons", "personnel_high": "persons"}


def row_keys(table: Path) -> list[str]:
    """The bibliography keys the rows of a table name in source_id, in order of first use."""
    import csv

    keys: list[str] = []
    with table.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for key in (row.get("source_id") or "").split(";"):
                if key.strip() and key.strip() not in keys:
                    keys.append(key.strip())
    return keys


BIBLIOGRAPHY_NOTE = f"{paths.BIBLIOGRAPHY_NAME}: "  # a source's note that names its bibliography entry


def source_entry(key: str, entries) -> dict:
    """A data-package source for one bibliography entry: its author or organisation and title, its url."""
    from cstobook.tables import plain_text

    entry = entries[key]
    fields = entry.fields
    who = fields.get("organization") or fields.get("institution") or fields.get("journaltitle") or ""
    if not who and entry.persons.get("author"):
        who = str(entry.persons["author"][0])
    who, title = plain_text(who), plain_text(fields["title"])
    source = {"title": f"{who}: {title}" if who else title}
    if "url" in fields:
        source["path"] = fields["url"]
    source["note"] = f"{BIBLIOGRAPHY_NOTE}{key}"
    return source


def source_key(source: dict) -> str | None:
    """The bibliography key of a data-package source that `source_entry` wrote, else None (the
    derived tables' sources name their datasets by title)."""
    note = source.get("note", "")
    return note.removeprefix(BIBLIOGRAPHY_NOTE) if note.startswith(BIBLIOGRAPHY_NOTE) else None


def bibliography_entries(bibliography: Path | None = None):
    """The entries of the bibliography (pybtex), parsed afresh: registering may follow an edit."""
    from pybtex.database import parse_file

    return parse_file(str(bibliography or paths.BIBLIOGRAPHY), bib_format="bibtex").entries


def sources_of(table: Path, entries) -> list[dict]:
    """The sources a resource states: every key its rows name that the bibliography's `entries`
    hold (a key they do not hold is reported when the table loads)."""
    return [source_entry(key, entries) for key in row_keys(table) if key in entries]


def is_date_column(name: str) -> bool:
    return name == "date" or name.endswith("_date")


def usual_description(name: str) -> str | None:
    """The book's usual description of a field named `name` (a date column's, for any date column)."""
    if name in FIELD_DESCRIPTIONS:
        return FIELD_DESCRIPTIONS[name]
    return FIELD_DESCRIPTIONS["date"] if is_date_column(name) else None


def field(name: str, inferred_type: str) -> dict:
    if name in STANDARD_FIELDS:
        return {"name": name, **json.loads(json.dumps(STANDARD_FIELDS[name]))}
    if is_date_column(name):
        return {"name": name, "type": "string", "description": usual_description(name),
                "constraints": {"pattern": PARTIAL_DATE}}
    kind = inferred_type if inferred_type in INFERRED_TYPES else "string"
    described = {"name": name, "type": kind, "description": f"{TODO}what {name} holds"}
    if kind == "number":
        described["unit"] = UNITS.get(name, f"{TODO}the unit of {name}")
    elif kind == "integer" and name in UNITS:
        described["unit"] = UNITS[name]
    return described


def resource_for(csv_path: Path, primary_key: list[str] | None = None) -> dict:
    """The data-package resource of a CSV file: inferred types, standard fields, TODOs to fill."""
    inferred = describe(str(csv_path), type="resource")
    columns = [(item.name, item.type) for item in inferred.schema.fields]
    names = [name for name, _ in columns]
    table = inferred.read_rows()
    if primary_key is None:
        first = names[0]
        values = [row[first] for row in table]
        primary_key = [first] if values and None not in values and len(set(values)) == len(values) else []
    unknown = [name for name in primary_key if name not in names]
    if unknown:
        raise SystemExit(f"{csv_path}: no column {unknown} for the primary key (columns: {', '.join(names)})")
    fields = [field(name, kind) for name, kind in columns]
    for item in fields:
        if item["name"] in primary_key:
            item.setdefault("constraints", {})["required"] = True
    schema: dict = {"fields": fields, "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = primary_key
    if "iso3" in names:
        schema["foreignKeys"] = [{"fields": ["iso3"], "reference": {"resource": "countries", "fields": ["iso3"]}}]
    return {
        "name": csv_path.stem,
        "path": csv_path.name,
        "profile": "tabular-data-resource",
        "title": f"{TODO}a title for {csv_path.name}",
        "description": f"{TODO}what one row is, and what the table does not cover. Researched by hand: each row "
                       "names its source(s) in source_id and quotes the supporting passage in evidence.",
        "format": "csv",
        "encoding": "utf-8",
        "sources": sources_of(csv_path, bibliography_entries()),
        "licenses": [dict(BOOK_LICENCE)],
        "schema": schema,
    }


def todos(package: dict) -> list[str]:
    """Where the package still holds a TODO text: 'resource x: title', 'resource x, field y'."""
    found = []
    for resource in package["resources"]:
        found += [f"resource {resource['name']}: {key}" for key in ("title", "description")
                  if str(resource.get(key, "")).startswith(TODO)]
        found += [f"resource {resource['name']}, field {item['name']}: description"
                  for item in resource.get("schema", {}).get("fields", [])
                  if str(item.get("description", "")).startswith(TODO)]
        found += [f"resource {resource['name']}, field {item['name']}: unit"
                  for item in resource.get("schema", {}).get("fields", [])
                  if str(item.get("unit", "")).startswith(TODO)]
    return found


def register(csv_path: Path, primary_key: list[str] | None = None, package_path: Path | None = None) -> dict:
    """Append the resource of `csv_path` (a file in the data folder) to the data package."""
    package_path = package_path or paths.DATAPACKAGE
    csv_path = csv_path.resolve()
    if csv_path.parent != package_path.parent.resolve():
        raise SystemExit(f"{csv_path}: put the table in {package_path.parent} first")
    if csv_path.suffix != ".csv" or not re.fullmatch(r"[a-z][a-z0-9_]*", csv_path.stem):
        raise SystemExit(f"{csv_path.name}: name it in lower case with underscores, ending .csv (e.g. my_table.csv)")
    text = package_path.read_text(encoding="utf-8")
    package = json.loads(text)
    if any(r["name"] == csv_path.stem or r["path"] == csv_path.name for r in package["resources"]):
        raise SystemExit(f"{package_path.name} already describes {csv_path.name}")
    resource = resource_for(csv_path, primary_key)
    package["resources"].append(resource)
    package_path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return resource


def researched(resource: dict) -> bool:
    """A table of researched facts: its sources are bibliography entries (a derived table's name
    its datasets by title, as `make data` writes them)."""
    return resource.get("path", "").endswith(".csv") and all(map(source_key, resource.get("sources", [])))


def stale_sources(package: dict, data_dir: Path | None = None) -> dict[str, list[dict]]:
    """The researched resources whose stated sources are not those their rows cite, each with the
    sources it should state (in the order the rows first cite them, titled as the bibliography)."""
    data_dir = data_dir or paths.DATA
    entries = bibliography_entries(data_dir / paths.BIBLIOGRAPHY_NAME)
    stale = {}
    for resource in package["resources"]:
        if researched(resource) and (data_dir / resource["path"]).is_file():
            cited = sources_of(data_dir / resource["path"], entries)
            if resource.get("sources", []) != cited:
                stale[resource["name"]] = cited
    return stale


def update_sources(package_path: Path | None = None) -> list[str]:
    """State in the data package the sources each researched table's rows cite (after rows were
    added, or an entry of the bibliography merged or retitled); returns the tables changed."""
    package_path = package_path or paths.DATAPACKAGE
    package = json.loads(package_path.read_text(encoding="utf-8"))
    stale = stale_sources(package, package_path.parent)
    for resource in package["resources"]:
        if resource["name"] in stale:
            resource["sources"] = stale[resource["name"]]
    if stale:
        package_path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return sorted(stale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("table", type=Path, nargs="?", help="the CSV file, in data/")
    parser.add_argument("--primary-key", nargs="+", metavar="COLUMN", help="columns that identify a row")
    parser.add_argument("--sources", action="store_true",
                        help="only state, for every researched table, the sources its rows cite")
    args = parser.parse_args(argv)
    if args.sources:
        changed = update_sources()
        print(f"data/datapackage.json: sources stated anew for {', '.join(changed)}." if changed
              else "data/datapackage.json: every researched table states the sources its rows cite.")
        return 0
    if args.table is None:
        parser.error("name the table to register, or give --sources")
    resource = register(args.table, args.primary_key)
    print(f"data/datapackage.json: added {resource['name']} ({len(resource['schema']['fields'])} fields, "
          f"primary key {resource['schema'].get('primaryKey', 'none')}).")
    left = todos({"resources": [resource]})
    print("Write these by hand (each holds a TODO text):\n  " + "\n  ".join(left))
    from cstobook import data  # the check the book makes when a chapter loads the table

    try:
        data.load_table(resource["name"])
    except data.DataValidationError as error:
        print(f"The table does not load yet:\n{error}", file=sys.stderr)
        return 1
    print(f"The table loads: data.load_table({resource['name']!r}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
