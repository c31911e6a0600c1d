"""The house style: one palette for categories, shared by maps and charts.

Colours are from the Okabe-Ito palette, chosen to stay distinguishable for the common forms of
colour blindness; every category is also named in a legend, never shown by colour alone.
"""
from __future__ import annotations

import matplotlib as mpl

CATEGORY_COLOURS = {
    "CSTO": "#D55E00",      # vermillion
    "NATO": "#0072B2",      # blue
    "Ukraine": "#F0E442",   # yellow
    "Occupied": "#CC79A7",  # reddish purple, drawn hatched/dashed on top of Ukraine
    "Other": "#D9D9D9",     # grey land, so maps read without tiles
}
SEA_COLOUR = "#EAF2F8"
BORDER_COLOUR = "#FFFFFF"
INK = "#222222"

# Members of one bloc in charts: Russia in the bloc colour, the others in a light-to-dark ramp.
MEMBER_COLOURS = {
    "RUS": "#D55E00", "KAZ": "#E69F00", "BLR": "#56B4E9", "ARM": "#009E73",
    "KGZ": "#0072B2", "TJK": "#CC79A7", "UZB": "#555555",
}

# Charts' categories, each (label, fill, text colour) or a colour: named in words and legends too.
PHONE_LANE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")  # Okabe-Ito
VOTE_STYLE = {"Y": ("Yes", "#0072B2", "white"), "N": ("No", "#D55E00", "white"),
              "A": ("Abstain", "#E6E6E6", "#222222"), "X": ("Absent", "#FFFFFF", "#777777")}
# The mandate's coded grid (cstobook.decision_table): each condition's assessment, each collective response
ASSESSMENT_COLOURS = {"met": "#0072B2", "not met": "#D55E00", "disputed": "#F0E442"}
OUTCOME_COLOURS = {"force deployed": "#009E73", "mission, advisers or pledge": "#CC79A7",
                   "no collective action": "#BBBBBB"}
VERDICT_COLOURS = {"accurate": "#0072B2", "imprecise": "#56B4E9", "wrong": "#D55E00",
                   "unverifiable": "#999999", "opinion": "#E69F00"}
POSITION_STYLES = {"agrees": ("#0072B2", "o"), "qualifies": ("#E69F00", "D"), "disagrees": ("#D55E00", "X")}


def use_house_style() -> None:
    """Matplotlib settings for every chart of the book, including deterministic SVG output."""
    mpl.rcParams.update({
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
        "axes.titlesize": 11,
        "axes.titlelocation": "left",
        "legend.frameon": False,
        "svg.hashsalt": "cstobook",
        "svg.fonttype": "none",
        "figure.facecolor": "white",
    })
