"""Grids of categories: each cell coloured and labelled in words (UN votes)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from cstobook.chart_layout import PHONE_WIDTH_IN, on_phone  # the layout the chart is drawn in
from cstobook.chart_layout import (legend_below as _legend_below, pt as _pt, responsive as _responsive,
                                   title as _title, wrap as _wrap)
from cstobook.style import VOTE_STYLE


@_responsive
def category_grid(grid: pd.DataFrame, cell_styles: dict[str, tuple[str, str, str]], row_labels: dict[str, str],
                  column_labels: dict[str, str], title: str, cell_width: float = 1.1, phone_cell_width: float = 0.62,
                  phone_row_height: float = 0.42):
    """Rows x columns of categories; each cell coloured and labelled in words, so that the
    category never rests on colour alone. cell_styles: code -> (label, fill, text colour).
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
    _legend_below(ax, handles, 2 if on_phone() else (len(handles) if len(handles) <= 4 else 3), 6, fontsize=9)
    fig.tight_layout()
    return fig


@_responsive
def vote_grid(votes: pd.DataFrame, row_labels: dict[str, str], title: str):
    """Countries x resolutions of UN votes (Y, N, A, X)."""
    return category_grid(votes, VOTE_STYLE, row_labels, {c: c.replace("A/RES/", "") for c in votes.columns}, title)
