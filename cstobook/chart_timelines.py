"""Charts of dates: events on lanes or on a vertical time axis, dated items and dated estimates."""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mpl_ticker
import pandas as pd
from matplotlib.text import Text

from cstobook import style
from cstobook.chart_layout import PHONE_MIN_PT, on_phone  # the layout the chart is drawn in
from cstobook.chart_layout import (few_date_ticks as _few_date_ticks, legend_below as _legend_below, pt as _pt,
                                   responsive as _responsive, title as _title, width as _width, wrap as _wrap)
from cstobook.style import PHONE_LANE_COLOURS


@_responsive
def timeline(events: pd.DataFrame, when: str, lane: str, label: str, title: str,
             lanes: list[str] | None = None, colours: dict[str, str] | None = None):
    """Dated events as dots on horizontal lanes (one per category), each labelled.

    `when` holds Timestamps; `lanes` fixes the order of categories from top to bottom. Labels are
    set above and below their dot, further out where a nearer place would overlap another label,
    with a leader line back to the dot."""
    lanes = lanes or list(dict.fromkeys(events[lane]))
    colours = colours or {}
    labelled = events[label].fillna("").astype(str).str.len().gt(0).any()
    if on_phone() and labelled:  # a phone is too narrow for labels side by side: one event a line
        palette = iter(PHONE_LANE_COLOURS)
        lane_colours = {name: colours.get(name) or next(palette) for name in lanes}
        shown = events[events[label].fillna("").astype(str).str.len() > 0]
        return ladder_timeline.__wrapped__(shown.assign(printed=shown[when].dt.strftime("%b %Y")), when, label,
                                           lane, title, lane_colours, order=lanes, date_text="printed")
    lane_height = (2.4 if on_phone() else 1.35) if labelled else 0.75
    fig, ax = plt.subplots(figsize=(_width(9), 0.9 + lane_height * len(lanes)))
    size = _pt(8)
    ax.set_xlim(events[when].min() - pd.Timedelta(days=60), events[when].max() + pd.Timedelta(days=60))
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    for row, name in enumerate(lanes):
        subset = events[events[lane] == name].sort_values(when)
        y = len(lanes) - 1 - row
        ax.axhline(y, color="#dddddd", linewidth=0.8, zorder=0)
        ax.scatter(subset[when], [y] * len(subset), s=30, color=colours.get(name, style.INK),
                   edgecolor="white", linewidth=0.6, zorder=2)
    ax.set_yticks(range(len(lanes)), list(reversed(lanes)))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if on_phone():
        _few_date_ticks(ax)
    _title(ax, title)

    def place_labels() -> list:
        """Label every event of every lane where its text overlaps no other label of the lane."""
        renderer = fig.canvas.get_renderer()
        made = []
        for row, name in enumerate(lanes):
            subset = events[events[lane] == name].sort_values(when)
            y = len(lanes) - 1 - row
            placed = []  # window extents of this lane's labels
            for _, event in subset.iterrows():
                if not event[label]:
                    continue
                for level in (1, -1, 2, -2, 3, -3, 4, -4, 5, -5):
                    offset = (5 + 10 * size / 7 * (abs(level) - 1)) * (1 if level > 0 else -1)
                    text = ax.annotate(_wrap(event[label], 200, 18), (event[when], y), xytext=(0, offset),
                                       textcoords="offset points", ha="center", va="bottom" if level > 0 else "top",
                                       fontsize=size, color="#333333",
                                       arrowprops={"arrowstyle": "-", "color": "#aaaaaa", "linewidth": 0.5,
                                                   "shrinkA": 0, "shrinkB": 3} if abs(level) > 1 else None)
                    # the text's own box, where the offset puts it (an Annotation's extent would
                    # include its leader line)
                    text.update_positions(renderer)
                    box = Text.get_window_extent(text, renderer).expanded(1.08, 0.8)
                    if not any(box.overlaps(other) for other in placed):
                        placed.append(box)
                        made.append(text)
                        break
                    text.remove()
                else:  # no free place: the outermost level, overlapping rather than lost
                    text = ax.annotate(_wrap(event[label], 200, 18), (event[when], y), xytext=(0, -55 * size / 7),
                                       textcoords="offset points", ha="center", va="top", fontsize=size)
                    placed.append(text.get_window_extent(renderer))
                    made.append(text)
        return made

    # Fitting the layout to the labels moves the dots under them, so that labels placed apart can
    # touch: place them, fit the layout, then place them again on the final axes.
    first = place_labels()
    fig.tight_layout()
    for text in first:
        text.remove()
    place_labels()
    return fig


