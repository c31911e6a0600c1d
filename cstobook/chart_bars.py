"""Charts of quantities: bars, stacked bars and areas, ranges of estimates, membership spans."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from cstobook import style
from cstobook.chart_layout import PHONE_MIN_PT, on_phone  # the layout the chart is drawn in
from cstobook.chart_layout import (legend_below as _legend_below, pt as _pt, responsive as _responsive,
                                   title as _title, width as _width, wrap as _wrap)


@_responsive
def bloc_spending_chart(series: pd.DataFrame, names: dict[str, str], leader: str, title: str):
    """Stacked area of each member's spending, with the leader's share of the total beneath."""
    order = [leader] + sorted((c for c in series.columns if c != leader), key=lambda c: -series[c].sum())
    series = series[order]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(_width(8), 6.2), sharex=True,
                                      gridspec_kw={"height_ratios": [2.2, 1]})
    top.stackplot(series.index, (series.fillna(0) / 1000).T.values,
                  labels=[names[c] for c in order], colors=[style.MEMBER_COLOURS[c] for c in order],
                  edgecolor="white", linewidth=0.4)
    top.set_ylabel("US$ billion, constant 2022 prices")
    _title(top, title)
    top.legend(loc="upper left", ncols=2, fontsize=_pt(8))
    share = 100 * series[leader] / series.sum(axis=1, min_count=1)
    bottom.plot(share.index, share.values, color=style.MEMBER_COLOURS[leader], linewidth=2)
    bottom.set_ylim(0, 100)
    bottom.set_ylabel(f"{names[leader]}'s share (%)")
    bottom.set_xlabel("Year")
    fig.tight_layout()
    return fig


@_responsive
def membership_chart(spells: pd.DataFrame, names: dict[str, str], counts: pd.Series, counts_label: str,
                     end: pd.Timestamp, title: str):
    """Bars of each state's CST/CSTO membership (frozen spells hatched), and below, the number of
    members of a comparison alliance over the same years."""
    states = sorted(spells["iso3"].unique(), key=lambda c: (spells.loc[spells["iso3"] == c, "start"].min(), c))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(_width(9), 5.8), sharex=True,
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
    _title(top, title)
    top.tick_params(axis="y", length=0)
    bottom.step(counts.index, counts.values, where="post", color=style.CATEGORY_COLOURS["NATO"], linewidth=2)
    bottom.hlines(counts.iloc[-1], counts.index[-1], end, color=style.CATEGORY_COLOURS["NATO"], linewidth=2)
    bottom.set_ylabel(counts_label)
    bottom.set_ylim(0, counts.max() * 1.15)
    bottom.set_xlim(spells["start"].min() - pd.Timedelta(days=365), end)
    fig.tight_layout()
    return fig


@_responsive
def estimates_chart(estimates: pd.DataFrame, group: str, order: list[str], title: str, xlabel: str,
                    log: bool = False, colour_by: str | None = None, colours: dict[str, str] | None = None):
    """Every estimate of every group on one axis: a dot for a single value, a bar for a range
    (value_low to value_high), an open marker for a bound given alone ('at least', 'up to').
    A log scale keeps small forces visible beside large ones."""
    colours = colours or {}
    fig, ax = plt.subplots(figsize=(_width(9), (0.7 if on_phone() else 0.55) * len(order) + 1.4))
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
    ax.set_yticks(list(rows.values()), [_wrap(name, 200, 22) for name in rows])
    ax.set_ylim(-0.7, len(order) - 0.3)
    if log:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")  # plain numbers (10,000), not powers of ten: digits a reader of either edition reads
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.set_xlabel(xlabel)
    _title(ax, title)
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    if colour_by:
        from matplotlib.lines import Line2D
        shown = [k for k in colours if k in set(estimates[colour_by])]
        handles = [Line2D([], [], marker="o", linestyle="", color=colours[k], label=k) for k in shown]
        if on_phone():
            _legend_below(ax, handles, 1, 3.2 * PHONE_MIN_PT)
        else:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    return fig


@_responsive
def stacked_counts(table: pd.DataFrame, colours: dict[str, str], title: str, xlabel: str):
    """Rows as horizontal bars, stacked by column, each segment labelled with its count."""
    fig, ax = plt.subplots(figsize=(_width(8.5), 0.55 * len(table) + 1.6))
    left = pd.Series(0, index=table.index)
    labels = list(reversed(table.index))
    for column in table.columns:
        values = table[column].reindex(labels)
        ax.barh(labels, values, left=left.reindex(labels), color=colours[column], label=column,
                edgecolor="white")
        for y, (value, start) in enumerate(zip(values, left.reindex(labels))):
            if value:
                ax.text(start + value / 2, y, str(int(value)), ha="center", va="center", fontsize=_pt(8),
                        color="white" if column in ("accurate", "wrong") else "#222222")
        left = left + table[column]
    ax.set_xlabel(xlabel)
    ax.set_yticks(range(len(labels)), [_wrap(name, 200, 22) for name in labels])
    columns = 2 if on_phone() else len(table.columns)
    _title(ax, title, pad=28 + (len(table.columns) - 1) // columns * 1.4 * _pt(8))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=_pt(8), ncols=columns, frameon=False)
    ax.set_xlim(0, left.max() * 1.05)
    fig.tight_layout()
    return fig


@_responsive
def bars(values: pd.Series, title: str, xlabel: str, colour: str = "#222222"):
    """One horizontal bar per entry of `values` (labels from its index), the first at the top,
    each labelled with its value: the simplest chart, the chapter template's."""
    fig, ax = plt.subplots(figsize=(_width(6), 0.4 * len(values) + 1.5))
    labels = [_wrap(label, 200, 22) for label in reversed([str(i) for i in values.index])]
    numbers = values.to_numpy(dtype=float)[::-1]
    ax.barh(labels, numbers, color=colour)
    for y, value in enumerate(numbers):
        ax.text(value, y, f" {value:,.0f}", va="center", fontsize=_pt(8), color=colour)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, numbers.max() * 1.15 if len(numbers) else 1)
    _title(ax, title)
    fig.tight_layout()
    return fig
