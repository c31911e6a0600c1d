"""Interactive maps (folium) and their static twins (geopandas + matplotlib): the front that
chapters import (`from cstobook import maps`). The words of a map in each edition and its popups'
texts are in map_words, the static twins in map_static; both are re-exported here.

Maps draw without tiles: grey land on a pale sea, so they read offline and on intranets, and
Leaflet and jQuery come from the book's own _static/lib rather than from CDNs. Every text that
reaches a popup or legend is HTML-escaped here, so a value in data/ can never inject markup.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
from branca.element import MacroElement, Template

from cstobook import geometry, i18n, notebook, style
from cstobook.map_words import (END_ISOLATE as END_ISOLATE, ISOLATE as ISOLATE, Editions as Editions, Popup as Popup,
                               Said as Said, dated as dated, editions as editions, escape as escape,
                               language as language, plain as plain, popup_html as popup_html,
                               popup_problems as popup_problems, quantity as quantity, say as say, shown as shown,
                               sourced as sourced, sources as sources, when as when, words_path as words_path)
from cstobook.map_static import static_map as static_map, static_snapshots as static_snapshots

# Chapters are built into chapters/*.html; a map's srcdoc iframe resolves relative URLs against
# its parent page, so the assets are one folder up.
STATIC_PREFIX = "../_static/lib"
LOCAL_JS = [("leaflet", f"{STATIC_PREFIX}/leaflet/leaflet.js"),
            ("jquery", f"{STATIC_PREFIX}/jquery/jquery.min.js"),
            ("topojson", f"{STATIC_PREFIX}/topojson/topojson-client.min.js"),
            # the outlines every map shares, fetched once and cached (see cstobook/geometry.py)
            ("cstobook_region", f"{STATIC_PREFIX}/{geometry.SCRIPT}")]
LOCAL_CSS = [("leaflet_css", f"{STATIC_PREFIX}/leaflet/leaflet.css")]

MAP_HEIGHT = "560px"  # of the iframe a map is shown in: tall enough for legend and controls

# folium writes layer names and GeoJSON properties as JSON: Arabic as itself, not as \\uXXXX escapes
# (six bytes a letter, on every map page of the Arabic edition). Still HTML-safe (<, >, &, ').
folium.GeoJson._template.environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}


def _geojson(frame: gpd.GeoDataFrame) -> dict:
    """`frame` as GeoJSON for folium, less the outlines of region.geojson: the map carries their
    keys in the shared geometry file instead, which puts them back in the browser. Outside the
    book's build (Jupyter, Binder, Colab) there is no shared file: the outlines stay inline."""
    collection = json.loads(frame.to_json(drop_id=True))
    if not notebook.in_book_build():
        return collection
    shared = geometry.shared_keys()
    for feature, outline in zip(collection["features"], frame.geometry):
        key = geometry.outline_key(outline)
        if key in shared:
            feature["geometry"] = None
            feature["properties"][geometry.KEY_PROPERTY] = key
    return collection


class Legend(MacroElement):
    """A fixed legend box, which a reader can fold by its title (smaller on phones); entries are
    (label, colour, dashed), said in the edition's language and escaped. In a right-to-left
    edition it stands on the right, its swatches before the labels on the right."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <style>
          /* phones: the legend folds (tap its title) and takes less of the map */
          @media (max-width: 480px) {
            .cstobook-legend { font-size: 10px !important; padding: 4px 7px !important; max-width: 62% !important; }
            .cstobook-legend .cstobook-swatch { width: 10px !important; height: 10px !important; }
          }
          .cstobook-legend summary { cursor: pointer; font-weight: bold; }
        </style>
        <details class="cstobook-legend" aria-label="{{ this.aria_label }}" open
             style="position:absolute; bottom:12px; {{ this.side }}:12px; z-index:9999; background:#fff;
                    color:#222; padding:6px 10px; border:1px solid #999; border-radius:4px;
                    font:12px/1.35 {{ this.font }}; max-width:55%;">
          <summary>{{ this.title }}</summary>
          {% for label, colour, dashed in this.entries %}
          <div><span class="cstobook-swatch" style="display:inline-block; width:14px; height:14px; margin-{{ this.gap }}:6px;
               vertical-align:-2px; background:{{ colour }};
               border:2px {{ 'dashed' if dashed else 'solid' }} #333;"></span>{{ label }}</div>
          {% endfor %}
        </details>
        {% endmacro %}
    """)

    def __init__(self, title: str, entries: Sequence[tuple[str, str, bool]]):
        super().__init__()
        self._name = "Legend"
        self.title = shown(title)
        self.aria_label = shown("Legend")
        self.entries = [(shown(label), colour, dashed) for label, colour, dashed in entries]
        right_to_left = i18n.direction(language()) == "rtl"
        self.side = "right" if right_to_left else "left"
        self.gap = "left" if right_to_left else "right"
        self.font = FONTS.get(language(), "sans-serif")


