"""The data step: derive the project's tidy tables in data/ from the raw sources (cstobook.sources
fetches, verifies and caches them: from ../shared/sources, a mirror, or their original locations).

Run as ``python -m cstobook.derive`` (``make data``). The output is deterministic (sorted rows,
fixed number formats), so running it twice gives byte-identical files, and the committed data/
can be checked against a fresh derivation wherever the sources are present.

Only tables derived from datasets are written here. Tables of researched facts (dates, statements,
memberships) are entered by hand with a source per row and are never overwritten by this step.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from cstobook import paths, sources

# The countries whose figures the book reports: the CSTO's six, NATO's members (as of 2024),
# Ukraine and the neighbours the argument mentions. Value: the country's name in the SIPRI
# Military Expenditure Database, which has no ISO codes.
SCOPE_SIPRI_NAMES = {
    "ARM": "Armenia", "BLR": "Belarus", "KAZ": "Kazakhstan", "KGZ": "Kyrgyz Republic",
    "RUS": "Russia", "TJK": "Tajikistan",
    "ALB": "Albania", "BEL": "Belgium", "BGR": "Bulgaria", "CAN": "Canada", "HRV": "Croatia",
    "CZE": "Czechia", "DNK": "Denmark", "EST": "Estonia", "FIN": "Finland", "FRA": "France",
    "DEU": "Germany", "GRC": "Greece", "HUN": "Hungary", "ISL": "Iceland", "ITA": "Italy",
    "LVA": "Latvia", "LTU": "Lithuania", "LUX": "Luxembourg", "MNE": "Montenegro",
    "NLD": "Netherlands", "MKD": "North Macedonia", "NOR": "Norway", "POL": "Poland",
    "PRT": "Portugal", "ROU": "Romania", "SVK": "Slovakia", "SVN": "Slovenia", "ESP": "Spain",
    "SWE": "Sweden", "TUR": "Türkiye", "GBR": "United Kingdom", "USA": "United States of America",
    "UKR": "Ukraine", "AZE": "Azerbaijan", "GEO": "Georgia", "UZB": "Uzbekistan", "MDA": "Moldova",
}
SCOPE = sorted(SCOPE_SIPRI_NAMES)
FIRST_YEAR = 1992  # the first year after the USSR, and the year of the Collective Security Treaty

# Base-map extent (lon_min, lat_min, lon_max, lat_max): countries whose centre falls inside it are
# drawn as grey land, so that maps read without tiles.
BASEMAP_EXTENT = (-30.0, 25.0, 130.0, 82.0)  # to 130 E: North Korea, a party to the war from 2024
SIMPLIFY_TOLERANCE_DEG = 0.04
# North America (NATO's two members there) lies outside the maps' initial view: coarser is enough.
FAR_SIMPLIFY_TOLERANCE_DEG = 0.25
COORDINATE_GRID_DEG = 0.01
SMALLEST_ISLAND_SQ_DEG = 0.05

SIPRI_MEASURES = {
    "milex_constant_2022_usd_millions": "SIPRI.MILEX.CONST2022USD.MN",
    "milex_current_usd_millions": "SIPRI.MILEX.CURRENTUSD.MN",
    "milex_share_of_gdp": "SIPRI.MILEX.GDP.SHARE",
}
WDI_FILES = {
    "SP.POP.TOTL": ("world_bank_wdi/wdi_SP.POP.TOTL_population_datahub.csv", "wdi_population"),
    "NY.GDP.MKTP.CD": ("world_bank_wdi/wdi_NY.GDP.MKTP.CD_gdp_current_usd_datahub.csv", "wdi_gdp"),
}
INDICATORS = {  # code: (name, unit, source_id)
    "SP.POP.TOTL": ("Population, total", "persons", "wdi_population"),
    "NY.GDP.MKTP.CD": ("GDP, current US$", "US$", "wdi_gdp"),
    "MS.MIL.TOTL.P1": ("Armed forces personnel, total", "persons", "wdi_armed_forces_owid"),
    "SIPRI.MILEX.CONST2022USD.MN": ("Military expenditure, constant 2022 US$", "US$ million", "sipri_milex_2024"),
    "SIPRI.MILEX.CURRENTUSD.MN": ("Military expenditure, current US$", "US$ million", "sipri_milex_2024"),
    "SIPRI.MILEX.GDP.SHARE": ("Military expenditure, share of GDP", "fraction of GDP", "sipri_milex_2024"),
}
ARMED_FORCES_FILE = "world_bank_wdi/wdi_MS.MIL.TOTL.P1_armed_forces_personnel_via_owid2020.csv"
SIPRI_FILE = "sipri/sipri_milex_2024release_countries_long_1988_2023.csv"
NE_COUNTRIES = "natural_earth/ne_50m_admin_0_countries.geojson"
NE_DISPUTED = "natural_earth/ne_10m_admin_0_disputed_areas.geojson"


DERIVED_FILES = ("countries.csv", "indicator_catalogue.csv", "indicators.csv", "region.geojson",
                 "places.csv", "unga_votes.csv")

# Towns and cities the chapters name on maps, as Natural Earth spells them.
PLACES = ("Almaty", "Astana", "Baku", "Belgorod", "Bryansk", "Chernihiv", "Chernobyl", "Donetsk",
          "Homyel", "Kharkiv", "Kiev", "Korosten", "Kursk", "Luhansk", "Mariupol", "Mazyr", "Minsk",
          "Moscow", "Sumy", "Yerevan", "Zhytomyr")
NE_PLACES = "natural_earth/ne_10m_populated_places_simple_europe_caucasus_centralasia.geojson"
UKRAINE_ADMIN1 = "ukraine_admin1/geoBoundaries-UKR-ADM1_simplified.geojson"
EASTERN_OBLASTS = ("UA-14", "UA-09")  # Donetsk and Luhansk oblasts
UNGA_VOTES = "un_votes/unga_ukraine_related_votes_long.csv"
UNGA_RESOLUTIONS = ("A/RES/68/262", "A/RES/ES-11/1", "A/RES/ES-11/2", "A/RES/ES-11/3",
                    "A/RES/ES-11/4", "A/RES/ES-11/5", "A/RES/ES-11/6")
UNGA_SOURCES = {"DGACM_UNxml_ES-11": "un_dgacm_es11", "Voeten_2017-01-17_rcid5309": "voeten_unga_votes"}


def country_code(row: pd.Series) -> str:
    """Natural Earth marks France and Norway (among others) '-99' in ISO_A3; ADM0_A3 has them."""
    return row["ISO_A3"] if row["ISO_A3"] != "-99" else row["ADM0_A3"]


def derive_countries(ne: gpd.GeoDataFrame) -> pd.DataFrame:
    table = pd.DataFrame({
        "iso3": ne.apply(country_code, axis=1),
        "name": ne["ADMIN"],
        "continent": ne["CONTINENT"],
        "subregion": ne["SUBREGION"],
    })
    table["in_scope"] = table["iso3"].isin(SCOPE)
    table["source_id"] = "naturalearth_admin0_v4"
    return table.drop_duplicates("iso3").sort_values("iso3").reset_index(drop=True)


def derive_indicator_catalogue() -> pd.DataFrame:
    rows = [(code, name, unit, source) for code, (name, unit, source) in INDICATORS.items()]
    return pd.DataFrame(rows, columns=["indicator", "name", "unit", "source_id"]).sort_values("indicator")


def derive_indicators() -> pd.DataFrame:
    frames = []
    for code, (path, source_id) in WDI_FILES.items():
        wdi = pd.read_csv(paths.SOURCES / path)
        wdi = wdi[wdi["Country Code"].isin(SCOPE) & (wdi["Year"] >= FIRST_YEAR)]
        frames.append(pd.DataFrame({
            "iso3": wdi["Country Code"], "indicator": code, "year": wdi["Year"],
            "value": wdi["Value"], "estimate_flag": "", "source_id": source_id,
        }))

    forces = pd.read_csv(paths.SOURCES / ARMED_FORCES_FILE)
    forces = forces[forces["Code"].isin(SCOPE) & (forces["Year"] >= FIRST_YEAR)]
    frames.append(pd.DataFrame({
        "iso3": forces["Code"], "indicator": "MS.MIL.TOTL.P1", "year": forces["Year"],
        "value": forces["armed_forces_personnel_total"], "estimate_flag": "",
        "source_id": "wdi_armed_forces_owid",
    }))

    sipri = pd.read_csv(paths.SOURCES / SIPRI_FILE)
    iso3_by_name = {name: iso3 for iso3, name in SCOPE_SIPRI_NAMES.items()}
    missing = set(iso3_by_name) - set(sipri["country"])
    if missing:
        raise ValueError(f"{SIPRI_FILE}: no rows for {sorted(missing)}")
    sipri = sipri[sipri["country"].isin(iso3_by_name) & sipri["measure"].isin(SIPRI_MEASURES)]
    sipri = sipri[(sipri["year"] >= FIRST_YEAR) & sipri["value"].notna()]
    frames.append(pd.DataFrame({
        "iso3": sipri["country"].map(iso3_by_name),
        "indicator": sipri["measure"].map(SIPRI_MEASURES),
        "year": sipri["year"],
        "value": sipri["value"],
        "estimate_flag": sipri["sipri_colour_flag"].fillna("").str.split(" ").str[0],
        "source_id": "sipri_milex_2024",
    }))

    table = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    table["year"] = table["year"].astype(int)
    return table.sort_values(["indicator", "iso3", "year"]).reset_index(drop=True)


def _drop_specks(geometry):
    """Drop islands too small to see at the book's scale, but never a country's only polygon."""
    parts = list(getattr(geometry, "geoms", [geometry]))
    kept = [p for p in parts if p.area >= SMALLEST_ISLAND_SQ_DEG] or [max(parts, key=lambda p: p.area)]
    return shapely.MultiPolygon(kept) if len(kept) > 1 else kept[0]


def _simplified(countries: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify as a coverage, so that neighbours keep one shared border without gaps."""
    return countries.assign(geometry=countries.geometry.simplify_coverage(tolerance).apply(_drop_specks))


