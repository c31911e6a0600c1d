"""Fill in the `sources` and `licenses` of data/datapackage.json resources that lack them.

    python tools/resource_sources.py

A researched table names its sources row by row (source_id: keys of references.bib); its
resource must also state them (tests/test_reuse.py), so that the data reads on its own. For each
resource without `sources`, this lists every key its rows name, in order of first use, with the
bibliography entry's author or organisation, title and url; a resource without `licenses` gets the
book's licence (CC BY 4.0) for the compilation. Resources that state either are left as they are,
and the file keeps its layout (two-space JSON). Field descriptions and units are the author's.
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


def source_entry(key: str, entries) -> dict:
    entry = entries[key]
    fields = entry.fields
    who = fields.get("organization") or fields.get("institution") or fields.get("journaltitle") or ""
    if not who and entry.persons.get("author"):
        who = str(entry.persons["author"][0])
    title = fields["title"].replace("{", "").replace("}", "")
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


def main() -> int:
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    entries = parse_file(str(ROOT / "references.bib"), bib_format="bibtex").entries
    for resource in package["resources"]:
        path = PACKAGE.parent / resource["path"]
        if not resource.get("sources") and path.suffix == ".csv":
            resource["sources"] = [source_entry(key, entries) for key in row_keys(path)]
            print(f"{resource['name']}: {len(resource['sources'])} sources")
        if not resource.get("licenses"):
            resource["licenses"] = [dict(BOOK_LICENCE)]
    PACKAGE.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