class ScaleBar(MacroElement):
    """Leaflet's scale bar in the edition's words: in English as Leaflet draws it (kilometres and
    miles); in another edition metric only, its units said in the edition's language (Arabic:
    كم, م), so that no Latin unit stands on an Arabic map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var scale = L.control.scale({imperial: false});
          scale._updateMetric = function (maxMeters) {
            var meters = this._getRoundNum(maxMeters);
            var label = meters < 1000 ? meters + {{ this.metre|tojson }} : (meters / 1000) + {{ this.kilometre|tojson }};
            this._updateScale(this._mScale, label, meters / maxMeters);
          };
          scale.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "ScaleBar"
        self.metre = "\u00a0" + say("m")
        self.kilometre = "\u00a0" + say("km")


# The faces of a map's text, by edition: for Arabic, a Naskh or Arabic sans face where the
# reader's system has one. (Not the edition's web font: a font that a srcdoc iframe loads, even
# from the cache, keeps chromium's page from reaching network idle, which the browser tests await.)
FONTS = {"ar": "'Noto Naskh Arabic', 'Noto Sans Arabic', 'DejaVu Sans', sans-serif"}  # single quotes: style attributes


class BookMap(folium.Map):
    """A folium map shown in an iframe whose title names it (its accessible name; without one,
    axe-core reports frame-title, serious). `finish` sets the title from the legend's. Its
    document says its language and direction (`language`, the edition's it was drawn for)."""

    title = "Interactive map"
    language = "en"

    def _repr_html_(self, **kwargs) -> str:
        markup = super()._repr_html_(**kwargs)
        # branca writes the boolean attributes in quotes, which makes them invalid attribute names
        markup = markup.replace('"allowfullscreen" "webkitallowfullscreen" "mozallowfullscreen"', "allowfullscreen")
        # the templates' indentation is a tenth of a map's markup, on every page that has one
        markup = re.sub(r"\n[ \t]+", "\n", markup)
        if self.language != "en":  # the map's document (escaped in srcdoc) in its language and direction
            markup = markup.replace("&lt;html&gt;", f"&lt;html lang=&quot;{self.language}&quot; "
                                                    f"dir=&quot;{i18n.direction(self.language)}&quot;&gt;", 1)
        return markup.replace("<iframe ", f'<iframe title="{html.escape(self.title)}" ', 1)


def base_map(region: gpd.GeoDataFrame, bounds: tuple[float, float, float, float],
             highlighted: Sequence[str] = ()) -> folium.Map:
    """A tile-less map over `bounds` (lon_min, lat_min, lon_max, lat_max) with the countries as grey
    land, except those in `highlighted`, which category layers draw (each outline is sent once)."""
    fmap = BookMap(tiles=None, control_scale=language() == "en", zoom_snap=0.25)
    fmap.language = language()
    scale = ScaleBar()  # its units said in every edition, so that the English records them for the catalogue
    if language() != "en":
        scale.add_to(fmap)
    fmap.get_root().height = MAP_HEIGHT
    if notebook.in_book_build():
        fmap.default_js = LOCAL_JS
        fmap.default_css = LOCAL_CSS
    # else folium's own (a CDN): a notebook's page has no ../_static, and Colab no local files
    fmap.get_root().header.add_child(folium.Element(
        # .leaflet-container (leaflet.css, loaded after this) paints #ddd: outrank it
        f"<style>.folium-map.leaflet-container {{ background: {style.SEA_COLOUR}; }}"
        ".cstobook-popup th { text-align:start; padding-inline-end:8px; font-weight:600; }"
        + (f".folium-map.leaflet-container {{ font-family: {FONTS[language()]}; }}" if language() in FONTS else "")
        # a right-to-left map's scale bar reads right to left ("100 كم"), its text from the bar's start
        + (".leaflet-control-scale-line { direction: rtl; text-align: start; }"
           if i18n.direction(language()) == "rtl" else "")
        + "</style>"))
    land = region[(region["layer"] == "country") & ~region["iso3"].isin(highlighted)]
    folium.GeoJson(  # grey land, named nowhere: its features carry no property but their outline
        _geojson(land[["geometry"]]),
        name="Other countries",
        style_function=lambda _: {"fillColor": style.CATEGORY_COLOURS["Other"], "fillOpacity": 1,
                                  "color": style.BORDER_COLOUR, "weight": 0.8},
        control=False,
    ).add_to(fmap)
    lon0, lat0, lon1, lat1 = bounds
    fmap.fit_bounds([[lat0, lon0], [lat1, lon1]])
    return fmap


def add_category_layers(fmap: folium.Map, region: gpd.GeoDataFrame, categories: Mapping[str, str],
                        popups: Mapping[str, Popup]) -> None:
    """One toggleable layer per category; each country in it gets its own escaped popup."""
    land = region[region["layer"] == "country"].set_index("iso3")
    for category in dict.fromkeys(categories.values()):
        group = folium.FeatureGroup(name=say(category), show=True).add_to(fmap)
        colour = style.CATEGORY_COLOURS[category.split(" ")[0]]
        for iso3 in sorted(code for code, cat in categories.items() if cat == category):
            name = say(land.loc[iso3, "name"])
            layer = folium.GeoJson(
                _geojson(land.loc[[iso3], ["geometry"]].assign(name=name)),
                name=name,
                style_function=lambda _, c=colour: {"fillColor": c, "fillOpacity": 0.85,
                                                    "color": style.BORDER_COLOUR, "weight": 1},
                highlight_function=lambda _: {"weight": 3, "color": style.INK},
                tooltip=shown(name),
            )
            folium.Popup(popup_html(name, popups.get(iso3, [])), max_width=320).add_to(layer)
            layer.add_to(group)


def add_occupied_layer(fmap: folium.Map, region: gpd.GeoDataFrame, label: str) -> None:
    occupied = region[region["layer"] == "occupied"]
    group = folium.FeatureGroup(name=say(label), show=True).add_to(fmap)
    for _, area in occupied.iterrows():
        layer = folium.GeoJson(
            _geojson(occupied.loc[[area.name], ["geometry"]].assign(name=say(area["name"]))),
            name=say(area["name"]),
            style_function=lambda _: {"fillColor": style.CATEGORY_COLOURS["Occupied"], "fillOpacity": 0.6,
                                      "color": style.INK, "weight": 1.5, "dashArray": "5 4"},
            tooltip=shown(area["name"]),
        )
        folium.Popup(popup_html(area["name"], [("Status (Natural Earth, 2017)", area["status_note"])]),
                     max_width=320).add_to(layer)
        layer.add_to(group)


class TimeControl(MacroElement):
    """A slider over dated snapshots that recolours one GeoJSON layer: snapshot i gives a colour
    per iso3 (others take `default`). Labels are escaped; the control is keyboard-accessible."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var layer = {{ this.layer_name }};
          var snapshots = {{ this.snapshots_json }};
          var control = L.control({position: "topright"});
          control.onAdd = function () {
            var box = L.DomUtil.create("div", "cstobook-time-control");
            box.style.cssText = "background:#fff;color:#222;padding:6px 10px;border:1px solid #999;" +
                                "border-radius:4px;font:13px/1.4 {{ this.font }};";
            box.innerHTML = '<label for="{{ this.get_name() }}_range">{{ this.title }}: ' +
                            '<output id="{{ this.get_name() }}_out"></output></label><br>' +
                            '<input type="range" id="{{ this.get_name() }}_range" min="0" max="' +
                            (snapshots.length - 1) + '" step="1" value="{{ this.start }}" style="width:180px">';
            L.DomEvent.disableClickPropagation(box);
            L.DomEvent.disableScrollPropagation(box);
            return box;
          };
          control.addTo({{ this._parent.get_name() }});
          var range = document.getElementById("{{ this.get_name() }}_range");
          var out = document.getElementById("{{ this.get_name() }}_out");
          function show(i) {
            var snapshot = snapshots[i];
            out.textContent = snapshot.label;
            range.setAttribute("aria-valuetext", snapshot.label);
            layer.setStyle(function (feature) {
              return {fillColor: snapshot.colours[feature.properties.iso3] || "{{ this.default }}",
                      fillOpacity: 0.9, color: "#ffffff", weight: 1};
            });
          }
          range.addEventListener("input", function () { show(parseInt(range.value, 10)); });
          show({{ this.start }});
        })();
        {% endmacro %}
    """)

    def __init__(self, layer: folium.GeoJson, snapshots: Sequence[tuple[str, Mapping[str, str]]],
                 title: str, default: str, start: int):
        super().__init__()
        self._name = "TimeControl"
        self.layer_name = layer.get_name()
        self.snapshots_json = json.dumps([{"label": shown(label), "colours": dict(colours)}
                                          for label, colours in snapshots], ensure_ascii=False)
        self.title = shown(title)
        self.font = FONTS.get(language(), "sans-serif")
        self.default = default
        self.start = start


