"""How a chart is laid out: for the desktop page, or for a phone.

The layout is a context object, not a module flag: `current()` is the Layout in force (a
context variable, so that a chart drawn in one thread or task never sees another's), DESKTOP
unless a caller draws inside `phone_layout()`. Every chart function reads it through the helpers
here (`pt`, `width`, `wrap`, ...); `responsive` records how a chart was drawn, so that
chart_output.save_figure can draw it again in its phone layout."""
from __future__ import annotations

import contextlib
import contextvars
import functools
import textwrap
from dataclasses import dataclass

import matplotlib as mpl

PHONE_WIDTH_IN = 4.8  # a 390 px phone shows a figure 340 CSS px wide: 71 px per figure inch
PHONE_MIN_PT = 10     # 10 pt at 71 px per inch renders at 9.8 CSS px (a figure may reach 5.2 in)
PHONE_SUFFIX = ".phone"


@dataclass(frozen=True)
class Layout:
    """A chart's layout: `phone` narrows it to PHONE_WIDTH_IN and keeps its text at PHONE_MIN_PT
    or more; `suffix` names its files in figures/ (NAME.phone.png)."""
    phone: bool = False
    suffix: str = ""

    @property
    def rc(self) -> dict:
        """The matplotlib settings of the layout."""
        if not self.phone:
            return {}
        return {"font.size": PHONE_MIN_PT, "legend.fontsize": PHONE_MIN_PT,
                "xtick.labelsize": PHONE_MIN_PT, "ytick.labelsize": PHONE_MIN_PT,
                "axes.labelsize": PHONE_MIN_PT, "axes.titlesize": PHONE_MIN_PT + 1}


DESKTOP = Layout()
PHONE = Layout(phone=True, suffix=PHONE_SUFFIX)
_LAYOUT: contextvars.ContextVar[Layout] = contextvars.ContextVar("cstobook_chart_layout", default=DESKTOP)


def current() -> Layout:
    """The layout charts are drawn in here and now."""
    return _LAYOUT.get()


def on_phone() -> bool:
    return _LAYOUT.get().phone


@contextlib.contextmanager
def drawn_in(layout: Layout):
    """Chart functions called inside draw in `layout`."""
    token = _LAYOUT.set(layout)
    try:
        with mpl.rc_context(layout.rc):
            yield layout
    finally:
        _LAYOUT.reset(token)


def phone_layout():
    """Chart functions called inside draw their phone layout."""
    return drawn_in(PHONE)


def pt(size: float) -> float:
    """A font size, raised to PHONE_MIN_PT in the phone layout."""
    return max(size, PHONE_MIN_PT) if on_phone() else size


def width(desktop: float) -> float:
    return min(desktop, PHONE_WIDTH_IN) if on_phone() else desktop


def wrap(text: str, desktop: int, phone: int) -> str:
    return "\n".join(textwrap.wrap(str(text), phone if on_phone() else desktop, break_long_words=False)) or str(text)


def title(ax, text: str, **kwargs) -> None:
    """A title that, on a phone, wraps rather than widening the figure."""
    ax.set_title(wrap(text, 200, 38), **kwargs)


def legend_below(ax, handles, ncols: int, space_pt: float, fontsize: float = 8):
    """A legend under the axes, space_pt points below them (room for tick labels and label)."""
    from matplotlib.transforms import offset_copy

    return ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), ncols=ncols,
                     bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-space_pt, units="points"),
                     fontsize=pt(fontsize), frameon=False)


def few_date_ticks(ax) -> None:
    """A date axis with a handful of concise ticks, which fit side by side on a phone."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def responsive(chart):
    """Records on the figure how it was drawn, so that save_figure can draw its phone layout and
    name the sources of the rows it was drawn from (a table argument's source_id column)."""
    @functools.wraps(chart)
    def drawn(*args, **kwargs):
        fig = chart(*args, **kwargs)
        fig._cstobook_recipe = (chart, args, kwargs)
        return fig
    return drawn
