"""Interactive maps (folium) and their static twins (geopandas + matplotlib).

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
import numpy as np
import geopandas as gpd
from branca.element import MacroElement, Template

from cstobook import geometry, i18n, notebook, style

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

Popup = Sequence[tuple[str, str]]  # rows of (label, value) shown in a country's popup

# folium writes layer names and GeoJSON properties as JSON: Arabic as itself, not as \\uXXXX escapes
# (six bytes a letter, on every map page of the Arabic edition). Still HTML-safe (<, >, &, ').
folium.GeoJson._template.environment.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}


# --- Editions ------------------------------------------------------------------------------------
# A map is drawn once per edition of the book (`editions`): every word it shows (legend, layer
# names, popups, tooltips, its title) passes through `say`, which gives it in the edition's
# language from the catalogues (a cell of data/ as the data catalogue translates it, else the
# figures catalogue) and records the English, so that `make catalogues` lists it (figures/NAME.words.json).

_EDITION = {"language": "en", "words": None}


class Said(str):
    """A text already in the language of the edition being drawn: `say` passes it through."""


def language() -> str:
    """The language of the edition whose map is being drawn ('en' outside `editions`)."""
    return _EDITION["language"]


def say(text, **values) -> Said:
    """`text` in the edition's language; `values` (already said, or numbers) fill its {fields}.
    A text that is already `Said` comes back as it is."""
    if isinstance(text, Said):
        return text
    text = str(text)
    if _EDITION["words"] is not None:
        _EDITION["words"].append(text)
    own = text
    if language() != "en":
        for domain in ("data", "figures"):
            if i18n.is_translated(text, language(), domain):
                own = i18n.translate(text, language(), domain)
                break
    return Said(own.format(**values) if values else own)


def plain(text) -> Said:
    """A text with no word to translate (numbers, punctuation, parts already said)."""
    return Said(text)


def sourced(text, source_id) -> Said:
    """A sourced statement for a popup: 'text [Author Year]'."""
    return Said(f"{say(text)} [{sources(source_id)}]")


def dated(iso, text, source_id) -> Said:
    """A dated, sourced statement for a popup: 'date: text [Author Year]'."""
    return Said(f"{when(iso)}: {sourced(text, source_id)}")


def quantity(value, unit: str) -> Said:
    """A value of an indicator as `formatting.format_value` writes it, in the edition's words."""
    from cstobook import formatting

    english = formatting.format_value(value, unit)
    found = re.fullmatch(r"(?P<currency>US\$ )?(?P<number>[\d.,]+)(?: (?P<scale>trillion|billion|million))?"
                         r"(?P<share>% of GDP)?", english)
    if found is None:
        return say(english)
    template = (("US$ " if found["currency"] else "") + "{number}" + (f" {found['scale']}" if found["scale"] else "")
                + (found["share"] or ""))
    return Said(english) if template == "{number}" else say(template, number=found["number"])


class Editions:
    """The maps of one figure, one per edition: each edition's build keeps its own
    (cstobook.i18n.bilingual)."""

    def __init__(self, drawn: Mapping[str, folium.Map]):
        self.drawn = dict(drawn)

    def _repr_html_(self) -> str:
        english = self.drawn["en"]._repr_html_()
        return i18n.bilingual(english, {language: fmap._repr_html_() for language, fmap in self.drawn.items()
                                        if language != "en"})


def words_path(name: str):
    from cstobook import paths

    return paths.FIGURES / f"{name}{i18n.MAP_WORDS_SUFFIX}"


