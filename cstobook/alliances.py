"""Membership of the two alliances at a date, and the figures of a bloc's members."""
from __future__ import annotations

import pandas as pd

# The day before the full-scale invasion: "NATO's members of 2022" in the book means this date.
EVE_OF_INVASION = pd.Timestamp("2022-02-23")
# The last full year of data before the invasion: "on the eve" comparisons use it, later years
# being context.
EVE_YEAR = EVE_OF_INVASION.year - 1

BLOC_INDICATORS = {  # indicator code: column title in the members table
    "SP.POP.TOTL": "Population",
    "NY.GDP.MKTP.CD": "GDP (current US$)",
    "MS.MIL.TOTL.P1": "Armed forces personnel",
    "SIPRI.MILEX.CURRENTUSD.MN": "Military expenditure (current US$ m)",
}


def members_on(alliance_members: pd.DataFrame, date: pd.Timestamp, organisation: str | None = None) -> pd.DataFrame:
    """Rows of alliance_members whose membership spell covers `date`."""
    spell = (alliance_members["accession_date"] <= date) & (
        alliance_members["exit_date"].isna() | (date < alliance_members["exit_date"]))
    members = alliance_members[spell]
    if organisation is not None:
        members = members[members["organisation"] == organisation]
    return members.reset_index(drop=True)


def latest_values(indicators: pd.DataFrame, iso3: list[str], indicator: str,
                  until: int | None = None) -> pd.DataFrame:
    """The latest year with data for each country (up to the year `until`, if given): columns
    iso3, year, value, estimate_flag."""
    rows = indicators[(indicators["indicator"] == indicator) & indicators["iso3"].isin(iso3)]
    if until is not None:
        rows = rows[rows["year"] <= until]
    latest = rows.sort_values("year").groupby("iso3", as_index=False).last()
    return latest[["iso3", "year", "value", "estimate_flag"]]


def bloc_table(indicators: pd.DataFrame, countries: pd.DataFrame, iso3: list[str],
               until: int | None = None) -> pd.DataFrame:
    """One row per member: each indicator's latest value (up to the year `until`, if given), its
    year, and the member's share of the bloc total of the values shown (in percent). Years can
    differ between members; the table shows them so that a reader sees when a share mixes years."""
    table = countries.set_index("iso3").loc[sorted(iso3), ["name"]]
    for code, title in BLOC_INDICATORS.items():
        latest = latest_values(indicators, iso3, code, until).set_index("iso3")
        table[f"{title}"] = latest["value"]
        table[f"{title}: year"] = latest["year"].astype("Int64")
        table[f"{title}: share of bloc (%)"] = 100 * latest["value"] / latest["value"].sum()
    return table.reset_index()


def bloc_display(table: pd.DataFrame, units: dict[str, str], language: str = "en") -> pd.DataFrame:
    """bloc_table for readers, one text cell per indicator: 'value (year), share%'; in another
    `language`, the members' names and the values' words in it (cstobook.i18n's data catalogue)."""
    from cstobook import i18n
    from cstobook.formatting import format_value

    shown = pd.DataFrame({"Member": [i18n.translate(name, language) for name in table["name"]]})
    for code, title in BLOC_INDICATORS.items():
        cells = zip(table[title], table[f"{title}: year"], table[f"{title}: share of bloc (%)"])
        shown[title] = [f"{local_amount(format_value(value, units[code]), language)} ({year}){i18n.comma(language)}"
                        f"{share:.1f}%"
                        if pd.notna(value) else "no data" for value, year, share in cells]
    return shown


_SCALE_WORDS = {"ar": {"trillion": "تريليون", "billion": "مليار", "million": "مليون"}}
_DOLLARS = {"ar": "{} دولار أمريكي"}


