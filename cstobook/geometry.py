"""The map geometry every interactive map shares: data/region.geojson as one quantised TopoJSON
topology, served as a script (`_static/lib/region/region.js`) that each map's iframe loads once
and the browser caches for every map of every page.

A map's page carries only the properties of its features (names, popups, escaped as ever) and,
for a feature whose outline is one of region.geojson's, the key of that outline in the topology
(the property `shared_geometry`); the script puts the outline in before Leaflet draws the feature.
An outline that is not in region.geojson stays inline in its map, as folium writes it.

The file arrives as a script rather than through fetch() because maps live in srcdoc iframes, and
opened from disk (file://) a srcdoc iframe may load a script but not fetch a file. It is written
at build time (_ext/book_publishing.py), so a change to region.geojson reaches every map at once.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import topojson

from cstobook import paths

SCRIPT = "region/region.js"  # under _static/lib/, beside Leaflet
KEY_PROPERTY = "shared_geometry"

# region.geojson is simplified and rounded to a 0.01 degree grid by the data step (cstobook/derive.py),
# about what the most detailed map shows (Armenia's border: 0.003 degree to a pixel; the others
# 0.01 to 0.15). The topology is quantised to that same step along its widest side (longitude, whose
# grid it then matches exactly; latitude gets a finer step): nothing is simplified here.
QUANTISATION_STEP_DEG = 0.01

SCRIPT_TEMPLATE = """\
/* The outlines of data/region.geojson (Natural Earth, geoBoundaries; see the book's data appendix)
   as one TopoJSON topology, written by cstobook/geometry.py. A map feature whose property
   "{key}" names one of them receives it here, before Leaflet draws it. */
(function () {{
  var topology = {topology};
  var outlines = null;
  function outline(key) {{
    if (outlines === null) {{
      outlines = {{}};
      topojson.feature(topology, topology.objects.region).features.forEach(function (f) {{
        outlines[f.id] = f.geometry;
      }});
    }}
    if (!(key in outlines)) console.error("region.js has no outline " + key + ": rebuild the book");
    return outlines[key];
  }}
  function resolve(feature) {{
    var key = feature && feature.type === "Feature" && !feature.geometry && feature.properties
              && feature.properties["{key}"];
    return key ? L.extend({{}}, feature, {{geometry: outline(key)}}) : feature;
  }}
  // Leaflet skips a feature without geometry before it reaches addData: resolve whole collections.
  var addData = L.GeoJSON.prototype.addData;
  L.GeoJSON.include({{
    addData: function (geojson) {{
      if (L.Util.isArray(geojson)) geojson = geojson.map(resolve);
      else if (geojson && L.Util.isArray(geojson.features))
        geojson = L.extend({{}}, geojson, {{features: geojson.features.map(resolve)}});
      else geojson = resolve(geojson);
      return addData.call(this, geojson);
    }}
  }});
}})();
"""


def outline_key(geometry) -> str:
    """The key of an outline: a digest of its coordinates, so that a key never points at another
    outline when region.geojson gains, loses or reorders features."""
    return hashlib.sha1(geometry.wkb).hexdigest()[:12]


@lru_cache(maxsize=4)
def _keys_of(path: Path, mtime: float) -> frozenset[str]:
    return frozenset(outline_key(g) for g in gpd.read_file(path).geometry)


def shared_keys(path: Path | None = None) -> frozenset[str]:
    """Keys of the outlines the shared file holds (those of region.geojson)."""
    path = Path(path or paths.DATA / "region.geojson")
    return _keys_of(path, path.stat().st_mtime)


def topology(region: gpd.GeoDataFrame) -> dict:
    """The region's outlines as one quantised topology; each geometry's id is its key."""
    outlines = gpd.GeoDataFrame({"key": [outline_key(g) for g in region.geometry]},
                                geometry=region.geometry.values, crs=region.crs)
    outlines = outlines.drop_duplicates("key").reset_index(drop=True)
    lon0, lat0, lon1, lat1 = outlines.total_bounds
    steps = int(max(lon1 - lon0, lat1 - lat0) / QUANTISATION_STEP_DEG) + 1
    result = topojson.Topology(outlines, prequantize=steps, object_name="region").to_dict()
    for geometry in result["objects"]["region"]["geometries"]:
        # the key becomes the id, and nothing else is kept: names stay in the maps, escaped
        geometry["id"] = geometry.pop("properties")["key"]
    return result


def script(region: gpd.GeoDataFrame) -> str:
    text = json.dumps(topology(region), separators=(",", ":"), sort_keys=True)
    return SCRIPT_TEMPLATE.format(topology=text, key=KEY_PROPERTY)


def write_script(static_lib: Path, source: Path | None = None) -> Path:
    """Write the shared geometry script under `static_lib` (the built book's _static/lib)."""
    source = Path(source or paths.DATA / "region.geojson")
    target = Path(static_lib) / SCRIPT
    target.parent.mkdir(parents=True, exist_ok=True)
    text = script(gpd.read_file(source))
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target
