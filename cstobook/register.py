"""Register a new table of researched facts in data/datapackage.json.

    python -m cstobook.register data/new_table.csv [--primary-key COLUMN ...]   (or: make register TABLE=...)

Frictionless infers each column's type from the file. The columns every researched table shares
get their standard definition and description: `source_id` (required), `evidence`, `note`, `iso3`
(a foreign key to countries), and dates (a column named `date` or ending in `_date`: ISO strings
that may lack the day or month, read with `data.partial_dates`). The primary key is the columns
given, or else the first column if its values are unique. What only the author can say, the
table's title and description and each other column's description, is written as a "TODO: ..."
text to replace; a test fails while one is left. The resource is appended at the end of the
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
STANDARD_FIELDS = {
    "source_id": {"type": "string", "description": "Key(s) of references.bib, separated by ';'",
                  "constraints": {"required": True}},
    "evidence": {"type": "string", "description": "Short excerpt of the source that supports the row, as read"},
    "note": {"type": "string", "description": "Caveats, disagreements between sources, what could not be verified"},
    "iso3": {"type": "string", "description": "The state concerned: an iso3 code of countries.csv"},
}
DATE_FIELD = {"type": "string", "description": "Date of the row's fact (ISO; YYYY-MM or YYYY where only the month "
                                               "or year is known)",
              "constraints": {"pattern": PARTIAL_DATE}}
INFERRED_TYPES = {"integer", "number", "boolean"}  # anything else is kept as text


def is_date_column(name: str) -> bool:
    return name == "date" or name.endswith("_date")


def field(name: str, inferred_type: str) -> dict:
    if name in STANDARD_FIELDS:
        return {"name": name, **json.loads(json.dumps(STANDARD_FIELDS[name]))}
    if is_date_column(name):
        return {"name": name, **json.loads(json.dumps(DATE_FIELD))}
    kind = inferred_type if inferred_type in INFERRED_TYPES else "string"
    return {"name": name, "type": kind, "description": f"{TODO}what {name} holds"}


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("table", type=Path, help="the CSV file, in data/")
    parser.add_argument("--primary-key", nargs="+", metavar="COLUMN", help="columns that identify a row")
    args = parser.parse_args(argv)
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
