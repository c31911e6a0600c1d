"""Load the project's tables, each validated against data/datapackage.json before use.

The data package is the one schema: field names and types, missing values, primary and foreign
keys (every iso3 must be a country of countries.csv). Frictionless checks those; this module adds
the one rule a data package cannot state, that every source_id is a key of references.bib.
A table that breaks a rule raises DataValidationError naming the file, the line and the column.
Loading never writes to data/.
"""
from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from frictionless import Package
from pybtex.database import parse_file

from cstobook import paths


class DataValidationError(ValueError):
    """A table in data/ breaks its schema. The message names file, line and column."""


@functools.cache
def _bibliography(bib_path: Path):
    return parse_file(str(bib_path), bib_format="bibtex").entries  # parsed once per kernel


# Each takes the bibliography's path, else the one that travels with the data folder in use
# (paths.default_bibliography: the checkout's, or the one beside $CSTOBOOK_DATA).

def bibliography_keys(bib_path: Path | None = None) -> frozenset[str]:
    return _keys(bib_path or paths.default_bibliography())


@functools.cache
def _keys(bib_path: Path) -> frozenset[str]:
    return frozenset(_bibliography(bib_path).keys())


def bibliography_entries(bib_path: Path | None = None):
    """The parsed entries of the bibliography (pybtex), by key."""
    return _bibliography(bib_path or paths.default_bibliography())


def bibliography_urls(bib_path: Path | None = None) -> dict[str, str]:
    return _urls(bib_path or paths.default_bibliography())


@functools.cache
def _urls(bib_path: Path) -> dict[str, str]:
    entries = _bibliography(bib_path)
    return {key: entry.fields["url"] for key, entry in entries.items() if "url" in entry.fields}