def editions(name: str, draw):
    """The map `draw()` draws, once per edition of the book (in the book's build; outside it, in
    English only); `name` (the map's glue name) names the record of its words, figures/NAME.words.json."""
    drawn, words = {}, []
    languages = ("en", *i18n.LANGUAGES) if notebook.in_book_build() else ("en",)
    for edition in languages:
        _EDITION.update(language=edition, words=words if edition == "en" else None)
        try:
            drawn[edition] = draw()
        finally:
            _EDITION.update(language="en", words=None)
    path = words_path(name)
    text = json.dumps(sorted(set(words)), ensure_ascii=False, indent=0) + "\n"
    path.parent.mkdir(exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return Editions(drawn) if len(drawn) > 1 else drawn["en"]


# A run kept in its own script inside a map's text (a source's 'Author Year'): marked, as it is
# composed, with Unicode's isolate controls (FSI ... PDI), which a right-to-left map shows as
# <bdi>, so that it keeps its order where the line wraps. Only such runs are isolated: an English
# word left untranslated stays in the text, where the Arabic edition's tests see it.
ISOLATE, END_ISOLATE = "\u2068", "\u2069"


def sources(source_id) -> Said:
    """A row's sources as readers see them ('Author Year; Author Year'), isolated."""
    from cstobook import tables

    return Said(f"{ISOLATE}{tables.author_years(source_id)}{END_ISOLATE}")


def shown(text) -> str:
    """`text` said in the edition's language and escaped for the map's HTML, its isolated runs
    set in <bdi> in a right-to-left edition (and unmarked in the others)."""
    escaped = escape(say(text))
    if i18n.direction(language()) == "rtl":
        return escaped.replace(ISOLATE, "<bdi>").replace(END_ISOLATE, "</bdi>")
    return escaped.replace(ISOLATE, "").replace(END_ISOLATE, "")


def escape(text) -> str:
    """Text for the map's HTML. folium puts popup and tooltip HTML inside JavaScript template
    literals (`...`), where a backtick, `${` or a backslash in data would run as code: on top of
    HTML escaping, those characters become entities, which read the same."""
    return html.escape(str(text)).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


# An ISO date left as the data write it ('2022-09', '2022-09-21'): popups spell dates (`when`).
_ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}(?:-\d{2})?(?![\d-])")


def when(iso) -> Said:
    """A date of the data spelled as far as it is known, for popups, in the edition's language:
    '2022-09-21' -> '21 September 2022', '2022-09' -> 'September 2022' (never the 1st of a month it
    does not know), '2022'."""
    if hasattr(iso, "day"):  # a full date, typed as one by its table's schema
        return Said(i18n.spelled_date(iso, language()) if language() != "en" else f"{iso.day} {iso:%B %Y}")
    return Said(i18n.spelled_partial_date(str(iso), language()))


def popup_problems(texts) -> list[str]:
    """What a popup must not show: an ISO date as the data write it, or a bibliography key where
    readers should see the source as 'Author Year' (`tables.author_years`)."""
    from cstobook import data

    keys = set(data.bibliography_entries())
    problems = []
    for text in map(str, texts):
        problems += [f"ISO date {found!r} in {text!r} (spell it with maps.when)" for found in _ISO_DATE.findall(text)]
        problems += [f"bibliography key {word!r} in {text!r} (show tables.author_years)"
                     for word in re.findall(r"[A-Za-z0-9_]+", text) if "_" in word and word in keys]
    return problems


def popup_html(title: str, rows: Popup) -> str:
    """A popup's HTML: the title and rows of (label, value), escaped. Raises ValueError if a
    text holds a raw ISO date or bibliography key (`popup_problems`), so the build names it."""
    problems = popup_problems([title, *(text for row in rows for text in row)])
    if problems:
        raise ValueError("a map popup shows what readers should not see: " + "; ".join(problems))
    body = "".join(f"<tr><th scope='row'>{shown(label)}</th><td>{shown(value)}</td></tr>"
                   for label, value in rows)
    return (f"<div class='cstobook-popup'><strong>{shown(title)}</strong>"
            f"<table>{body}</table></div>")


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


