"""The figures of the chapter on what Russia did instead of asking the CSTO: the map of outside help
by channel (schematic lines from where help came to where it went) and the timeline of Russia's
alternatives beside its partners' public distancing."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.dates as mdates
import pandas as pd

from cstobook import charts, maps, style

CATEGORIES = {**dict.fromkeys(["ARM", "BLR", "KAZ", "KGZ", "TJK"], "CSTO partners of Russia"),
              "UKR": "Ukraine", **dict.fromkeys(["RUS", "UZB"], "Other (Russia; Uzbekistan, outside the CSTO)")}
POPUP_STATES = ["ARM", "BLR", "KAZ", "KGZ", "TJK", "RUS", "PRK", "IRN", "UZB"]
OUTSIDE = ["PRK", "IRN"]
OUTSIDE_COLOUR = "#56B4E9"
VIEW = (20.0, 24.0, 131.0, 62.0)
TOWNS = ["Kursk", "Moscow", "Minsk", "Donetsk", "Belgorod"]
LABELLED_TOWNS = ["Kursk", "Moscow", "Minsk", "Donetsk"]  # Belgorod is too near Kursk for a label of its own


@dataclass
class OutsideHelp:
    """What both forms of the map draw: channel -> (colour, schematic lines as (name, start, end)),
    the outside helpers as points, the towns' (lat, lon) and the legend."""
    channels: dict
    helpers: pd.DataFrame
    town: dict
    names: dict
    legend: list


def outside_help(region, places: pd.DataFrame, names: dict) -> OutsideHelp:
    land = region[region["layer"] == "country"].set_index("iso3")
    centre = {iso3: (point.y, point.x) for iso3, point in land.geometry.representative_point().items()}
    town = {place: (places.loc[place, "lat"], places.loc[place, "lon"]) for place in TOWNS}
    channels = {  # channel: (colour, schematic lines as (name, start, end))
        "Foreign troops": ("#0072B2", [("North Korean troops, sappers and builders to the Kursk region", centre["PRK"],
                                         town["Kursk"])]),
        "Weapons and munitions": (style.INK, [("North Korean munitions", centre["PRK"], town["Moscow"]),
                                              ("Iranian drones and missiles", centre["IRN"], town["Moscow"]),
                                              ("Belarusian tanks and ammunition", town["Minsk"], town["Belgorod"])]),
        "Russian nuclear weapons, Oreshnik": ("#882255", [("Russian nuclear weapons and Oreshnik missiles to Belarus",
                                                            town["Moscow"], town["Minsk"])]),
        "Russian troops from bases": ("#009E73", [
            ("From the 201st base, Tajikistan", centre["TJK"], town["Donetsk"]),
            ("From Kant air base, Kyrgyzstan", centre["KGZ"], town["Donetsk"])]),
    }
    helpers = pd.DataFrame([{"lat": centre[c][0], "lon": centre[c][1], "name": names[c]} for c in OUTSIDE])
    legend = [("CSTO partners (no collective help)", style.CATEGORY_COLOURS["CSTO"], False),
              ("Ukraine", style.CATEGORY_COLOURS["Ukraine"], False),
              ("Occupied or controlled by Russia", style.CATEGORY_COLOURS["Occupied"], True),
              ("North Korea, Iran (outside the CSTO)", OUTSIDE_COLOUR, False)] + \
             [(channel, colour, True) for channel, (colour, _) in channels.items()]
    return OutsideHelp(channels, helpers, town, names, legend)


def partner_popups(alternatives: pd.DataFrame, distancing: pd.DataFrame) -> dict:  # in the edition's language
    popups = {iso3: [(entry.channel, maps.dated(entry.date, entry.what, entry.source_id))
                     for entry in alternatives[alternatives["partner_iso3"] == iso3].itertuples()]
                    + [(entry.kind, maps.dated(entry.date, entry.statement, entry.source_id))
                       for entry in distancing[distancing["partner_iso3"] == iso3].itertuples()]
              for iso3 in POPUP_STATES}
    popups["UKR"] = [("Status", "Invaded by Russia on 24 February 2022")]
    return popups


