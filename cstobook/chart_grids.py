"""Grids of categories: each cell coloured and labelled in words (UN votes, the mandate's conditions)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from cstobook import style
from cstobook.chart_layout import PHONE_WIDTH_IN, on_phone  # the layout the chart is drawn in
from cstobook.chart_layout import (legend_below as _legend_below, pt as _pt, responsive as _responsive,
                                   title as _title, wrap as _wrap)
from cstobook.style import ASSESSMENT_STYLE, OUTCOME_STYLE, VOTE_STYLE


@_responsive
def category_grid(grid: pd.DataFrame, cell_styles: dict[str, tuple[str, str, str]], row_labels: dict[str, str],
                  column_labels: dict[str, str], title: str, cell_width: float = 1.1, divider_before: str | None = None,
                  note: str | None = None, phone_cell_width: float = 0.62, phone_row_height: float = 0.42):
    """Rows x columns of categories; each cell coloured and labelled in words, so that the
    category never rests on colour alone. cell_styles: code -> (label, fill, text colour).
    divider_before: a column set apart from those before it by a thick rule (e.g. a result column).
    note: text under the grid (e.g. what short column labels stand for).
    The legend is under the grid. On a phone the cells narrow to phone_cell_width inches and column
    labels stand upright."""
    from matplotlib.patches import Patch, Rectangle

    if on_phone():  # cells no wider than lets the grid and its row labels (about 1.5 in) fit a phone
        cell = min(phone_cell_width, (PHONE_WIDTH_IN + 0.3 - 1.5) / grid.shape[1])
        fig, ax = plt.subplots(figsize=(cell * grid.shape[1] + 1.6, phone_row_height * grid.shape[0] + 1.6))
    else:
        fig, ax = plt.subplots(figsize=(cell_width * grid.shape[1] + 2.4, 0.42 * grid.shape[0] + 2.2))
    for i, row in enumerate(grid.index):
        for j, column in enumerate(grid.columns):
            name, face, ink = cell_styles[grid.loc[row, column]]
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor="#999999", linewidth=0.5))
            ax.text(j + 0.5, i + 0.5, _wrap(name.replace("\n", " "), 200, 8) if on_phone() else name,
                    ha="center", va="center", fontsize=_pt(9), color=ink)
    if divider_before is not None:
        ax.axvline(list(grid.columns).index(divider_before), color=style.INK, linewidth=2.5)
    ax.set_xlim(0, grid.shape[1])
    ax.set_ylim(grid.shape[0], 0)
    ax.set_xticks([j + 0.5 for j in range(grid.shape[1])], [column_labels[c] for c in grid.columns], fontsize=_pt(9),
                  rotation=90 if on_phone() else 0)
    ax.set_yticks([i + 0.5 for i in range(grid.shape[0])], [row_labels[r] for r in grid.index])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.xaxis.tick_top()
    _title(ax, title, pad=24)
    handles = [Patch(facecolor=f, edgecolor="#999999", label=n) for n, f, _ in cell_styles.values()]
    legend = _legend_below(ax, handles, 2 if on_phone() else (len(handles) if len(handles) <= 4 else 3), 6, fontsize=9)
    fig.tight_layout()
    if note:  # under the legend, once the layout is fixed
        box = legend.get_window_extent(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
        fig.text(0.02, box.y0 - 0.01, note, ha="left", va="top", fontsize=_pt(8))
    return fig



OUTCOME_COLUMN = "Collective response"


@_responsive
def decision_grid(cases: pd.DataFrame, conditions: dict[str, str], title: str, label_width: int = 38):
    """The mandate's conditions (columns) for each case (rows, oldest first), and beside them, set
    apart, what the alliance did as a whole. `cases` is the long table of mandate_cases with a `when`
    column of Timestamps; `conditions` maps condition ids to their wording."""
    import textwrap

    order = cases.sort_values("when", kind="stable")["case_id"].drop_duplicates().tolist()  # ties keep the table's order
    grid = cases.pivot(index="case_id", columns="condition_id", values="assessment").loc[order, list(conditions)]
    grid[OUTCOME_COLUMN] = cases.drop_duplicates("case_id").set_index("case_id")["outcome"].loc[order]
    names = cases.drop_duplicates("case_id").set_index("case_id")["case"]
    row_labels = {c: "\n".join(textwrap.wrap(names[c], 20 if on_phone() else label_width, break_on_hyphens=False)) for c in order}
    if on_phone():  # condition ids above the columns, their wording under the grid
        column_labels = {c: c for c in conditions}
        note = "\n".join(line for c, text in conditions.items() for line in textwrap.wrap(f"{c}: {text}", 52))
    else:
        column_labels = {c: "\n".join(textwrap.wrap(f"{c}: {text}", 19)) for c, text in conditions.items()}
        note = None
    column_labels[OUTCOME_COLUMN] = "\n".join(textwrap.wrap(OUTCOME_COLUMN, 10)) if on_phone() else OUTCOME_COLUMN
    return category_grid(grid, {**ASSESSMENT_STYLE, **OUTCOME_STYLE}, row_labels, column_labels, title,
                         cell_width=1.45, divider_before=OUTCOME_COLUMN, note=note,
                         phone_cell_width=0.7, phone_row_height=0.75)



@_responsive
def vote_grid(votes: pd.DataFrame, row_labels: dict[str, str], title: str):
    """Countries x resolutions of UN votes (Y, N, A, X)."""
    return category_grid(votes, VOTE_STYLE, row_labels, {c: c.replace("A/RES/", "") for c in votes.columns}, title)
