"""A small reader of the SIPRI Military Expenditure Database's workbook (.xlsx), with the standard
library only: the cells of one sheet, each with the colour of its font, which is how SIPRI marks
its estimates (blue) and highly uncertain figures (red). The data step (make data) reads the
workbook with it, so that no spreadsheet library is needed; no chapter imports it."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
# SIPRI's legend: "Figures in blue are SIPRI estimates. Figures in red indicate highly uncertain data"
FONT_FLAGS = {"12": "estimate", "10": "highly"}  # indexed font colours
_CELL = re.compile(r"(?P<column>[A-Z]+)(?P<row>\d+)")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def sheet_cells(path: Path, sheet: str) -> dict[tuple[int, int], tuple[object, str]]:
    """(row, column) -> (value, flag) of every non-empty cell of `sheet`: a number as float, text
    as str; flag 'estimate', 'highly' or ''."""
    with zipfile.ZipFile(path) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in relations.findall("rel:Relationship", NS)}
        found = [s for s in workbook.find("m:sheets", NS) if s.get("name") == sheet]
        if not found:
            raise KeyError(f"{path.name}: no sheet named {sheet!r}")
        target = targets[found[0].get(f"{{{NS['r']}}}id")].lstrip("/")
        target = target if target.startswith("xl/") else f"xl/{target}"
        strings = [("".join(t.text or "" for t in item.iter(f"{{{NS['m']}}}t")))
                   for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", NS)]
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        fonts = []
        for font in styles.find("m:fonts", NS).findall("m:font", NS):
            colour = font.find("m:color", NS)
            fonts.append(FONT_FLAGS.get(colour.get("indexed", "") if colour is not None else "", ""))
        flags = [fonts[int(xf.get("fontId", "0"))] for xf in styles.find("m:cellXfs", NS).findall("m:xf", NS)]
        cells = {}
        for cell in ElementTree.fromstring(book.read(target)).iter(f"{{{NS['m']}}}c"):
            value = cell.find("m:v", NS)
            inline = cell.find("m:is", NS)
            if value is None and inline is None:
                continue
            kind = cell.get("t", "n")
            if kind == "s":
                content: object = strings[int(value.text)]
            elif kind == "inlineStr":
                content = "".join(t.text or "" for t in inline.iter(f"{{{NS['m']}}}t"))
            elif kind in ("str", "e", "b"):
                content = value.text or ""
            else:
                content = float(value.text)
            match = _CELL.fullmatch(cell.get("r"))
            cells[(int(match["row"]), _column_number(match["column"]))] = (
                content, flags[int(cell.get("s", "0"))])
        return cells


def country_years(path: Path, sheet: str) -> list[dict]:
    """The sheet as rows of country, year, value (a number, or None where SIPRI writes '...' or
    'xxx'), value_raw (that code) and flag, from the header row whose first cell is 'Country'."""
    cells = sheet_cells(path, sheet)
    header = next(row for (row, column), (value, _) in sorted(cells.items())
                  if column == 1 and value == "Country")
    years = {column: int(value) for (row, column), (value, _) in cells.items()
             if row == header and isinstance(value, float)}
    rows = []
    for (row, column), (value, flag) in sorted(cells.items()):
        if row <= header or column not in years:
            continue
        country = cells.get((row, 1), ("", ""))[0]
        if not isinstance(country, str) or not country.strip():
            continue
        number = value if isinstance(value, float) else None
        rows.append({"country": country.strip(), "year": years[column], "value": number,
                     "value_raw": "" if number is not None else str(value).strip(), "flag": flag})
    return rows