def _in_view(frame: gpd.GeoDataFrame, bounds: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Only what a static map shows: outlines cut at its frame (plus a margin), so that the SVG
    does not carry every coast of the region."""
    lon0, lat0, lon1, lat1 = bounds
    clipped = frame.assign(geometry=frame.geometry.clip_by_rect(lon0 - 2, lat0 - 2, lon1 + 2, lat1 + 2))
    return clipped[~clipped.geometry.is_empty]


def _plot(frame: gpd.GeoDataFrame, ax, **style_options) -> None:
    """Draw a layer unless the map's frame leaves nothing of it (geopandas warns on empty layers)."""
    if len(frame):
        frame.plot(ax=ax, **style_options)


def static_map(region: gpd.GeoDataFrame, categories: Mapping[str, str],
               bounds: tuple[float, float, float, float], legend: Sequence[tuple[str, str, bool]], title: str,
               points=None, point_colour: str = style.INK, point_labels: str | None = None,
               extra_layers: Sequence[tuple[gpd.GeoDataFrame, str]] = (),
               routes: Sequence[tuple[str, Sequence[tuple[float, float]]]] = (), route_colour: str = style.INK):
    """The same map as a matplotlib figure, for print, slides and citation. `points` (lat, lon)
    are drawn as dots, labelled from the column `point_labels`; `extra_layers` are (frame, colour)
    outlines drawn on top."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(9, 5.6))
    ax.set_facecolor(style.SEA_COLOUR)
    region = _in_view(region, bounds)
    land = region[region["layer"] == "country"]
    land.plot(ax=ax, color=style.CATEGORY_COLOURS["Other"], edgecolor=style.BORDER_COLOUR, linewidth=0.4)
    for category in dict.fromkeys(categories.values()):
        codes = [code for code, cat in categories.items() if cat == category]
        _plot(land[land["iso3"].isin(codes)], ax, color=style.CATEGORY_COLOURS[category.split(" ")[0]],
              edgecolor=style.BORDER_COLOUR, linewidth=0.5)
    _plot(region[region["layer"] == "occupied"], ax, facecolor=style.CATEGORY_COLOURS["Occupied"],
          edgecolor=style.INK, linewidth=0.6, hatch="////", alpha=0.8)
    for frame, colour in extra_layers:
        _plot(_in_view(frame, bounds), ax, facecolor="none", edgecolor=colour, linewidth=1.4)
    for _, waypoints in routes:
        lats, lons = zip(*waypoints)
        ax.plot(lons, lats, color=route_colour, linewidth=2, linestyle="--")
    if points is not None:
        ax.scatter(points["lon"], points["lat"], s=28, color=point_colour, edgecolor="white", zorder=3)
        for _, point in points.iterrows() if point_labels else []:
            ax.annotate(point[point_labels], (point["lon"], point["lat"]), xytext=(4, 3),
                        textcoords="offset points", fontsize=7)
    lon0, lat0, lon1, lat1 = bounds
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1 / np.cos(np.radians((lat0 + lat1) / 2)))  # equal distances at the map's centre
    ax.set_axis_off()
    ax.set(xlabel="", ylabel="")  # geopandas names the axes after the CRS; hidden, they are no words of the map
    ax.set_title(title)
    handles = [Patch(facecolor=colour, edgecolor="#333", linestyle="--" if dashed else "-",
                     hatch="////" if dashed else None, label=label) for label, colour, dashed in legend]
    ax.legend(handles=handles, loc="lower left", frameon=True, fontsize=8)
    return fig


def static_snapshots(region: gpd.GeoDataFrame, snapshots: Sequence[tuple[str, Mapping[str, str]]],
                     bounds: tuple[float, float, float, float], legend: Mapping[str, str], title: str,
                     callout_colour: str | None = None):
    """The slider map as small multiples: one panel per snapshot, for print. States drawn in
    `callout_colour` are also named in a callout, so that a small state in that colour is seen."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    columns = 4
    rows = -(-len(snapshots) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(12, 2.6 * rows))
    land = _in_view(region[region["layer"] == "country"], bounds)
    lon0, lat0, lon1, lat1 = bounds
    for ax, (label, colours) in zip(axes.flat, snapshots):
        ax.set_facecolor(style.SEA_COLOUR)
        # Twelve panels of outlines make a heavy SVG: the land is embedded as an image there.
        land.plot(ax=ax, color=[colours.get(c, style.CATEGORY_COLOURS["Other"]) for c in land["iso3"]],
                  edgecolor=style.BORDER_COLOUR, linewidth=0.2, rasterized=True)
        for _, state in land[land["iso3"].map(colours.get) == callout_colour].iterrows():
            point = state.geometry.representative_point()
            ax.annotate(state["name"], (point.x, point.y), xytext=(point.x - 14, point.y - 9), fontsize=8,
                        arrowprops={"arrowstyle": "-", "color": style.INK, "linewidth": 0.8},
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": callout_colour, "edgecolor": style.INK,
                              "linewidth": 0.6})
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)
        ax.set_aspect(1 / np.cos(np.radians((lat0 + lat1) / 2)))
        ax.set_axis_off()  # geopandas would label every panel's axes with the CRS's coordinates
        ax.set(xlabel="", ylabel="")
        ax.add_patch(plt.Rectangle((lon0, lat0), lon1 - lon0, lat1 - lat0, facecolor=style.SEA_COLOUR,
                                   edgecolor="#999999", linewidth=0.6, zorder=-1))
        ax.set_title(label, fontsize=9, loc="center")
    for ax in list(axes.flat)[len(snapshots):]:
        ax.set_axis_off()
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout(rect=(0, 0, 1, 0.87))
    # the legend under the title (at the foot, the source line written under the figure overlapped
    # it), in a strip of its own as wide as the figure, so that a twin in another language lays it
    # out again for its words, centred as here
    strip = fig.add_axes((0, 0.87, 1, 0.05))
    strip.set_axis_off()
    strip.legend(handles=[Patch(facecolor=colour, label=name) for name, colour in legend.items()],
                 loc="center", ncols=len(legend), frameon=False)
    return fig
