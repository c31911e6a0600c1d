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
