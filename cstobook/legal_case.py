"""The chapter on Russia's case: its legal steps and the answers to them on one time axis, and
their dates as the prose spells them."""
from __future__ import annotations

import pandas as pd

from cstobook import charts, style

STRANDS = {"Russia's case": style.CATEGORY_COLOURS["CSTO"], "Answers in law": style.CATEGORY_COLOURS["NATO"],
           "The alliance": style.MEMBER_COLOURS["ARM"]}


def timeline(steps: pd.DataFrame):
    """The steps (with a `when` column) by strand, earliest at the top, each date printed as far as
    the data know it (a date known to the month prints no day)."""
    steps = steps.assign(printed=[f"{when:%-d %b %Y}" if len(date) == 10 else f"{when:%b %Y}"
                                  for when, date in zip(steps["when"], steps["date"])])
    return charts.ladder_timeline(steps, "when", "label", "strand",
                                  "Russia's legal case and the answers to it, 2022-2025", STRANDS,
                                  list(STRANDS), date_text="printed")


def spelled_dates(steps: pd.DataFrame) -> dict[str, str]:
    """step_id -> its date spelled ('24 February 2022')."""
    return {step_id: f"{when:%-d %B %Y}" for step_id, when in zip(steps["step_id"], steps["when"])}


def days_between(steps: pd.DataFrame, first: str, then: str) -> int:
    """Days from step `first` to step `then`."""
    when = steps.set_index("step_id")["when"]
    return (when[then] - when[first]).days
