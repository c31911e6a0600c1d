"""The offer chapter's figures: the forces around the war as estimated (one axis, a log scale),
and the sizes the chapter's prose gives, each computed from its rows of force_estimates."""
from __future__ import annotations

import pandas as pd

from cstobook import charts, data, style

FORCE_LABELS = {
    "csto_peacekeeping": "CSTO peacekeeping force",
    "csto_kazakhstan_deployment_2022": "CSTO force sent to Kazakhstan, Jan. 2022",
    "csto_crdf_central_asia": "CSTO rapid deployment force, Central Asia",
    "csto_crrf": "CSTO collective rapid reaction force",
    "separatist_forces_donbas": "Separatist forces in Donbas, Feb. 2022",
    "russia_massed_near_ukraine": "Russian forces massed near Ukraine, 2021-22",
    "russia_armed_forces_active": "Russian armed forces, active",
    "ukraine_armed_forces_2022": "Ukraine's armed forces, early 2022",
    "nato_response_force_pre2022": "NATO Response Force",
    "nato_eastern_flank_2022": "Under NATO command, eastern flank, 2022",
    "nato_new_force_model_2022": "NATO new force model (target), 2022",
}
SIDES = {"csto": "CSTO", "separatist": "Russia and separatists", "russia": "Russia and separatists",
         "ukraine": "Ukraine", "nato": "NATO"}


def force_sizes(estimates: pd.DataFrame):
    """Every estimate of each force of FORCE_LABELS, coloured by side (the first word of its id)."""
    shown = estimates[estimates["force_id"].isin(FORCE_LABELS)].assign(
        group=lambda t: t["force_id"].map(FORCE_LABELS),
        side=lambda t: t["force_id"].str.split("_").str[0].map(SIDES))
    colours = {"CSTO": style.CATEGORY_COLOURS["CSTO"], "Russia and separatists": style.INK,
               "Ukraine": "#B8860B", "NATO": style.CATEGORY_COLOURS["NATO"]}
    return charts.estimates_chart(shown, "group", list(FORCE_LABELS.values()), "Forces around the war, as estimated",
                                  "Personnel (logarithmic scale)", log=True, colour_by="side", colours=colours)


def sizes(estimates: pd.DataFrame) -> dict[str, float]:
    """The sizes the prose compares: Russia's massed forces in February 2022 (the lowest and the
    highest estimate), the CSTO's forces by their latest figure and by the CSTO's own, and by
    Stanislav Zas's figures as Reuters reported them (in Al Khaleej)."""
    massed = estimates[(estimates["force_id"] == "russia_massed_near_ukraine")
                       & estimates["as_of_date"].str.startswith("2022-02")]
    peacekeeping = estimates[estimates["force_id"] == "csto_peacekeeping"].assign(
        when=lambda t: data.partial_dates(t["as_of_date"])).sort_values("when")
    official = estimates[estimates["estimator"].str.startswith("CSTO")].assign(
        when=lambda t: data.partial_dates(t["as_of_date"])).sort_values("when")
    zas = estimates[estimates["source_id"] == "alkhaleej_reuters_zas_2022"].set_index("force_id")["value"]
    return {"russia_low": massed[["value", "value_low"]].min().min(),
            "russia_high": massed[["value", "value_high"]].max().max(),
            "pk_latest": peacekeeping["value"].iloc[-1],
            "crrf_official": official.loc[official["force_id"] == "csto_crrf", "value"].iloc[-1],
            "pk_official": official.loc[official["force_id"] == "csto_peacekeeping", "value"].iloc[-1],
            "zas_crrf": zas["csto_crrf"], "zas_pk": zas["csto_peacekeeping"],
            "separatists": estimates.loc[estimates["force_id"] == "separatist_forces_donbas", "value"].iloc[0]}
