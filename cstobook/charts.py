"""Charts of the book, and the one way figures are written to figures/ (PNG and SVG)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from cstobook import paths, style


def save_figure(fig, name: str, close: bool = False) -> list[str]:
    """Write figures/NAME.png and figures/NAME.svg byte-reproducibly (no dates, fixed SVG ids).
    close=True also closes the figure, so that the notebook does not show it a second time."""
    paths.FIGURES.mkdir(exist_ok=True)
    written = []
    for suffix, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        target = paths.FIGURES / f"{name}.{suffix}"
        fig.savefig(target, format=suffix, metadata=metadata, bbox_inches="tight")
        written.append(f"figures/{target.name}")
    if close:
        plt.close(fig)
    return written


def bloc_spending_chart(series: pd.DataFrame, names: dict[str, str], leader: str, title: str):
    """Stacked area of each member's spending, with the leader's share of the total beneath."""
    order = [leader] + sorted((c for c in series.columns if c != leader), key=lambda c: -series[c].sum())
    series = series[order]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.2), sharex=True,
                                      gridspec_kw={"height_ratios": [2.2, 1]})
    top.stackplot(series.index, (series.fillna(0) / 1000).T.values,
                  labels=[names[c] for c in order], colors=[style.MEMBER_COLOURS[c] for c in order],
                  edgecolor="white", linewidth=0.4)
    top.set_ylabel("US$ billion, constant 2022 prices")
    top.set_title(title)
    top.legend(loc="upper left", ncols=2, fontsize=8)
    share = 100 * series[leader] / series.sum(axis=1, min_count=1)
    bottom.plot(share.index, share.values, color=style.MEMBER_COLOURS[leader], linewidth=2)
    bottom.set_ylim(0, 100)
    bottom.set_ylabel(f"{names[leader]}'s share (%)")
    bottom.set_xlabel("Year")
    fig.tight_layout()
    return fig


def timeline(events: pd.DataFrame, when: str, lane: str, label: str, title: str,
             lanes: list[str] | None = None, colours: dict[str, str] | None = None):
    """Dated events as dots on horizontal lanes (one per category), each labelled.

    `when` holds Timestamps; `lanes` fixes the order of categories from top to bottom."""
    lanes = lanes or list(dict.fromkeys(events[lane]))
    colours = colours or {}
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.75 * len(lanes)))
    for row, name in enumerate(lanes):
        subset = events[events[lane] == name].sort_values(when)
        y = len(lanes) - 1 - row
        ax.axhline(y, color="#dddddd", linewidth=0.8, zorder=0)
        ax.scatter(subset[when], [y] * len(subset), s=36, color=colours.get(name, style.INK),
                   edgecolor="white", linewidth=0.6, zorder=2)
        for offset, (_, event) in enumerate(subset.iterrows()):
            ax.annotate(event[label], (event[when], y), xytext=(0, 8 if offset % 2 == 0 else -13),
                        textcoords="offset points", ha="center", fontsize=7, color="#444444")
    ax.set_yticks(range(len(lanes)), list(reversed(lanes)))
    ax.set_ylim(-0.8, len(lanes) - 0.2)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def membership_chart(spells: pd.DataFrame, names: dict[str, str], counts: pd.Series, counts_label: str,
                     end: pd.Timestamp, title: str):
    """Bars of each state's CST/CSTO membership (frozen spells hatched), and below, the number of
    members of a comparison alliance over the same years."""
    states = sorted(spells["iso3"].unique(), key=lambda c: (spells.loc[spells["iso3"] == c, "start"].min(), c))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.8), sharex=True,
                                      gridspec_kw={"height_ratios": [2.4, 1]})
    for row, iso3 in enumerate(states):
        y = len(states) - 1 - row
        for spell in spells[spells["iso3"] == iso3].itertuples():
            stop = spell.end if pd.notna(spell.end) else end
            frozen = spell.standing == "frozen"
            top.barh(y, stop - spell.start, left=spell.start, height=0.6,
                     color="white" if frozen else style.CATEGORY_COLOURS["CSTO"],
                     edgecolor=style.CATEGORY_COLOURS["CSTO"], hatch="///" if frozen else None)
    top.set_yticks(range(len(states)), [names[c] for c in reversed(states)])
    top.set_title(title)
    top.tick_params(axis="y", length=0)
    bottom.step(counts.index, counts.values, where="post", color=style.CATEGORY_COLOURS["NATO"], linewidth=2)
    bottom.hlines(counts.iloc[-1], counts.index[-1], end, color=style.CATEGORY_COLOURS["NATO"], linewidth=2)
    bottom.set_ylabel(counts_label)
    bottom.set_ylim(0, counts.max() * 1.15)
    bottom.set_xlim(spells["start"].min() - pd.Timedelta(days=365), end)
    fig.tight_layout()
    return fig


def estimates_chart(estimates: pd.DataFrame, group: str, order: list[str], title: str, xlabel: str,
                    log: bool = False, colour_by: str | None = None, colours: dict[str, str] | None = None):
    """Every estimate of every group on one axis: a dot for a single value, a bar for a range
    (value_low to value_high), an open marker for a bound given alone ('at least', 'up to').
    A log scale keeps small forces visible beside large ones."""
    colours = colours or {}
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(order) + 1.4))
    rows = {name: len(order) - 1 - i for i, name in enumerate(order)}
    for _, estimate in estimates[estimates[group].isin(order)].iterrows():
        y = rows[estimate[group]]
        colour = colours.get(estimate[colour_by], style.INK) if colour_by else style.INK
        low, high, value = estimate["value_low"], estimate["value_high"], estimate["value"]
        if pd.notna(low) and pd.notna(high) and low != high:
            ax.plot([low, high], [y, y], color=colour, linewidth=5, alpha=0.45, solid_capstyle="butt")
        if pd.notna(value):
            ax.scatter([value], [y], s=40, color=colour, edgecolor="white", zorder=3)
        elif pd.notna(low) or pd.notna(high):
            ax.scatter([low if pd.notna(low) else high], [y], s=40, facecolor="white", edgecolor=colour, zorder=3)
    ax.set_yticks(list(rows.values()), list(rows.keys()))
    ax.set_ylim(-0.7, len(order) - 0.3)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    if colour_by:
        from matplotlib.lines import Line2D
        shown = [k for k in colours if k in set(estimates[colour_by])]
        ax.legend(handles=[Line2D([], [], marker="o", linestyle="", color=colours[k], label=k) for k in shown],
                  loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    return fig


VOTE_STYLE = {"Y": ("Yes", "#0072B2", "white"), "N": ("No", "#D55E00", "white"),
              "A": ("Abstain", "#E6E6E6", "#222222"), "X": ("Absent", "#FFFFFF", "#777777")}
ASSESSMENT_STYLE = {"met": ("met", "#0072B2", "white"), "not met": ("not met", "#D55E00", "white"),
                    "disputed": ("disputed", "#F0E442", "#222222")}


def category_grid(grid: pd.DataFrame, cell_styles: dict[str, tuple[str, str, str]], row_labels: dict[str, str],
                  column_labels: dict[str, str], title: str, cell_width: float = 1.1):
    """Rows x columns of categories; each cell coloured and labelled in words, so that the
    category never rests on colour alone. cell_styles: code -> (label, fill, text colour)."""
    from matplotlib.patches import Patch, Rectangle

    fig, ax = plt.subplots(figsize=(cell_width * grid.shape[1] + 2.8, 0.42 * grid.shape[0] + 1.6))
    for i, row in enumerate(grid.index):
        for j, column in enumerate(grid.columns):
            name, face, ink = cell_styles[grid.loc[row, column]]
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor="#999999", linewidth=0.5))
            ax.text(j + 0.5, i + 0.5, name, ha="center", va="center", fontsize=7.5, color=ink)
    ax.set_xlim(0, grid.shape[1])
    ax.set_ylim(grid.shape[0], 0)
    ax.set_xticks([j + 0.5 for j in range(grid.shape[1])], [column_labels[c] for c in grid.columns], fontsize=8)
    ax.set_yticks([i + 0.5 for i in range(grid.shape[0])], [row_labels[r] for r in grid.index])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.xaxis.tick_top()
    ax.set_title(title, pad=24)
    ax.legend(handles=[Patch(facecolor=f, edgecolor="#999999", label=n) for n, f, _ in cell_styles.values()],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    return fig


def vote_grid(votes: pd.DataFrame, row_labels: dict[str, str], title: str):
    """Countries x resolutions of UN votes (Y, N, A, X)."""
    return category_grid(votes, VOTE_STYLE, row_labels, {c: c.replace("A/RES/", "") for c in votes.columns}, title)


VERDICT_COLOURS = {"accurate": "#0072B2", "imprecise": "#56B4E9", "wrong": "#D55E00",
                   "unverifiable": "#999999", "opinion": "#E69F00"}


def stacked_counts(table: pd.DataFrame, colours: dict[str, str], title: str, xlabel: str):
    """Rows as horizontal bars, stacked by column, each segment labelled with its count."""
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(table) + 1.6))
    left = pd.Series(0, index=table.index)
    labels = list(reversed(table.index))
    for column in table.columns:
        values = table[column].reindex(labels)
        ax.barh(labels, values, left=left.reindex(labels), color=colours[column], label=column,
                edgecolor="white")
        for y, (value, start) in enumerate(zip(values, left.reindex(labels))):
            if value:
                ax.text(start + value / 2, y, str(int(value)), ha="center", va="center", fontsize=8,
                        color="white" if column in ("accurate", "wrong") else "#222222")
        left = left + table[column]
    ax.set_xlabel(xlabel)
    ax.set_title(title, pad=28)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8, ncols=len(table.columns), frameon=False)
    ax.set_xlim(0, left.max() * 1.05)
    fig.tight_layout()
    return fig


def ladder_timeline(events: pd.DataFrame, when: str, label: str, category: str, title: str,
                    colours: dict[str, str], order: list[str] | None = None, date_text: str | None = None):
    """Dated events on one vertical time axis (earliest at the top), a dot per event coloured by
    category, each labelled on the right. Labels of events close in time are pushed apart and
    joined to their dot by a thin line, so that a cluster of days stays legible beside a gap of
    years; the axis keeps true time. `date_text` names a column holding each date as it should be
    printed (a date known only to the month must not print a day)."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    events = events.sort_values(when).reset_index(drop=True)
    days = mdates.date2num(events[when])
    span = days.max() - days.min()
    gap = span / (1.25 * len(events))  # the minimum distance between two labels, in days
    placed = []
    for day in days:
        placed.append(max(day, placed[-1] + gap) if placed else day)
    fig, ax = plt.subplots(figsize=(5.6, 0.44 * len(events) + 1.6))
    ax.axvline(0, color="#bbbbbb", linewidth=1, zorder=0)
    for (_, event), day, at in zip(events.iterrows(), days, placed):
        colour = colours.get(event[category], style.INK)
        ax.scatter([0], [day], s=42, color=colour, edgecolor="white", linewidth=0.6, zorder=3)
        ax.plot([0.02, 0.12], [day, at], color="#999999", linewidth=0.6, zorder=1)
        printed = event[date_text] if date_text else f"{event[when]:%-d %b %Y}"
        ax.text(0.14, at, f"{printed}  {event[label]}", va="center", fontsize=10, color=style.INK)
    ax.set_xlim(-0.08, 1.0)  # labels run on past the axes; the saved figure is cropped to its content
    ax.set_ylim(max(placed[-1], days.max()) + gap, days.min() - gap)
    ax.yaxis.set_major_locator(mdates.YearLocator())
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.grid(axis="y", color="#eeeeee")
    ax.set_axisbelow(True)
    shown = [c for c in (order or list(colours)) if c in set(events[category])]
    ax.legend(handles=[Line2D([], [], marker="o", linestyle="", color=colours[c], label=c) for c in shown],
              loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(shown), fontsize=10, frameon=False)
    ax.set_title(title, pad=24)
    fig.tight_layout()
    return fig