def add_time_layer(fmap: folium.Map, region: gpd.GeoDataFrame, iso3: Sequence[str], name: str,
                   snapshots: Sequence[tuple[str, Mapping[str, str]]], popups: Mapping[str, Popup],
                   title: str, start: int) -> None:
    """The countries `iso3` as one layer, coloured by the snapshot chosen on a slider."""
    land = region[(region["layer"] == "country") & region["iso3"].isin(iso3)].copy()
    # folium's GeoJson tooltips and popups insert property values as HTML: pass escaped values only.
    land["label"] = land["name"].map(shown)
    land["popup"] = [popup_html(row["name"], popups.get(row["iso3"], [])) for _, row in land.iterrows()]
    layer = folium.GeoJson(
        _geojson(land[["iso3", "label", "popup", "geometry"]]), name=say(name),
        style_function=lambda _: {"fillColor": style.CATEGORY_COLOURS["Other"], "fillOpacity": 0.9,
                                  "color": style.BORDER_COLOUR, "weight": 1},
        highlight_function=lambda _: {"weight": 3, "color": style.INK},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
    ).add_to(fmap)
    TimeControl(layer, snapshots, title, style.CATEGORY_COLOURS["Other"], start).add_to(fmap)


def add_outlines(fmap: folium.Map, areas: gpd.GeoDataFrame, label: str, colour: str) -> None:
    """Unfilled outlines (for example administrative divisions), each named in an escaped tooltip."""
    group = folium.FeatureGroup(name=say(label), show=True).add_to(fmap)
    for _, area in areas.iterrows():
        name = say(area["name"])
        folium.GeoJson(_geojson(areas.loc[[area.name], ["geometry"]]), name=name,
                       style_function=lambda _: {"fill": False, "color": colour, "weight": 2},
                       tooltip=shown(name)).add_to(group)


