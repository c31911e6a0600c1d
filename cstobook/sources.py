"""The raw sources of the data step, fetched, verified and cached (pooch).

Each file the data step reads is named here with its sha256, as laid out in the project's folder
of raw sources, and with its original public location (repository, commit, path; see that
folder's PROVENANCE.md). `fetch_all()` puts every file into one cache folder laid out like that
folder and returns it; a file is taken, in this order of preference, from

1. the mirror named by the environment variable CSTOBOOK_SOURCES_URL (an HTTP base URL under
   which the files sit at the same relative paths), for offline machines and the tests;
2. the local copy, ../shared/sources beside the project (or $CSTOBOOK_SOURCES), where present;
3. its original location, repeating the processing the provenance describes where the upstream
   file is an archive (Natural Earth's 7z) or needed a fix (a header).

Every file is checked against its sha256 whatever its origin: a mismatch stops the step with a
message naming the file, before anything is written to data/.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cstobook import paths

GITHUB_RAW = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"


@dataclass(frozen=True)
class RawSource:
    path: str  # relative to the folder of raw sources
    sha256: str
    repository: str  # upstream GitHub repository
    commit: str
    upstream_path: str
    processing: str = "copy"  # copy | 7z | 7z+europe_subset | header | none (see `process`)

    @property
    def upstream_url(self) -> str:
        return GITHUB_RAW.format(repository=self.repository, commit=self.commit, path=self.upstream_path)


NATURAL_EARTH = ("martynafford/natural-earth-geojson", "90266457d82d3717e47313e72a921e31a087d2c4")
RAW_SOURCES = (
    RawSource("natural_earth/ne_50m_admin_0_countries.geojson",
              "27cd8c4db795ace2bac42ec606376f13c9b08e38aff1b8e7af3582ea98d23aa8",
              *NATURAL_EARTH, "50m/cultural/ne_50m_admin_0_countries.7z", "7z"),
    RawSource("natural_earth/ne_10m_admin_0_disputed_areas.geojson",
              "462d995d96b4b20901224b877cdb44266521d4b93a7c9259619c557e04a0d7f9",
              *NATURAL_EARTH, "10m/cultural/ne_10m_admin_0_disputed_areas.json"),
    RawSource("natural_earth/ne_10m_populated_places_simple_europe_caucasus_centralasia.geojson",
              "fc002d14c524652d2852432aceed7955368380efea2ad7e1cea057af98d36341",
              *NATURAL_EARTH, "10m/cultural/ne_10m_populated_places_simple.7z", "7z+europe_subset"),
    RawSource("ukraine_admin1/geoBoundaries-UKR-ADM1_simplified.geojson",
              "4a5947e7497574d51f93255dfa7e03dce0c7acf6ecee52d25773a5205854a399",
              "zzmy78/maps", "c88664dc8d66f93a7d56c147083a51ff16bae294",
              "geoBoundaries-UKR-ADM1_simplified.geojson"),
    RawSource("world_bank_wdi/wdi_SP.POP.TOTL_population_datahub.csv",
              "7d2dd6a17f5ed7916de1f89a9c116791e64d207f2e2f6ce47c57e1ab46f0088a",
              "datasets/population", "425fc447a53a26c767a15a7de60c4cc2478a0595", "data/population.csv"),
    RawSource("world_bank_wdi/wdi_NY.GDP.MKTP.CD_gdp_current_usd_datahub.csv",
              "f0a8408195646dbb1a9d7fc4424e2d302ee5380d0ec8834793f12ca25cbd7e2c",
              "datasets/gdp", "1cdcd2eb2364edd9da24bcbe134c1a9e0fb4c693", "data/gdp.csv"),
    RawSource("world_bank_wdi/wdi_MS.MIL.TOTL.P1_armed_forces_personnel_via_owid2020.csv",
              "a6c5e646a554f593d57747903e4371c9f1c62386a01c954ce6f3d15911bd5466",
              "PilliSiddharth/My_repository", "a338390a9184c77cbd5a6ab0fecfc856844650f8",
              "armed-forces-personnel.csv", "header"),
    # Written from upstream files by processing the provenance describes but no code here repeats
    # (SIPRI's workbook read with its font colours; the UN votes joined from three sources):
    # these come from the mirror or the local copy only.
    RawSource("sipri/sipri_milex_2024release_countries_long_1988_2023.csv",
              "75d08cb1771036a3fe94606d86f9176e7224148142646313386a7265678cac4c",
              "ryanozy/csc3107-infovis", "881c0f311825d5cc505a15ec81e5c91dd420d7f9",
              "SIPRI-Milex-data-1949-2023.xlsx", "none"),
    RawSource("un_votes/unga_ukraine_related_votes_long.csv",
              "8e646bcd9743ecf8b6107c5a15d39ae61d7ff69211cb2fc66104479c31367fe5",
              "UNxml/GAresolutions", "a96b092308427ec6a5ddc1755bfb9833dcc24554",
              "data_extract/ES-11.json", "none"),
)

ARMED_FORCES_HEADER = "Entity,Code,Year,armed_forces_personnel_total"
# The 10m places kept: countries of Europe (CONTINENT of the 50m admin-0 file), plus these.
EUROPE_SUBSET_EXTRA = ("RUS", "ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "UZB", "TKM", "TUR")


class SourceError(RuntimeError):
    """A raw source could not be had or failed its checksum; the message names the file."""


def _pooch():
    try:
        import pooch
    except ImportError as error:
        raise SourceError("The data step needs pooch and py7zr: pip install 'cstobook[data]'") from error
    return pooch


def _verified_copy(source: RawSource, origin: Path, cache: Path) -> Path:
    pooch = _pooch()
    got = pooch.file_hash(str(origin), alg="sha256")
    if got != source.sha256:
        raise SourceError(f"{source.path}: sha256 {got} of {origin} is not the expected {source.sha256}")
    target = cache / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or pooch.file_hash(str(target), alg="sha256") != source.sha256:
        shutil.copyfile(origin, target)
    return target


def _from_mirror(source: RawSource, base_url: str, cache: Path) -> Path:
    pooch = _pooch()
    try:
        return Path(pooch.retrieve(f"{base_url.rstrip('/')}/{source.path}", known_hash=f"sha256:{source.sha256}",
                                   fname=Path(source.path).name, path=cache / Path(source.path).parent,
                                   progressbar=False))
    except ValueError as error:  # pooch: the hash does not match (the download is deleted)
        raise SourceError(f"{source.path}: failed its checksum ({error})") from None
    except Exception as error:  # noqa: BLE001 - any failure to fetch names the file and the URL
        raise SourceError(f"{source.path}: could not be fetched from {base_url} ({error})") from None


def _europe_subset(places: dict, countries_file: Path) -> dict:
    countries = json.loads(countries_file.read_text(encoding="utf-8"))["features"]
    keep = {f["properties"]["ADM0_A3"] for f in countries if f["properties"]["CONTINENT"] == "Europe"}
    keep |= set(EUROPE_SUBSET_EXTRA)
    places["features"] = [f for f in places["features"]
                          if f["properties"]["adm0_a3"] in keep or f["properties"]["sov_a3"] in keep]
    return places


def process(source: RawSource, download: Path, cache: Path) -> Path:
    """The provenance's processing of one upstream file, written to the cache at source.path."""
    target = cache / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.processing == "copy":
        shutil.copyfile(download, target)
    elif source.processing == "header":
        lines = download.read_text(encoding="utf-8").splitlines()
        target.write_text("\n".join([ARMED_FORCES_HEADER, *lines[1:]]) + "\n", encoding="utf-8")
    elif source.processing.startswith("7z"):
        import py7zr

        with tempfile.TemporaryDirectory() as folder, py7zr.SevenZipFile(download) as archive:
            member = next(n for n in archive.getnames() if n.endswith(".json"))
            archive.extract(path=folder, targets=[member])
            extracted = Path(folder) / member
            if source.processing == "7z":
                shutil.copyfile(extracted, target)
            else:
                places = _europe_subset(json.loads(extracted.read_text(encoding="utf-8")),
                                        cache / RAW_SOURCES[0].path)
                target.write_text(json.dumps(places, ensure_ascii=False), encoding="utf-8")
    else:
        raise SourceError(f"{source.path}: no code repeats its processing from {source.upstream_url}; "
                          f"set {paths.SOURCES_URL_VARIABLE} to a mirror of the raw sources, or put them "
                          f"at {paths.SOURCES}")
    return target