def local_amount(text: str, language: str) -> str:
    """A value as cstobook.formatting writes it ('US$ 1.23 billion', '8,500'), in the words of
    `language` ('1.23 مليار دولار أمريكي'); digits as they are."""
    if language not in _SCALE_WORDS:
        return text
    dollars = text.startswith("US$ ")
    text = text.removeprefix("US$ ")
    for word, local in _SCALE_WORDS[language].items():
        text = text.replace(f" {word}", f" {local}")
    return _DOLLARS[language].format(text) if dollars else text


def bloc_totals(indicators: pd.DataFrame, blocs: dict[str, list[str]], indicator: str, year: int) -> pd.DataFrame:
    """Sum of one indicator over each bloc's members in `year`, and how many members have a value."""
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["year"] == year)].set_index("iso3")
    totals = {name: {"members": len(iso3), "with data": int(rows.index.isin(iso3).sum()),
                     "total": rows.loc[rows.index.isin(iso3), "value"].sum()}
              for name, iso3 in blocs.items()}
    table = pd.DataFrame.from_dict(totals, orient="index")
    table.attrs["year"] = year
    return table


def bloc_series(indicators: pd.DataFrame, iso3: list[str], indicator: str) -> pd.DataFrame:
    """Years x members (wide) of one indicator, for the members given."""
    rows = indicators[(indicators["indicator"] == indicator) & indicators["iso3"].isin(iso3)]
    return rows.pivot(index="year", columns="iso3", values="value").sort_index()


# How each kind of event in alliance_events changes a state's standing in the CST/CSTO.
JOINS = {"signature", "accession", "rejoin"}
LEAVES = {"non_renewal", "withdrawal", "suspension"}
FREEZES = {"freeze"}


def standing_on(events: pd.DataFrame, date: pd.Timestamp) -> dict[str, str]:
    """Each state's standing in the Collective Security Treaty / CSTO on `date`: 'member',
    'frozen' (participation frozen) or 'former'. Events dated only to a month or year count from
    their first day. `events` needs the columns iso3, event_type and when (Timestamps)."""
    standing: dict[str, str] = {}
    dated = events[events["iso3"].notna() & events["organisation"].isin(["CST", "CSTO"])]
    for _, event in dated[dated["when"] <= date].sort_values("when").iterrows():
        if event["event_type"] in JOINS:
            standing[event["iso3"]] = "member"
        elif event["event_type"] in LEAVES:
            standing[event["iso3"]] = "former"
        elif event["event_type"] in FREEZES and standing.get(event["iso3"]) == "member":
            standing[event["iso3"]] = "frozen"
    return standing


def membership_spells(events: pd.DataFrame) -> pd.DataFrame:
    """Spells of CST/CSTO membership per state: iso3, start, end (NaT while it lasts), standing."""
    spells, open_spells = [], {}
    dated = events[events["iso3"].notna() & events["organisation"].isin(["CST", "CSTO"])]
    for _, event in dated.sort_values("when").iterrows():
        iso3, kind, when = event["iso3"], event["event_type"], event["when"]
        if kind in JOINS and iso3 not in open_spells:
            open_spells[iso3] = {"iso3": iso3, "start": when, "standing": "member"}
        elif kind in LEAVES and iso3 in open_spells:
            spells.append({**open_spells.pop(iso3), "end": when})
        elif kind in FREEZES and iso3 in open_spells:
            spells.append({**open_spells.pop(iso3), "end": when})
            open_spells[iso3] = {"iso3": iso3, "start": when, "standing": "frozen"}
    spells += [{**spell, "end": pd.NaT} for spell in open_spells.values()]
    return pd.DataFrame(spells, columns=["iso3", "start", "end", "standing"])


def members_count_over_time(alliance_members: pd.DataFrame, organisation: str) -> pd.Series:
    """Number of members of `organisation` after each accession or exit date."""
    rows = alliance_members[alliance_members["organisation"] == organisation]
    changes = pd.concat([pd.Series(1, index=rows["accession_date"]),
                         pd.Series(-1, index=rows["exit_date"].dropna())])
    return changes.groupby(level=0).sum().sort_index().cumsum()
