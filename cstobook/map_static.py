"""The book's maps as matplotlib figures (geopandas), for print, slides and citation: the static
twins of the interactive maps."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np

from cstobook import style


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
