"""The data package: every table validates, and the data step re-derives data/ exactly."""
from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys

import pytest
from frictionless import Package

from cstobook import alliances, data, derive, paths

RESOURCES = [r["name"] for r in json.loads(paths.DATAPACKAGE.read_text())["resources"]]
TABLES = [name for name in RESOURCES if name != "region"]


def test_data_package_is_valid_frictionless():
    report = Package(str(paths.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


@pytest.mark.parametrize("name", TABLES)
def test_every_table_loads_through_its_schema(name):
    table = data.load_table(name)
    assert len(table) > 0
    assert table["source_id"].notna().all()


def test_every_data_file_is_described_in_the_package():
    described = {r["path"] for r in json.loads(paths.DATAPACKAGE.read_text())["resources"]}
    on_disk = {p.name for p in paths.DATA.iterdir() if p.suffix in {".csv", ".geojson", ".json"}} - {"datapackage.json"}
    problems = [f"data/{name} is not described in data/datapackage.json: register it with "
                f"`make register TABLE=data/{name}`, then write its TODO texts" for name in sorted(on_disk - described)]
    problems += [f"data/datapackage.json describes {name}, which is not in data/: add the file, or remove "
                 f"its resource" for name in sorted(described - on_disk)]
    assert not problems, "\n".join(problems)


def test_region_holds_recognised_borders_and_occupied_layer():
    region = data.load_region()
    occupied = region[region["layer"] == "occupied"]
    assert set(occupied["name"].str.split(" ").str[0]) == {"Crimea", "Parts"}
    ukraine = region[(region["layer"] == "country") & (region["iso3"] == "UKR")].geometry.iloc[0]
    russia = region[(region["layer"] == "country") & (region["iso3"] == "RUS")].geometry.iloc[0]
    crimea = occupied[occupied["name"] == "Crimea"].geometry.iloc[0]
    # Crimea belongs to Ukraine on this map, and no longer to Russia.
    assert ukraine.intersection(crimea).area > 0.9 * crimea.area
    assert russia.intersection(crimea).area < 0.01 * crimea.area
    assert (paths.DATA / "region.geojson").stat().st_size < 400 * 1024


def test_membership_on_eve_of_invasion():
    members = data.load_table("alliance_members")
    on_eve = alliances.members_on(members, alliances.EVE_OF_INVASION)
    csto = set(on_eve.loc[on_eve["organisation"] == "CSTO", "iso3"])
    nato = on_eve.loc[on_eve["organisation"] == "NATO", "iso3"]
    assert csto == {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
    assert len(nato) == 30 and not {"FIN", "SWE"} & set(nato)


@pytest.mark.skipif(not paths.sources_available(), reason="../shared/sources is not beside the project")
def test_membership_agrees_with_correlates_of_war_for_2014():
    """Cross-check the hand-entered table with COW IGO v3 (state-year, ends 2014)."""
    import pandas as pd
    cow = pd.read_csv(paths.SOURCES / "alliances/cow_igo_v3_membership_cis_csto_eaec_nato_sco.csv")
    members = data.load_table("alliance_members")
    mid_2014 = alliances.members_on(members, pd.Timestamp("2014-07-01"))
    for igo, organisation in (("csto", "CSTO"), ("nato", "NATO")):
        full = cow[(cow["igo"] == igo) & (cow["year"] == 2014) & (cow["status"] == 1)]
        assert len(full) == (mid_2014["organisation"] == organisation).sum()


@pytest.mark.skipif(not paths.sources_available(), reason="../shared/sources is not beside the project")
def test_data_step_rederives_data_byte_identically(tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    script = ("import sys; from cstobook import derive, paths; "
              f"paths.DATA = __import__('pathlib').Path({str(out)!r}); sys.exit(derive.main())")
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, env=os.environ)
    for name in derive.DERIVED_FILES:
        assert filecmp.cmp(out / name, paths.DATA / name, shallow=False), f"data/{name} is stale: run make data"
