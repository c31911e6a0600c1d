"""Fill in the `licenses` of data/datapackage.json resources that lack them (`make register` writes
them for a new table; this is for resources registered before it did).

    python tools/resource_sources.py            # the licence of resources without one
    python tools/resource_sources.py --fields   # also the book's usual description of a field
                                                # without one, and the unit of a number field

A resource without `licenses` gets the book's licence (CC BY 4.0) for the compilation; resources
that state one are left as they are, and the file keeps its layout (two-space JSON). (The sources a
researched table states, every entry its rows cite, are kept by `make register-sources`.) With --fields, a field without a description
gets the book's usual one for its name (cstobook.register.FIELD_DESCRIPTIONS, the table that
`make register` also writes from; a categorical field also lists its values) and a number field
without a unit the usual unit (UNITS); fields the tool has no description for are printed, for
their author to describe.
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from cstobook.register import BOOK_LICENCE, UNITS, usual_description

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "data" / "datapackage.json"

CATEGORICAL = {"kind", "verdict", "event_type", "date_precision", "organisation", "format", "assessment", "speaker"}
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
            text = usual_description(name)
            if text is None:
                left.append(f"{resource['name']}.{name}")
                continue
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


def main(argv: list[str]) -> int:
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    for resource in package["resources"]:
        path = PACKAGE.parent / resource["path"]
        if not resource.get("licenses"):
            resource["licenses"] = [dict(BOOK_LICENCE)]
        if "--fields" in argv:
            for field in describe_fields(resource, path):
                print(f"{field}: no description: describe it by hand")
    PACKAGE.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
