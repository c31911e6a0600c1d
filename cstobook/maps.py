"""Interactive maps (folium) and their static twins (geopandas + matplotlib).

Maps draw without tiles: grey land on a pale sea, so they read offline and on intranets, and
Leaflet and jQuery come from the book's own _static/lib rather than from CDNs. Every text that
reaches a popup or legend is HTML-escaped here, so a value in data/ can never inject markup.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
from branca.element import MacroElement, Template

from cstobook import style

# Chapters are built into chapters/*.html; a map's srcdoc iframe resolves relative URLs against
# its parent page, so the assets are one folder up.
STATIC_PREFIX = "../_static/lib"
LOCAL_JS = [("leaflet", f"{STATIC_PREFIX}/leaflet/leaflet.js"),
            ("jquery", f"{STATIC_PREFIX}/jquery/jquery.min.js")]
LOCAL_CSS = [("leaflet_css", f"{STATIC_PREFIX}/leaflet/leaflet.css")]

Popup = Sequence[tuple[str, str]]  # rows of (label, value) shown in a country's popup


def popup_html(title: str, rows: Popup) -> str:
    body = "".join(f"<tr><th scope='row'>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
                   for label, value in rows)
    return (f"<div class='cstobook-popup'><strong>{html.escape(title)}</strong>"
            f"<table>{body}</table></div>")


class Legend(MacroElement):
    """A fixed legend box; entries are (label, colour, dashed) and are escaped."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div class="cstobook-legend" role="region" aria-label="Legend"
             style="position:absolute; bottom:12px; left:12px; z-index:9999; background:#fff;
                    color:#222; padding:6px 10px; border:1px solid #999; border-radius:4px;
                    font:13px/1.4 sans-serif; max-width:60%;">
          <strong>{{ this.title }}</strong>
          {% for label, colour, dashed in this.entries %}
          <div><span style="display:inline-block; width:14px; height:14px; margin-right:6px;
               vertical-align:-2px; background:{{ colour }};
               border:2px {{ 'dashed' if dashed else 'solid' }} #333;"></span>{{ label }}</div>
          {% endfor %}
        </div>
        {% endmacro %}
    """)

    def __init__(self, title: str, entries: Sequence[tuple[str, str, bool]]):
        super().__init__()
        self._name = "Legend"
        self.title = html.escape(title)
        self.entries = [(html.escape(label), colour, dashed) for label, colour, dashed in entries]


def base_map(region: gpd.GeoDataFrame, bounds: tuple[float, float, float, float],
             highlighted: Sequence[str] = ()) -> folium.Map:
    """A tile-less map over `bounds` (lon_min, lat_min, lon_max, lat_max) with the countries as grey
    land, except those in `highlighted`, which category layers draw (each outline is sent once)."""
    fmap = folium.Map(tiles=None, control_scale=True, zoom_snap=0.25)
    fmap.default_js = LOCAL_JS
    fmap.default_css = LOCAL_CSS
    fmap.get_root().header.add_child(folium.Element(
        f"<style>.folium-map {{ background: {style.SEA_COLOUR}; }}"
        ".cstobook-popup th { text-align:left; padding-right:8px; font-weight:600; }</style>"))
    land = region[(region["layer"] == "country") & ~region["iso3"].isin(highlighted)]
    folium.GeoJson(
        land[["name", "geometry"]].to_json(drop_id=True),
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
        group = folium.FeatureGroup(name=category, show=True).add_to(fmap)
        colour = style.CATEGORY_COLOURS[category.split(" ")[0]]
        for iso3 in sorted(code for code, cat in categories.items() if cat == category):
            name = land.loc[iso3, "name"]
            layer = folium.GeoJson(
                land.loc[[iso3], ["name", "geometry"]].to_json(drop_id=True),
                name=name,
                style_function=lambda _, c=colour: {"fillColor": c, "fillOpacity": 0.85,
                                                    "color": style.BORDER_COLOUR, "weight": 1},
                highlight_function=lambda _: {"weight": 3, "color": style.INK},
                tooltip=html.escape(name),
            )
            folium.Popup(popup_html(name, popups.get(iso3, [])), max_width=320).add_to(layer)
            layer.add_to(group)


def add_occupied_layer(fmap: folium.Map, region: gpd.GeoDataFrame, label: str) -> None:
    occupied = region[region["layer"] == "occupied"]
    group = folium.FeatureGroup(name=label, show=True).add_to(fmap)
    for _, area in occupied.iterrows():
        layer = folium.GeoJson(
            occupied.loc[[area.name], ["name", "geometry"]].to_json(drop_id=True),
            name=area["name"],
            style_function=lambda _: {"fillColor": style.CATEGORY_COLOURS["Occupied"], "fillOpacity": 0.6,
                                      "color": style.INK, "weight": 1.5, "dashArray": "5 4"},
            tooltip=html.escape(area["name"]),
        )
        folium.Popup(popup_html(area["name"], [("Status (Natural Earth, 2017)", area["status_note"])]),
                     max_width=320).add_to(layer)
        layer.add_to(group)


def finish(fmap: folium.Map, legend_title: str, legend: Sequence[tuple[str, str, bool]]) -> folium.Map:
    Legend(legend_title, legend).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def static_map(region: gpd.GeoDataFrame, categories: Mapping[str, str],
               bounds: tuple[float, float, float, float], legend: Sequence[tuple[str, str, bool]], title: str):
    """The same map as a matplotlib figure, for print, slides and citation."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(9, 5.6))
    ax.set_facecolor(style.SEA_COLOUR)
    land = region[region["layer"] == "country"]
    land.plot(ax=ax, color=style.CATEGORY_COLOURS["Other"], edgecolor=style.BORDER_COLOUR, linewidth=0.4)
    for category in dict.fromkeys(categories.values()):
        codes = [code for code, cat in categories.items() if cat == category]
        land[land["iso3"].isin(codes)].plot(ax=ax, color=style.CATEGORY_COLOURS[category.split(" ")[0]],
                                            edgecolor=style.BORDER_COLOUR, linewidth=0.5)
    region[region["layer"] == "occupied"].plot(ax=ax, facecolor=style.CATEGORY_COLOURS["Occupied"],
                                               edgecolor=style.INK, linewidth=0.6, hatch="////", alpha=0.8)
    lon0, lat0, lon1, lat1 = bounds
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.6)  # roughly equal distances at 50 degrees north in plate carree
    ax.set_axis_off()
    ax.set_title(title)
    handles = [Patch(facecolor=colour, edgecolor="#333", linestyle="--" if dashed else "-",
                     hatch="////" if dashed else None, label=label) for label, colour, dashed in legend]
    ax.legend(handles=handles, loc="lower left", frameon=True, fontsize=8)
    return fig