def draw_outside_help(shown: OutsideHelp, region, alternatives: pd.DataFrame, distancing: pd.DataFrame):
    """The interactive map (one edition's)."""
    popups = partner_popups(alternatives, distancing)
    # The interactive frame reaches further south, to keep Iran clear of the legend.
    instead_map = maps.base_map(region, (20.0, 12.0, 131.0, 62.0), highlighted=list(CATEGORIES))
    maps.add_category_layers(instead_map, region, CATEGORIES, popups)
    maps.add_occupied_layer(instead_map, region, "Occupied or controlled by Russia")
    for channel, (colour, lines) in shown.channels.items():
        maps.add_routes(instead_map, [(name, [start, end], [("Channel", channel)]) for name, start, end in lines],
                        channel, colour)
    maps.add_points(instead_map, shown.helpers, "Outside the CSTO: North Korea and Iran", OUTSIDE_COLOUR,
                    [(shown.names[c], popups[c]) for c in OUTSIDE], radius=9)
    # Nine toggles would hide the map on a phone: the legend alone explains it.
    return maps.finish(instead_map, "Outside help by channel (lines schematic)", shown.legend, layer_control=False)


def static_outside_help(shown: OutsideHelp, region):
    """The same map as a figure, for print."""
    static = maps.static_map(region, CATEGORIES, VIEW, shown.legend, "Russia's outside help by channel, 2022-2025",
                             points=shown.helpers, point_colour=OUTSIDE_COLOUR, point_labels="name")
    axes = static.axes[0]
    for colour, lines in shown.channels.values():
        for _, start, end in lines:
            axes.plot([start[1], end[1]], [start[0], end[0]], color=colour, linewidth=2, linestyle="--")
    for place in LABELLED_TOWNS:
        lat, lon = shown.town[place]
        axes.annotate(place, (lon, lat), xytext=(3, 3), textcoords="offset points", fontsize=7)
    # Below the frame, so that it hides neither Iran nor Central Asia.
    axes.legend(handles=axes.get_legend().legend_handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2, fontsize=8)
    return static


# --- The timeline ------------------------------------------------------------------------------
BELARUS_LANE = "Belarus: territory, arms, nuclear weapons"
LANES = {"own forces": "Russia: reservists and recruits", "recruits": "Russia: reservists and recruits",
         "bases": "Russian bases in CSTO states", "CSTO (collective)": "The CSTO collectively"}
BY_PARTNER = {"BLR": BELARUS_LANE, "PRK": "North Korea: treaty, troops, munitions", "IRN": "Iran: drones and missiles"}
ORDER = ["Russia: reservists and recruits", BELARUS_LANE, "Russian bases in CSTO states",
         "North Korea: treaty, troops, munitions", "Iran: drones and missiles", "The CSTO collectively",
         "Partners' public distancing"]


def timeline_rows(alternatives: pd.DataFrame, distancing: pd.DataFrame, named: dict[str, str]) -> pd.DataFrame:
    """Both tables' rows, each in its lane and labelled: people (troops, reservists) and cases by
    their count, the rows of `named` (entry_id -> label) by their name; container counts stay in
    the table, or labels collide."""
    events = alternatives.assign(lane=alternatives["channel"].map(LANES))
    events["lane"] = events["partner_iso3"].map(BY_PARTNER).fillna(events["lane"])
    public = distancing.assign(lane="Partners' public distancing")
    rows = pd.concat([events, public], ignore_index=True)
    noun = rows["quantity_unit"].str.extract(r"(troops|reservists|cases)")[0]
    rows["label"] = [f"{q:,.0f} {n}" if pd.notna(n) else "" for q, n in zip(rows["quantity"], noun)]
    rows.loc[rows["entry_id"].isin(list(named)), "label"] = rows["entry_id"].map(named)
    return rows


def instead_timeline(rows: pd.DataFrame):
    colours = dict(zip(ORDER, ["#555555", style.MEMBER_COLOURS["BLR"], style.MEMBER_COLOURS["ARM"], "#0072B2",
                               "#E69F00", style.CATEGORY_COLOURS["CSTO"], style.MEMBER_COLOURS["TJK"]]))
    timeline = charts.timeline(rows, "when", "lane", "label", "What Russia did instead of asking the CSTO, 2022-2025",
                               ORDER, colours)
    timeline.axes[0].xaxis.set_major_locator(mdates.YearLocator())
    timeline.axes[0].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    return timeline
