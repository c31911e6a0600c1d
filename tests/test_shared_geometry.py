"""The map geometry every interactive map shares (cstobook/geometry.py): one quantised TopoJSON
script built from data/region.geojson, and maps that carry keys into it instead of outlines."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import box

from cstobook import geometry, maps, notebook, paths

REGION = paths.DATA / "region.geojson"


@pytest.fixture(scope="module")
def region() -> gpd.GeoDataFrame:
    return gpd.read_file(REGION)


def topology_of(script: str) -> dict:
    return json.loads(re.search(r"var topology = (\{.*?\});\n", script).group(1))


def test_the_script_holds_every_outline_of_the_region_once_by_key(region):
    topology = topology_of(geometry.script(region))
    ids = [g["id"] for g in topology["objects"]["region"]["geometries"]]
    assert sorted(ids) == sorted({geometry.outline_key(g) for g in region.geometry})
    assert set(ids) == geometry.shared_keys(REGION)
    assert all(set(g) <= {"type", "arcs", "id"} for g in topology["objects"]["region"]["geometries"]), (
        "the shared file carries outlines only: names stay in the maps, escaped")


def test_the_script_is_quantised_no_finer_than_the_data_and_written_the_same_each_time(region):
    script = geometry.script(region)
    scale = topology_of(script)["transform"]["scale"]
    assert max(scale) <= geometry.QUANTISATION_STEP_DEG + 1e-9
    assert min(scale) >= geometry.QUANTISATION_STEP_DEG / 10, "quantised far finer than the 0.01 degree data"
    assert geometry.script(region) == script


def test_a_change_to_region_geojson_reaches_the_shared_file(region, tmp_path):
    """Another outline in data/region.geojson: written into the script, and a map of it refers
    to it rather than carrying it."""
    extra = gpd.GeoDataFrame([{"iso3": "XXX", "layer": "country", "name": "Test land", "source_id": "x",
                               "status_note": ""}], geometry=[box(10, 10, 11, 11)], crs=region.crs)
    source = tmp_path / "region.geojson"
    gpd.GeoDataFrame(list(region.to_dict("records")) + list(extra.to_dict("records")),
                     crs=region.crs).to_file(source, driver="GeoJSON")
    written = geometry.write_script(tmp_path / "lib", source)
    key = geometry.outline_key(gpd.read_file(source).geometry.iloc[-1])
    assert key in {g["id"] for g in topology_of(written.read_text())["objects"]["region"]["geometries"]}
    assert key in geometry.shared_keys(source)


def small_map(region):
    fmap = maps.base_map(region, (20.0, 40.0, 50.0, 60.0), highlighted=["UKR"])
    maps.add_category_layers(fmap, region, {"UKR": "Ukraine"}, {"UKR": [("Status", "x")]})
    own = gpd.GeoDataFrame({"name": ["A drawn frame"]}, geometry=[box(30, 45, 31, 46)], crs=region.crs)
    maps.add_outlines(fmap, own, "Frames", "#000000")
    maps.finish(fmap, "Test", [("Ukraine", "#ffffff", False)])
    return fmap.get_root().render()


def test_maps_carry_keys_for_region_outlines_and_other_outlines_inline(region, monkeypatch):
    monkeypatch.setenv(notebook.BOOK_BUILD_VARIABLE, "1")  # as in the book's build
    document = small_map(region)
    assert f"../_static/lib/{geometry.SCRIPT}" in document
    keys = set(re.findall(rf'"{geometry.KEY_PROPERTY}": "([0-9a-f]+)"', document))
    assert len(keys) == (region["layer"] == "country").sum()  # every country once, as a key
    assert keys <= geometry.shared_keys(REGION)
    assert document.count('"Polygon"') == 1, "only the frame that is not in region.geojson is inline"


def test_maps_outside_the_book_carry_their_outlines(region, monkeypatch):
    """In Jupyter, Binder or Colab there is no shared file: every outline is inline."""
    monkeypatch.delenv(notebook.BOOK_BUILD_VARIABLE, raising=False)
    document = small_map(region)
    assert geometry.SCRIPT not in document
    assert geometry.KEY_PROPERTY not in document
    assert document.count('"Polygon"') + document.count('"MultiPolygon"') > 1


def test_maps_are_drawn_once_per_edition_in_the_edition_s_words(region, monkeypatch, tmp_path):
    """In the book's build a map is drawn once per edition (each edition's build keeps its own):
    the Arabic one says its language and direction, has its legend on the right and shows the
    figures catalogue's words, with its outlines still from the shared file; the English words it
    showed are recorded for the catalogue. Outside the book there is one map, in English."""
    import html

    from cstobook import i18n

    monkeypatch.setattr(paths, "FIGURES", tmp_path)
    monkeypatch.setenv(notebook.BOOK_BUILD_VARIABLE, "1")

    from cstobook import data

    key = sorted(data.bibliography_keys())[0]

    def draw():
        fmap = maps.base_map(region, (20.0, 40.0, 50.0, 60.0), highlighted=["UKR"])
        maps.add_category_layers(fmap, region, {"UKR": "Ukraine"},
                                 {"UKR": [("Status", maps.sourced("Invaded on 24 February 2022", key))]})
        return maps.finish(fmap, "Alliances over time", [("Ukraine", "#ffffff", False)])

    both = maps.editions("map_test", draw)._repr_html_()
    english, arabic = (html.unescape(i18n.one_edition(both, language)) for language in ("en", "ar"))
    assert '<html lang="ar" dir="rtl">' in arabic and "<html>" in english
    for word in ("Ukraine", "Invaded on 24 February 2022", "Alliances over time", "Legend"):
        assert word in english and word not in arabic and i18n.translate(word, "ar", "figures") in arabic, word
    assert 'title="خريطة تفاعلية: ' in arabic and "bottom:12px; right:12px" in arabic and "bottom:12px; left:12px" in english
    assert arabic.count(f'"{geometry.KEY_PROPERTY}"') == english.count(f'"{geometry.KEY_PROPERTY}"') > 0
    assert not re.search(r'"type":\s*"(Multi)?Polygon"', arabic)
    # the source of a popup's row isolated in the right-to-left map only, and no control character left
    assert "<bdi>" in arabic and "<bdi>" not in english and maps.ISOLATE not in arabic + english
    recorded = json.loads((tmp_path / f"map_test{i18n.MAP_WORDS_SUFFIX}").read_text(encoding="utf-8"))
    assert {"Ukraine", "Status", "Invaded on 24 February 2022", "Alliances over time", "Legend"} <= set(recorded)
    monkeypatch.delenv(notebook.BOOK_BUILD_VARIABLE)
    assert "<!--edition:" not in maps.editions("map_test", draw)._repr_html_()
