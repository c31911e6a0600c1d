"""The maps of the chapter on the alliance on paper: the members of the Collective Security
Treaty / CSTO and of NATO at each milestone of the CSTO's history (a slider, and its small
multiples for print), and on the eve of the invasion. Each `draw_*` function draws one edition's
map (maps.editions calls it once per edition, its words in the edition's language)."""
from __future__ import annotations

import pandas as pd

from cstobook import alliances, maps, style

MILESTONES = ("cst_signature_1992_rus", "cst_entry_into_force_1994", "cst_nonrenewal_1999_aze",
              "csto_charter_eif_2003", "csto_uzb_protocol_2006", "csto_uzb_suspension_decision_2012",
              "csto_arm_freeze_2024")
FROZEN_COLOUR = "#F0E442"  # yellow: apart from the members' vermillion for every form of colour vision


def membership_snapshots(members: pd.DataFrame, events: pd.DataFrame, when: pd.Series) -> list[tuple[str, dict]]:
    """(date as printed, iso3 -> colour) at each milestone and on the eve of the invasion, oldest first."""
    snapshots = []
    for event_id in list(MILESTONES) + ["eve"]:
        day = alliances.EVE_OF_INVASION if event_id == "eve" else when[event_id]
        colours = {iso3: style.CATEGORY_COLOURS["NATO"]
                   for iso3 in alliances.members_on(members, day, "NATO")["iso3"]}
        colours.update({iso3: style.CATEGORY_COLOURS["CSTO"] if s == "member" else FROZEN_COLOUR
                        for iso3, s in alliances.standing_on(events, day).items() if s != "former"})
        snapshots.append((f"{day:%-d %B %Y}", colours))
    snapshots.sort(key=lambda snapshot: pd.Timestamp(snapshot[0]))
    return snapshots


def draw_history(region, view, events: pd.DataFrame, history_states: list[str], snapshots):
    """The slider map of membership (one edition's)."""
    history_popups = {iso3: [(maps.when(row.date), row.description)  # a date known to the month shows no day
                             for row in events[events["iso3"] == iso3].sort_values("when").itertuples()]
                      for iso3 in history_states}
    history_map = maps.base_map(region, view, highlighted=history_states)
    maps.add_time_layer(history_map, region, history_states, "Members at the chosen date",
                        [(maps.when(pd.Timestamp(label).date()), colours) for label, colours in snapshots],
                        history_popups, "Members on", start=len(snapshots) - 1)
    return maps.finish(history_map, "Alliances over time", [
        ("Collective Security Treaty / CSTO member", style.CATEGORY_COLOURS["CSTO"], False),
        ("CSTO member, participation frozen", FROZEN_COLOUR, False),
        ("NATO member", style.CATEGORY_COLOURS["NATO"], False),
        ("Neither", style.CATEGORY_COLOURS["Other"], False)], layer_control=False)


def static_history(region, view, snapshots):
    """The slider map as small multiples, for print."""
    return maps.static_snapshots(
        region, snapshots, view, {"Member": style.CATEGORY_COLOURS["CSTO"], "Frozen": FROZEN_COLOUR,
                                  "NATO": style.CATEGORY_COLOURS["NATO"]}, "Alliance membership at each milestone",
        callout_colour=FROZEN_COLOUR)


def eve_categories(csto: list[str], nato: list[str]) -> dict[str, str]:
    return {**{c: "CSTO" for c in csto}, **{c: "NATO" for c in nato}, "UKR": "Ukraine"}


def eve_legend(csto: list[str], nato: list[str]) -> list[tuple[str, str, bool]]:
    return [(f"CSTO member ({len(csto)})", style.CATEGORY_COLOURS["CSTO"], False),
            (f"NATO member ({len(nato)})", style.CATEGORY_COLOURS["NATO"], False),
            ("Ukraine (internationally recognised borders)", style.CATEGORY_COLOURS["Ukraine"], False),
            ("Occupied or controlled by Russia", style.CATEGORY_COLOURS["Occupied"], True),
            ("Other countries", style.CATEGORY_COLOURS["Other"], False)]


def draw_alliances(region, view, categories: dict[str, str], legend, indicators: pd.DataFrame,
                   catalogue: pd.DataFrame, shown: dict[str, str]):
    """Both alliances on the eve of the invasion (one edition's map): each country's popup gives
    its alliance and its latest value of each indicator of `shown` up to alliances.EVE_YEAR."""
    popups = {
        iso3: [("Alliance", categories[iso3])] + [
            (title, maps.plain(f"{maps.quantity(row.value, catalogue.loc[code, 'unit'])} ({row.year})"))
            for code, title in shown.items()
            for row in alliances.latest_values(indicators, [iso3], code, alliances.EVE_YEAR).itertuples()
        ]
        for iso3 in categories
    }
    alliance_map = maps.base_map(region, view, highlighted=list(categories))
    maps.add_category_layers(alliance_map, region, categories, popups)
    maps.add_occupied_layer(alliance_map, region, "Occupied or controlled by Russia")
    return maps.finish(alliance_map, "Alliances, 23 February 2022", legend)