def add_points(fmap: folium.Map, points, label: str, colour: str, popups: Sequence[tuple[str, Popup]],
               radius: int = 7) -> None:
    """One toggleable layer of circle markers; `points` has lat and lon, `popups` one
    (title, rows) per point, in the same order. Titles and rows are escaped."""
    group = folium.FeatureGroup(name=say(label), show=True).add_to(fmap)
    for (_, point), (title, rows) in zip(points.iterrows(), popups):
        marker = folium.CircleMarker(location=[point["lat"], point["lon"]], radius=radius, color=style.INK,
                                     weight=1.5, fill=True, fill_color=colour, fill_opacity=0.9,
                                     tooltip=shown(title))
        folium.Popup(popup_html(title, rows), max_width=340).add_to(marker)
        marker.add_to(group)


def add_routes(fmap: folium.Map, routes: Sequence[tuple[str, Sequence[tuple[float, float]], Popup]],
               label: str, colour: str) -> None:
    """Schematic routes as dashed lines through (lat, lon) waypoints, each with an escaped popup."""
    group = folium.FeatureGroup(name=say(label), show=True).add_to(fmap)
    for name, waypoints, rows in routes:
        line = folium.PolyLine(waypoints, color=colour, weight=4, dash_array="8 6", opacity=0.9,
                               tooltip=shown(name))
        folium.Popup(popup_html(name, rows), max_width=340).add_to(line)
        line.add_to(group)
        folium.CircleMarker(location=waypoints[-1], radius=5, color=colour, fill=True, fill_opacity=1,
                            tooltip=shown(name)).add_to(group)


def finish(fmap: folium.Map, legend_title: str, legend: Sequence[tuple[str, str, bool]],
           layer_control: bool = True) -> folium.Map:
    Legend(legend_title, legend).add_to(fmap)
    fmap.title = say("Interactive map: {title}", title=say(legend_title))
    if layer_control:
        folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def border_point(region: gpd.GeoDataFrame, country: str, neighbour: str,
                 near: tuple[float, float]) -> tuple[float, float]:
    """The (lat, lon) of the point of the border between `country` and `neighbour` nearest the
    point `near` (lat, lon), on the map's own outlines: where a source names a border area but no
    crossing, a schematic route can start there."""
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    land = region[region["layer"] == "country"].set_index("iso3").geometry
    border = land[country].boundary.intersection(land[neighbour].buffer(0.02))
    if border.is_empty:
        raise ValueError(f"{country} and {neighbour} share no border in the map's outlines")
    point = nearest_points(border, Point(near[1], near[0]))[0]
    return (round(point.y, 2), round(point.x, 2))