@_responsive
def sizes_over_time(estimates: pd.DataFrame, group: str, when: str, order: list[str], official: str,
                    colours: dict[str, str], title: str, ylabel: str):
    """Each size estimate of each force at the date it refers to: filled dots for the figures of
    the organisation itself (rows where `official` is true), open dots for others, and a dot with
    an upward arrow for a lower bound given alone ('over')."""
    from matplotlib.lines import Line2D

    fig, ax = plt.subplots(figsize=(_width(9), 4.8))
    for name in order:
        colour = colours[name]
        rows = estimates[estimates[group] == name]
        for _, estimate in rows.iterrows():
            value = estimate["value"] if pd.notna(estimate["value"]) else estimate["value_low"]
            filled = bool(estimate[official])
            ax.scatter([estimate[when]], [value], s=46, zorder=3, color=colour if filled else "white",
                       edgecolor=colour, linewidth=1.6)
            if pd.isna(estimate["value"]):
                ax.annotate("", xy=(estimate[when], value * 1.12), xytext=(estimate[when], value),
                            arrowprops={"arrowstyle": "->", "color": colour})
    shown = estimates[estimates[group].isin(order)]
    ax.set_ylim(0, 1.2 * shown[["value", "value_low"]].max().max())
    ax.set_ylabel(ylabel)
    _title(ax, title)
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    ax.yaxis.set_major_formatter(mpl_ticker.StrMethodFormatter("{x:,.0f}"))
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[n], label=n) for n in order]
    handles += [Line2D([], [], marker="o", linestyle="", color="#777777", label="figure of the CSTO or its officials"),
                Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#777777",
                       label="figure of the press or an expert")]
    if on_phone():
        _few_date_ticks(ax)
        _legend_below(ax, handles, 1, 2 * PHONE_MIN_PT)
    else:  # under the axes, not beside them: mirrored for a right-to-left twin, it stays clear of the y axis
        _legend_below(ax, handles, 3, 24)
    fig.tight_layout()
    return fig


@_responsive
def items_by_date(items: pd.DataFrame, when: str, label: str, category: str, title: str,
                  styles: dict[str, tuple[str, str]], xlabel: str = ""):
    """One row per item, oldest at the top: a dot at its date, coloured and shaped by its category
    (so that the category never rests on colour alone), with the item's label beside it.
    styles: category -> (colour, matplotlib marker), in legend order."""
    from matplotlib.lines import Line2D

    rows = items.sort_values([when, label]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(_width(8.5), (0.4 if on_phone() else 0.32) * len(rows) + 1.5))
    start, end = rows[when].min(), rows[when].max()
    for y, item in rows.iterrows():
        colour, marker = styles[item[category]]
        ax.axhline(y, color="#eeeeee", linewidth=0.6, zorder=0)
        ax.scatter(item[when], y, s=46, color=colour, marker=marker, edgecolor="white", linewidth=0.6, zorder=2)
        # Labels point inwards, so that the axis ends at the data rather than at a label's end.
        late = item[when] > start + (end - start) / 2
        ax.annotate(item[label], (item[when], y), xytext=(-7 if late else 7, 0), textcoords="offset points",
                    va="center", ha="right" if late else "left", fontsize=_pt(8), color="#333333")
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlim(start - (end - start) * 0.03, end + (end - start) * 0.03)
    ax.set_xlabel(xlabel)
    _title(ax, title, pad=26)
    ax.legend(handles=[Line2D([], [], linestyle="", marker=marker, color=colour, markeredgecolor="white",
                              markersize=8, label=name) for name, (colour, marker) in styles.items()],
              loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(styles), fontsize=_pt(8), frameon=False)
    fig.tight_layout()
    return fig



@_responsive
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
    fig, ax = plt.subplots(figsize=(4.4 if on_phone() else 5.6, (0.6 if on_phone() else 0.44) * len(events) + 1.6))
    ax.axvline(0, color="#bbbbbb", linewidth=1, zorder=0)
    for (_, event), day, at in zip(events.iterrows(), days, placed):
        colour = colours.get(event[category], style.INK)
        ax.scatter([0], [day], s=42, color=colour, edgecolor="white", linewidth=0.6, zorder=3)
        ax.plot([0.02, 0.12], [day, at], color="#999999", linewidth=0.6, zorder=1)
        printed = event[date_text] if date_text else f"{event[when]:%-d %b %Y}"
        ax.text(0.14, at, _wrap(f"{printed}  {event[label]}", 200, 36), va="center", fontsize=10, color=style.INK)
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
              loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1 if on_phone() else len(shown), fontsize=10, frameon=False)
    _title(ax, title, pad=24 + (18 * (len(shown) - 1) if on_phone() else 0))
    fig.tight_layout()
    return fig