def derive_region(ne: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Countries on internationally recognised borders, plus the areas Russia occupies or controls.

    Natural Earth draws de facto control, so its Russia polygon holds Crimea. The Crimean parts are
    moved to Ukraine; Crimea and the separatist-held 'Donbass' of Natural Earth's 2017 edition are
    kept again as a separate 'occupied' layer drawn on top.
    """
    ne = ne.assign(iso3=ne.apply(country_code, axis=1))
    disputed = gpd.read_file(paths.SOURCES / NE_DISPUTED)
    crimea = disputed[disputed["BRK_NAME"] == "Crimea"].geometry.union_all()
    donbass = disputed[disputed["BRK_NAME"] == "Donbass"].geometry.union_all()

    russia = ne.loc[ne["iso3"] == "RUS", "geometry"].iloc[0]
    in_crimea = [p for p in russia.geoms if crimea.buffer(0.05).contains(p.representative_point())]
    if not in_crimea:
        raise ValueError(f"{NE_COUNTRIES}: no part of the Russia polygon lies in Crimea")
    ne.loc[ne["iso3"] == "RUS", "geometry"] = russia.difference(shapely.union_all(in_crimea))
    ukraine = ne.loc[ne["iso3"] == "UKR", "geometry"].iloc[0]
    ne.loc[ne["iso3"] == "UKR", "geometry"] = shapely.union_all([ukraine, *in_crimea])

    lon0, lat0, lon1, lat1 = BASEMAP_EXTENT
    centre = ne.geometry.representative_point()
    in_extent = centre.x.between(lon0, lon1) & centre.y.between(lat0, lat1)
    countries = pd.concat([
        _simplified(ne[in_extent], SIMPLIFY_TOLERANCE_DEG),
        _simplified(ne[~in_extent & ne["iso3"].isin(SCOPE)], FAR_SIMPLIFY_TOLERANCE_DEG),
    ])
    countries = gpd.GeoDataFrame({
        "layer": "country", "iso3": countries["iso3"], "name": countries["ADMIN"],
        "status_note": "", "source_id": "naturalearth_admin0_v4",
    }, geometry=countries.geometry, crs=ne.crs)

    occupied = gpd.GeoDataFrame({
        "layer": "occupied", "iso3": ["UKR", "UKR"],
        "name": ["Crimea", "Parts of Donetsk and Luhansk oblasts (Natural Earth 2017 line)"],
        "status_note": disputed.set_index("BRK_NAME").loc[["Crimea", "Donbass"], "NOTE_BRK"].tolist(),
        "source_id": "naturalearth_disputed_v4",
    }, geometry=[shapely.union_all(in_crimea), donbass.simplify(SIMPLIFY_TOLERANCE_DEG)], crs=ne.crs)

    region = pd.concat([countries, occupied, eastern_oblasts(ne.loc[ne["iso3"] == "UKR", "geometry"].iloc[0])],
                       ignore_index=True)
    region["geometry"] = shapely.set_precision(region.geometry.values, COORDINATE_GRID_DEG)
    # States smaller than the grid (the Vatican) vanish; they cannot be seen at this scale anyway.
    region = region[~(region.geometry.isna() | region.geometry.is_empty)]
    return region.sort_values(["layer", "iso3", "name"]).reset_index(drop=True)


def derive_places() -> pd.DataFrame:
    points = gpd.read_file(paths.SOURCES / NE_PLACES)
    points = points[points["name"].isin(PLACES)].sort_values(["name", "pop_max"], ascending=[True, False])
    points = points.drop_duplicates("name")
    missing = set(PLACES) - set(points["name"])
    if missing:
        raise ValueError(f"{NE_PLACES}: no point named {sorted(missing)}")
    return pd.DataFrame({"place": points["name"], "iso3": points["adm0_a3"],
                         "lat": points["latitude"].round(4), "lon": points["longitude"].round(4),
                         "source_id": "naturalearth_places_v4"}).reset_index(drop=True)


def derive_unga_votes() -> pd.DataFrame:
    votes = pd.read_csv(paths.SOURCES / UNGA_VOTES)
    votes = votes[votes["resolution"].isin(UNGA_RESOLUTIONS) & votes["iso3"].isin(SCOPE)]
    table = pd.DataFrame({"resolution": votes["resolution"], "date": votes["date"], "title": votes["title"],
                          "iso3": votes["iso3"], "vote": votes["vote"],
                          "source_id": votes["source"].map(UNGA_SOURCES)})
    if table["source_id"].isna().any():
        raise ValueError(f"{UNGA_VOTES}: a vote of an unexpected source")
    return table.sort_values(["date", "resolution", "iso3"]).reset_index(drop=True)


def eastern_oblasts(ukraine: shapely.Geometry) -> gpd.GeoDataFrame:
    """Donetsk and Luhansk oblasts, clipped to Ukraine's land (geoBoundaries runs into the sea)."""
    oblasts = gpd.read_file(paths.SOURCES / UKRAINE_ADMIN1)
    oblasts = oblasts[oblasts["shapeISO"].isin(EASTERN_OBLASTS)]
    return gpd.GeoDataFrame({
        "layer": "oblast", "iso3": "UKR", "name": oblasts["shapeName"], "status_note": oblasts["shapeISO"],
        "source_id": "geoboundaries_ukr_adm1"},
        geometry=oblasts.geometry.intersection(ukraine).simplify(SIMPLIFY_TOLERANCE_DEG / 4), crs=oblasts.crs)


def write_csv(table: pd.DataFrame, name: str) -> None:
    table.to_csv(paths.DATA / name, index=False, lineterminator="\n", float_format="%.10g")


def write_geojson(frame: gpd.GeoDataFrame, name: str) -> None:
    collection = json.loads(frame.to_json(drop_id=True))
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    (paths.DATA / name).write_text(text + "\n", encoding="utf-8")


def main() -> int:
    """Fetch and verify the raw sources (cstobook.sources), derive every table into a scratch
    folder, and only then replace the files in data/: a failure leaves data/ as it was."""
    try:
        paths.SOURCES = sources.fetch_all()
    except sources.SourceError as error:
        print(f"make data: {error}\ndata/ is left as it was.", file=sys.stderr)
        return 1
    target = paths.DATA
    with tempfile.TemporaryDirectory() as scratch:
        paths.DATA = Path(scratch)
        try:
            ne = gpd.read_file(paths.SOURCES / NE_COUNTRIES)
            write_csv(derive_countries(ne), "countries.csv")
            write_csv(derive_indicator_catalogue(), "indicator_catalogue.csv")
            write_csv(derive_indicators(), "indicators.csv")
            write_geojson(derive_region(ne), "region.geojson")
            write_csv(derive_places(), "places.csv")
            write_csv(derive_unga_votes(), "unga_votes.csv")
        finally:
            paths.DATA = target
        for name in DERIVED_FILES:
            shutil.copyfile(Path(scratch) / name, target / name)
    for name in DERIVED_FILES:
        print(f"data/{name}: {(target / name).stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
