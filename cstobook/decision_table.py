"""The mandate's coded grid as a table: each occasion (rows, oldest first) against each condition
(columns) and, set apart by a thick rule, what the alliance did as a whole.

Each cell says its value in words and is tinted in the house colour of that value, with a bar of
the full colour under its words, so that the value never rests on colour alone. A table rather than a
chart: its words are the page's, in the reader's font and edition, read by screen readers, found
by the browser's search, and it costs a page about a tenth of the bytes of the same grid drawn as
an image (which was the largest file on the mandate chapter's first screen)."""
from __future__ import annotations

import html
import re

import pandas as pd

from cstobook import i18n, tables
from cstobook.data import partial_dates
from cstobook.style import ASSESSMENT_COLOURS, INK, OUTCOME_COLOURS

OUTCOME_COLUMN = "Collective response"
ROW_HEADING = "Case"
SOURCE_NOTE = "Source: the book's coding; the sources of every cell are listed in the tables below."
CODE_COLOURS = {**ASSESSMENT_COLOURS, **OUTCOME_COLOURS}
TINT = 0.35  # a cell's ground: this much of its value's colour on the page's, so that its words read
DARK_TINT = 0.3  # less on the dark page: the yellow of "disputed" at 0.35 read at 4.49:1 under the theme's ink
GRID_CLASS = "cstobook-grid"  # the grid's box, a table the book places as a figure
# The theme's page and text colours in its dark mode (pydata-sphinx-theme's --pst-color-background
# and --pst-color-text-base), on which the dark tints are laid
DARK_GROUND, DARK_INK = "#14181E", "#CED6DD"


def grid(cases: pd.DataFrame, conditions: dict[str, str]) -> pd.DataFrame:
    """One row per case (indexed by case_id, oldest first; cases of the same date keep the table's
    order), one column per condition id, then OUTCOME_COLUMN: the codes of mandate_cases."""
    when = partial_dates(cases["date"])
    order = cases.assign(when=when).sort_values("when", kind="stable")["case_id"].drop_duplicates().tolist()
    coded = cases.pivot(index="case_id", columns="condition_id", values="assessment").loc[order, list(conditions)]
    coded[OUTCOME_COLUMN] = cases.drop_duplicates("case_id").set_index("case_id")["outcome"].loc[order]
    return coded


def tint(colour: str, share: float = TINT, ground: str = "#FFFFFF") -> str:
    """`colour` (#RRGGBB) laid at `share` opacity on `ground`."""
    def channels(hex_colour: str) -> list[int]:
        return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]

    return "#" + "".join(f"{round(g + share * (c - g)):02X}" for c, g in zip(channels(colour), channels(ground)))


def code_class(code: str) -> str:
    """The CSS class of a cell holding `code` ('not met' -> 'code-not-met')."""
    return "code-" + re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")


def cell_colours(code: str, dark: bool = False) -> tuple[str, str, str]:
    """(ground, words, bar) of a cell holding `code`, in the light or the dark theme."""
    colour = CODE_COLOURS[code]
    return (tint(colour, DARK_TINT, DARK_GROUND), DARK_INK, colour) if dark else (tint(colour), INK, colour)


def _styles(box_id: str) -> str:
    """Each value's colours (a bar of its full colour under the words), in the light and dark themes."""
    def rules(scope: str, dark: bool) -> str:
        return "".join(f"{scope}#{box_id} td.{code_class(code)}{{background:{ground};color:{ink};"
                       f"box-shadow:inset 0 -0.25em 0 {bar}}}"
                       for code in CODE_COLOURS for ground, ink, bar in [cell_colours(code, dark)])

    return f'<style>{rules("", False)}{rules("html[data-theme=dark] ", True)}</style>'


def decision_table(cases: pd.DataFrame, conditions: dict[str, str], caption: str, language: str = "en") -> str:
    """The grid's HTML in `language` (cstobook.i18n's data catalogue): a captioned table whose
    column headings name each condition by its id and wording (on a phone by its id, the wording in
    a key under the table), whose row headings name each case, and a source note under it.
    `conditions` maps condition ids to their wording (English)."""
    def say(text: str) -> str:
        return html.escape(i18n.translate(text, language))

    coded = grid(cases, conditions)
    names = cases.drop_duplicates("case_id").set_index("case_id")["case"]
    box_id = f"grid-{tables.table_id(caption, language)}"
    headings = "".join(f'<th scope="col"><span class="cstobook-grid-id">{say(cid)}</span> '
                       f'<span class="cstobook-grid-wording">{say(wording)}</span></th>' for cid, wording in conditions.items())
    # on a phone the headings give the ids only (cstobook.css) and this key their wording
    key = "".join(f'<li><span class="cstobook-grid-id">{say(cid)}</span> {say(wording)}</li>'
                  for cid, wording in conditions.items())
    head = (f'<thead><tr><th scope="col">{say(ROW_HEADING)}</th>{headings}'
            f'<th scope="col" class="cstobook-grid-response">{say(OUTCOME_COLUMN)}</th></tr></thead>')
    rows = []
    for case_id, codes in coded.iterrows():
        cells = "".join(f'<td class="{code_class(code)}{" cstobook-grid-response" if column == OUTCOME_COLUMN else ""}">'
                        f'{say(code)}</td>' for column, code in codes.items())
        rows.append(f'<tr><th scope="row">{say(names[case_id])}</th>{cells}</tr>')
    return (f'<div class="{GRID_CLASS}" id="{box_id}">{_styles(box_id)}'
            f'<table class="cstobook-table cstobook-grid-table"><caption>{say(caption)}</caption>{head}'
            f'<tbody>{"".join(rows)}</tbody></table>'
            f'<ul class="cstobook-grid-key">{key}</ul>'
            f'<p class="cstobook-grid-source">{say(SOURCE_NOTE)}</p></div>')


def decision_table_editions(cases: pd.DataFrame, conditions: dict[str, str], caption: str):
    """The grid once per edition of the book (`tables.per_edition`)."""
    return tables.per_edition({language: cases for language in ("en", *i18n.LANGUAGES)},
                              lambda frame, language: decision_table(frame, conditions, caption, language))
