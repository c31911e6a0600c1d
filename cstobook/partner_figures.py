"""The partners chapter's map of the Russian axes from Belarus (schematic routes through the places
the sources name, with the statements each rests on) and its table of the CSTO mission's key dates
in Kazakhstan."""
from __future__ import annotations

import pandas as pd

from cstobook import formatting, maps, style

BELARUS_VIEW = (23.0, 49.0, 33.5, 54.5)
MISSION_STEPS = {"Request by Tokayev": "T01", "Decision of the Collective Security Council": "T05",
                 "First units deployed": "T06", "Tokayev: main mission complete": "T15",
                 "Withdrawal begins": "T21", "Withdrawal complete": "T26"}


def belarus_routes(routes: pd.DataFrame, places: pd.DataFrame, region) -> tuple[list, list]:
    """(lines, ends): each route as (name, waypoints (lat, lon), its rows), those of more than one
    point as lines, the others (an objective whose start no source places) as ends. A route that
    starts at the border starts at the point of the Belarus-Ukraine border nearest its first place."""
    lines, ends = [], []
    for _, stops in routes.groupby("route_id", sort=True):
        waypoints = [(places.loc[p, "lat"], places.loc[p, "lon"]) for p in stops["place"]]
        if stops["starts_at_border"].iloc[0]:
            waypoints.insert(0, maps.border_point(region, "BLR", "UKR", waypoints[0]))
        (lines if len(waypoints) > 1 else ends).append((stops["route"].iloc[0], waypoints, stops))
    return lines, ends


def popup_rows(stops: pd.DataFrame, axes: pd.DataFrame):
    """A route's steps and the statements it rests on, in the edition's language."""
    rows = [(maps.say("{place} (step {step})", place=maps.say(formatting.place_name(stop.place)), step=stop.seq),
             maps.sourced(stop.note, stop.source_id)) for stop in stops.itertuples()]
    statements = axes[axes.index.str.startswith(stops["axis_id"].iloc[0].split("-")[0])].fillna("")
    for statement in statements.itertuples():
        route = maps.say("{start} to {end}", start=maps.say(statement.from_place) if statement.from_place else "?",
                         end=maps.say(statement.to_place) if statement.to_place else "?")
        ended = maps.say(", ended {date}", date=maps.when(statement.end_date)) if statement.end_date else ""
        rows.append((maps.say("Reported {date}", date=maps.when(statement.start_date)) if statement.start_date else "Reported",
                     maps.plain(f"{route}{ended} [{maps.sources(statement.source_id)}]")))
    return rows


def belarus_legend(ends: list) -> list[tuple[str, str, bool]]:
    legend = [("Belarus and Russia (CSTO members)", style.CATEGORY_COLOURS["CSTO"], False),
              ("Ukraine", style.CATEGORY_COLOURS["Ukraine"], False),
              ("Russian axis from Belarus, schematic (dashed)", style.INK, True)]
    if ends:
        legend.append(("Objective, route not drawn", style.CATEGORY_COLOURS["Occupied"], False))
    return legend


def draw_belarus_axes(region, lines: list, ends: list, axes: pd.DataFrame):
    """The interactive map of the axes (one edition's)."""
    axes_map = maps.base_map(region, BELARUS_VIEW, highlighted=["BLR", "UKR", "RUS"])
    maps.add_category_layers(axes_map, region, {"BLR": "CSTO", "RUS": "CSTO", "UKR": "Ukraine"},
                             {"BLR": [("Role", "Territory used for the invasion; no Belarusian troops seen in Ukraine")],
                              "RUS": [("Role", "Attacker")], "UKR": [("Status", "Invaded on 24 February 2022")]})
    maps.add_routes(axes_map, [(name, w, popup_rows(stops, axes)) for name, w, stops in lines],
                    "Russian axes from Belarus (schematic)", style.INK)
    if ends:
        ends_frame = pd.DataFrame([{"lat": w[-1][0], "lon": w[-1][1]} for _, w, _ in ends])
        maps.add_points(axes_map, ends_frame, "Objectives without a sourced start point", style.CATEGORY_COLOURS["Occupied"],
                        [(name, popup_rows(stops, axes)) for name, _, stops in ends])
    return maps.finish(axes_map, "From Belarus into Ukraine, February-April 2022", belarus_legend(ends))


def static_belarus_axes(region, places: pd.DataFrame, routes: pd.DataFrame, lines: list, ends: list):
    """The same map as a figure, for print."""
    return maps.static_map(region, {"BLR": "CSTO", "RUS": "CSTO", "UKR": "Ukraine"}, BELARUS_VIEW, belarus_legend(ends),
                           "Russian axes from Belarus, February-April 2022 (schematic)",
                           points=places.loc[routes["place"].unique()].reset_index().assign(
                               place=lambda t: t["place"].map(formatting.place_name)), point_labels="place",
                           routes=[(name, w) for name, w, _ in lines])


def mission_milestones(mission: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The mission's key dates (MISSION_STEPS) as a table per edition: English dates spelled,
    the Arabic edition's left ISO (each edition spells its own)."""
    milestones = pd.DataFrame([{"Step": step, "Date": mission.loc[i, "date"],  # ISO: each edition spells it
                                "Sources": mission.loc[i, "source_id"]} for step, i in MISSION_STEPS.items()])
    return {"en": milestones.assign(Date=[f"{mission.loc[i, 'when']:%-d %B %Y}" for i in MISSION_STEPS.values()]),
            "ar": milestones}
