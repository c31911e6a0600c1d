"""How numbers read in tables, popups and prose: one format per unit."""
from __future__ import annotations

import math

import pandas as pd

_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def human_number(value: float) -> str:
    """1.23e9 -> '1.23 billion'; 8500 -> '8,500'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    for scale, word in _SCALES:
        if abs(value) >= scale:
            return f"{value / scale:,.3g} {word}"
    return f"{value:,.0f}"


def format_value(value: float, unit: str) -> str:
    """A value in its catalogue unit, for a reader."""
    if pd.isna(value):
        return "no data"
    if unit == "US$":
        return f"US$ {human_number(value)}"
    if unit == "US$ million":
        return f"US$ {human_number(value * 1e6)}"
    if unit == "fraction of GDP":
        return f"{100 * value:.1f}% of GDP"
    return human_number(value)


# Natural Earth keeps some older English spellings of places; the book writes them as the
# country itself and current English usage do.
PLACE_SPELLINGS = {"Kiev": "Kyiv"}


def place_name(name: str) -> str:
    """A place's name as the book spells it."""
    return PLACE_SPELLINGS.get(name, name)