def _from_upstream(source: RawSource, cache: Path) -> Path:
    pooch = _pooch()
    if source.processing == "none":
        return process(source, Path(), cache)
    try:
        download = Path(pooch.retrieve(source.upstream_url, known_hash=None, path=cache / "upstream",
                                       fname=f"{source.commit[:12]}-{Path(source.upstream_path).name}",
                                       progressbar=False))
    except Exception as error:  # noqa: BLE001
        raise SourceError(f"{source.path}: could not be fetched from {source.upstream_url} ({error}); "
                          f"set {paths.SOURCES_URL_VARIABLE} to a mirror of the raw sources") from None
    target = process(source, download, cache)
    return _verified_copy(source, target, cache)


def fetch(path: str, cache: Path | None = None) -> Path:
    """One raw source (its path in the folder of raw sources), verified, in the cache."""
    cache = cache or paths.SOURCES_CACHE
    source = next((s for s in RAW_SOURCES if s.path == path), None)
    if source is None:
        raise SourceError(f"{path}: not a raw source of cstobook.sources.RAW_SOURCES")
    mirror = os.environ.get(paths.SOURCES_URL_VARIABLE)
    local = paths.SOURCES / source.path
    if mirror:
        return _from_mirror(source, mirror, cache)
    if local.is_file():
        return _verified_copy(source, local, cache)
    if source.processing == "7z+europe_subset":
        fetch(RAW_SOURCES[0].path, cache)  # the subset is by the continents of the admin-0 file
    return _from_upstream(source, cache)


def fetch_all(cache: Path | None = None) -> Path:
    """Every raw source in `cache` (default paths.SOURCES_CACHE), verified; the folder returned."""
    cache = cache or paths.SOURCES_CACHE
    for source in RAW_SOURCES:
        fetch(source.path, cache)
    return cache
