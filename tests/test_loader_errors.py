"""Bad input gets a clear error naming file, line and column, and data/ is never modified."""
from __future__ import annotations

import hashlib
import shutil

import pytest

from cstobook import data, paths


def fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    return copy


def corrupt(folder, file, old, new, count=1):
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(folder, file, needle):
    for number, line in enumerate((folder / file).read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_missing_column(data_copy):
    corrupt(data_copy, "alliance_members.csv", "organisation,iso3,", "organisation,")
    with pytest.raises(data.DataValidationError, match=r"data/alliance_members.csv.*iso3"):
        data.load_table("alliance_members", data_copy)


# (table, file, text to replace, replacement, expected message after "data/FILE, line N, ")
CORRUPTIONS = [
    ("indicators", "indicators.csv", "ALB,MS.MIL.TOTL.P1,1992,", "ALB,MS.MIL.TOTL.P1,199x,", r"column 'year'"),
    ("alliance_members", "alliance_members.csv", "CSTO,ARM,2002-10-07", "CSTO,ARM,2002-13-07",
     r"column 'accession_date'"),
    ("alliance_members", "alliance_members.csv", "CSTO,ARM,", "CSTO,XXA,", r"column .iso3.: unknown reference.*XXA.*countries"),
]


@pytest.mark.parametrize("table,file,old,new,expected", CORRUPTIONS,
                         ids=["wrong type", "unparseable date", "unknown country code"])
def test_bad_cell_is_named_by_file_line_and_column(data_copy, table, file, old, new, expected):
    corrupt(data_copy, file, old, new)
    line = line_of(data_copy, file, new)
    with pytest.raises(data.DataValidationError, match=rf"data/{file}, line {line}, {expected}"):
        data.load_table(table, data_copy)


def test_duplicate_primary_key(data_copy):
    path = data_copy / "indicator_catalogue.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    with pytest.raises(data.DataValidationError,
                       match=rf"data/indicator_catalogue.csv, line {len(lines) + 1}.*primary key"):
        data.load_table("indicator_catalogue", data_copy)


def test_source_not_in_bibliography(data_copy):
    corrupt(data_copy, "indicator_catalogue.csv", ",wdi_gdp", ",no_such_source_2099")
    line = line_of(data_copy, "indicator_catalogue.csv", "no_such_source_2099")
    with pytest.raises(data.DataValidationError,
                       match=rf"data/indicator_catalogue.csv, line {line}, column 'source_id'.*no_such_source_2099"):
        data.load_table("indicator_catalogue", data_copy)


def test_region_with_unknown_country(data_copy):
    corrupt(data_copy, "region.geojson", '"iso3":"UKR"', '"iso3":"QQQ"')
    with pytest.raises(data.DataValidationError, match=r"data/region.geojson, feature \d+, property 'iso3'.*QQQ"):
        data.load_region(data_copy)


def test_failed_loads_leave_data_untouched(data_copy):
    before = fingerprint(paths.DATA)
    corrupt(data_copy, "indicators.csv", "ALB,MS.MIL.TOTL.P1,1992,", "ALB,MS.MIL.TOTL.P1,199x,")
    corrupt(data_copy, "alliance_members.csv", "CSTO,ARM,", "CSTO,XXA,")
    for name in ("indicators", "alliance_members"):
        with pytest.raises(data.DataValidationError):
            data.load_table(name, data_copy)
    assert fingerprint(paths.DATA) == before