def _package(data_dir: Path) -> Package:
    """The data package, built once per descriptor: building it costs about 0.1 s per call with
    thirty tables, and a chapter loads several. Validating a table still reads its file afresh."""
    return _package_from(str(data_dir), (data_dir / "datapackage.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=8)
def _package_from(data_dir: str, descriptor: str) -> Package:
    return Package(json.loads(descriptor), basepath=data_dir)


_PROBLEMS = {"primary-key": "duplicate primary key", "foreign-key": "unknown reference",
             "type-error": "wrong type", "constraint-error": "constraint broken",
             "missing-label": "column missing", "missing-cell": "cell missing"}


def _describe(error, file: str, schema) -> str:
    """'data/x.csv, line 7, column 'year': wrong type: ...' (line numbers count the header as 1)."""
    where = [file]
    if getattr(error, "row_number", None):
        where.append(f"line {error.row_number}")
    field = getattr(error, "field_name", None) or getattr(error, "label", None)
    if error.type == "primary-key":
        field = ", ".join(schema.primary_key)
    if error.type == "foreign-key":
        field = ", ".join(error.field_names)
    if field:
        where.append(f"column '{field}'")
    problem = _PROBLEMS.get(error.type, error.title)
    note = error.note.replace("the row at position", "line")
    return f"{', '.join(where)}: {problem}: {note}"


def _check_header(path: Path, file: str, expected: list[str]) -> None:
    """Columns are matched by position in the schema, so name the problem before validating rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    if header == expected:
        return
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    problems = [f"column '{name}': column missing" for name in missing]
    problems += [f"column '{name}': column not in the schema" for name in unexpected]
    if not problems:
        problems = [f"columns out of order: expected {expected}"]
    raise DataValidationError("\n".join(f"{file}, line 1, {problem}" for problem in problems))


def _pandas_types(schema) -> tuple[dict, list[str]]:
    dtypes, dates = {}, []
    for field in schema.fields:
        if field.type == "date":
            dates.append(field.name)
            dtypes[field.name] = "str"
        else:
            dtypes[field.name] = {"integer": "Int64", "number": "float64",
                                  "boolean": "boolean"}.get(field.type, "str")
    return dtypes, dates


def source_keys(cell) -> list[str]:
    """The bibliography keys of one source_id cell ('a; b' -> ['a', 'b']); none for an empty cell."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [key.strip() for key in str(cell).split(";") if key.strip()]


def is_source_column(name: str) -> bool:
    return name == "source_id" or name.endswith("_source_id")


def table_sources(path: Path) -> dict[str, list[str]]:
    """Bibliography key -> where a table file names it ('data/x.csv, line 7, column source_id'),
    in its source_id and *_source_id columns (a GeoJSON file: the same properties of its
    features). Reads the file as text, without validating it."""
    found: dict[str, list[str]] = {}
    where = f"{path.parent.name}/{path.name}"
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            cells = [(cell, f"{where}, line {line}, column {column}")
                     for line, row in enumerate(csv.DictReader(handle), start=2)
                     for column, cell in row.items() if column and is_source_column(column)]
    elif path.suffix in {".geojson", ".json"}:
        features = json.loads(path.read_text(encoding="utf-8")).get("features", [])
        cells = [(cell, f"{where}, feature {number}, property {column}")
                 for number, feature in enumerate(features, start=1)
                 for column, cell in (feature.get("properties") or {}).items() if is_source_column(column)]
    else:
        cells = []
    for cell, location in cells:
        for key in source_keys(cell):
            found.setdefault(key, []).append(location)
    return found


def _check_sources(table: pd.DataFrame, file: str, bib_path: Path) -> None:
    if "source_id" not in table:
        raise DataValidationError(f"{file}: column 'source_id' is missing: every row must name its source")
    keys = bibliography_keys(bib_path)
    for index, cell in table["source_id"].items():
        unknown = [key for key in source_keys(cell) if key not in keys]
        if pd.isna(cell) or unknown:
            raise DataValidationError(
                f"{file}, line {index + 2}, column 'source_id': "
                f"{unknown or cell!r} is not a key of {bib_path.name}")


def load_table(name: str, data_dir: Path | str | None = None, bib_path: Path | None = None) -> pd.DataFrame:
    """The table `name` of the data package, validated, with typed columns (dates as datetime64).
    `data_dir`: the data folder, else $CSTOBOOK_DATA, else the checkout's data/ (paths.data_dir);
    `bib_path`: the bibliography, else the one in the data folder (paths.bibliography)."""
    data_dir = paths.data_dir(data_dir)
    bib_path = bib_path or paths.bibliography(data_dir)
    package = _package(data_dir)
    if not package.has_resource(name):
        raise DataValidationError(f"data/datapackage.json: no table named {name!r}")
    resource = package.get_resource(name)
    file = f"{data_dir.name}/{resource.path}"
    _check_header(data_dir / resource.path, file, [field.name for field in resource.schema.fields])
    report = resource.validate()
    if not report.valid:
        errors = report.tasks[0].errors if report.tasks else report.errors
        raise DataValidationError("\n".join(_describe(e, file, resource.schema) for e in errors[:20]))
    dtypes, dates = _pandas_types(resource.schema)
    missing = resource.schema.missing_values or [""]
    table = pd.read_csv(data_dir / resource.path, dtype=dtypes, keep_default_na=False, na_values=missing)
    for column in dates:
        table[column] = pd.to_datetime(table[column], format="%Y-%m-%d")
    _check_sources(table, file, bib_path)
    return table


def load_region(data_dir: Path | str | None = None, bib_path: Path | None = None) -> gpd.GeoDataFrame:
    """Country outlines (layer 'country'), occupied areas ('occupied') and Ukraine's Donetsk and
    Luhansk oblasts ('oblast'), EPSG:4326. Arguments as for load_table."""
    data_dir = paths.data_dir(data_dir)
    bib_path = bib_path or paths.bibliography(data_dir)
    file = f"{data_dir.name}/region.geojson"
    region = gpd.read_file(data_dir / "region.geojson")
    required = {"layer", "iso3", "name", "status_note", "source_id", "geometry"}
    if missing := required - set(region.columns):
        raise DataValidationError(f"{file}: properties missing: {sorted(missing)}")
    known = set(load_table("countries", data_dir, bib_path)["iso3"])
    for index, feature in region.iterrows():
        if feature["iso3"] not in known:
            raise DataValidationError(f"{file}, feature {index + 1}, property 'iso3': "
                                      f"{feature['iso3']!r} is not a code of countries.csv")
        if feature["layer"] not in {"country", "occupied", "oblast"} or not feature["geometry"].is_valid:
            raise DataValidationError(f"{file}, feature {index + 1}: unknown layer or invalid geometry")
    _check_sources(region, file, bib_path)
    return region


def partial_dates(values: pd.Series) -> pd.Series:
    """ISO dates that may lack a day or month ('2021-05', '1993') as Timestamps of their first day."""
    text = values.fillna("").astype(str)
    padded = text.where(text.str.len() != 4, text + "-01-01")
    padded = padded.where(padded.str.len() != 7, padded + "-01")
    return pd.to_datetime(padded.replace("", None), format="%Y-%m-%d")
