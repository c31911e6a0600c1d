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
