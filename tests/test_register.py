"""Registering a new table: `python -m cstobook.register data/T.csv` appends a resource with the
inferred types and the standard fields to a copy of the data package, leaves TODO texts for what
only the author can write, and the table then loads through its schema."""
from __future__ import annotations

import json
import shutil

import pytest

from cstobook import data, paths, register

NEW_TABLE = """\
event_id,date,iso3,troops,source_id,evidence,note
E1,2022-01-06,KAZ,2030,vpk_interfax_100_flights_2022,An excerpt.,
E2,2022-01,RUS,,vpk_interfax_100_flights_2022;panorama_armenia_100_2022,Another excerpt.,Only the month is known
"""


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    (copy / "troop_reports.csv").write_text(NEW_TABLE, encoding="utf-8")
    return copy


def test_register_appends_a_resource_with_standard_fields(data_copy):
    package_path = data_copy / "datapackage.json"
    before = json.loads(package_path.read_text(encoding="utf-8"))
    register.register(data_copy / "troop_reports.csv", package_path=package_path)
    after = json.loads(package_path.read_text(encoding="utf-8"))
    assert after["resources"][:-1] == before["resources"], "the other resources are unchanged"
    resource = after["resources"][-1]
    assert (resource["name"], resource["path"]) == ("troop_reports", "troop_reports.csv")
    fields = {item["name"]: item for item in resource["schema"]["fields"]}
    assert list(fields) == ["event_id", "date", "iso3", "troops", "source_id", "evidence", "note"]
    assert fields["troops"]["type"] == "integer"
    assert fields["date"]["type"] == "string" and fields["date"]["constraints"]["pattern"] == register.PARTIAL_DATE
    assert fields["source_id"]["constraints"]["required"] is True
    assert fields["evidence"]["description"] == register.STANDARD_FIELDS["evidence"]["description"]
    assert resource["schema"]["primaryKey"] == ["event_id"]
    assert resource["schema"]["foreignKeys"][0]["reference"]["resource"] == "countries"
    assert register.todos(after) == ["resource troop_reports: title", "resource troop_reports: description",
                                     "resource troop_reports, field event_id: description",
                                     "resource troop_reports, field troops: description"]


def test_registered_table_loads_through_its_schema(data_copy):
    package_path = data_copy / "datapackage.json"
    register.register(data_copy / "troop_reports.csv", package_path=package_path)
    table = data.load_table("troop_reports", data_copy)
    assert table["troops"].iloc[0] == 2030 and table["troops"].isna().iloc[1]
    assert list(data.partial_dates(table["date"]).dt.month) == [1, 1]


def test_register_refuses_a_table_twice_and_names_outside_the_data_folder(data_copy, tmp_path):
    package_path = data_copy / "datapackage.json"
    register.register(data_copy / "troop_reports.csv", package_path=package_path)
    with pytest.raises(SystemExit, match="already describes troop_reports.csv"):
        register.register(data_copy / "troop_reports.csv", package_path=package_path)
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(NEW_TABLE, encoding="utf-8")
    with pytest.raises(SystemExit, match="put the table in"):
        register.register(outside, package_path=package_path)


def test_the_data_package_holds_no_todo():
    """What `register` leaves to write by hand is written before a table is committed."""
    package = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    left = register.todos(package)
    assert not left, "data/datapackage.json still holds TODO texts: write them:\n" + "\n".join(left)


def test_register_and_resource_sources_describe_fields_from_one_table(tmp_path):
    """`make register` and tools/resource_sources.py --fields give a field the same description:
    both read cstobook.register.FIELD_DESCRIPTIONS (a date column without one of its own gets the
    description of `date`)."""
    import sys

    sys.path.insert(0, str(paths.ROOT / "tools"))
    import resource_sources

    table = tmp_path / "troop_reports.csv"
    table.write_text(NEW_TABLE, encoding="utf-8")
    registered = register.resource_for(table)
    bare = {"name": "troop_reports", "schema": {"fields": [{"name": item["name"], "type": item["type"]}
                                                           for item in registered["schema"]["fields"]]}}
    left = resource_sources.describe_fields(bare, table)
    described = {item["name"]: item.get("description") for item in bare["schema"]["fields"]}
    for item in registered["schema"]["fields"]:
        if not item["description"].startswith(register.TODO):
            assert described[item["name"]] == item["description"], item["name"]
    assert described["event_id"] == register.FIELD_DESCRIPTIONS["event_id"]
    assert left == ["troop_reports.troops"]
    assert register.usual_description("report_date") == register.FIELD_DESCRIPTIONS["date"]
    assert register.usual_description("event_date") == register.FIELD_DESCRIPTIONS["event_date"]


def test_register_writes_the_sources_and_licence_every_resource_states(data_copy):
    """One command registers a table completely: its resource states the sources its rows name
    (in order of first use, each with its title and address) and the book's licence, so that the
    reuse rule (tests/test_reuse.py) holds once the TODO texts are written."""
    package_path = data_copy / "datapackage.json"
    resource = register.register(data_copy / "troop_reports.csv", package_path=package_path)
    notes = [source["note"] for source in resource["sources"]]
    assert notes == ["references.bib: vpk_interfax_100_flights_2022", "references.bib: panorama_armenia_100_2022"]
    assert all(source["title"] and source["path"].startswith("http") for source in resource["sources"])
    assert resource["licenses"] == [register.BOOK_LICENCE]
    number = register.field("share", "number")
    assert number["unit"].startswith(register.TODO)
    assert register.todos({"resources": [{"name": "t", "schema": {"fields": [number]}}]}) == [
        "resource t, field share: description", "resource t, field share: unit"]


def test_every_researched_table_states_the_sources_its_rows_cite():
    """The data package states, for each researched table, every bibliography entry its rows cite
    and no other, titled as the bibliography titles it: the data appendix cites these, so a row
    added with a new source, or an entry merged into another, must show there (make
    register-sources restates them)."""
    package = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    assert sum(map(register.researched, package["resources"])) >= 20
    stale = register.stale_sources(package)
    assert stale == {}, f"run make register-sources: these tables state other sources than their rows cite: {sorted(stale)}"


def test_register_sources_restates_a_table_whose_rows_cite_a_new_source(data_copy):
    """A row citing a source its table does not state yet, and a stated source no row cites any
    more (an entry merged into another): the command states what the rows cite, in order of first
    use, and changes no other table."""
    package_path = data_copy / "datapackage.json"
    register.register(data_copy / "troop_reports.csv", package_path=package_path)
    before = json.loads(package_path.read_text(encoding="utf-8"))
    table = data_copy / "troop_reports.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(";panorama_armenia_100_2022", ";tass_zas_2022"),
                     encoding="utf-8")
    assert register.stale_sources(before, data_copy) != {}
    assert register.update_sources(package_path) == ["troop_reports"]
    after = json.loads(package_path.read_text(encoding="utf-8"))
    assert after["resources"][:-1] == before["resources"][:-1]
    assert [register.source_key(source) for source in after["resources"][-1]["sources"]] == [
        "vpk_interfax_100_flights_2022", "tass_zas_2022"]
    assert register.update_sources(package_path) == []
