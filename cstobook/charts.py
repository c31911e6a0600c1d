"""Charts of the book, and the one way figures are written to figures/ (PNG and SVG).

Every chart function also has a phone layout: `save_figure` draws the chart a second time under
`phone_layout()` (narrower, re-laid-out, no text under PHONE_MIN_PT) and writes it beside the
desktop figure as NAME.phone.png and NAME.phone.svg; the book's pages offer it to narrow screens
(_ext/reader_edition.py). Each static figure carries a one-line source under it."""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.ticker as mpl_ticker
import pandas as pd
from matplotlib.text import Text

from cstobook import i18n, paths, style

PHONE_WIDTH_IN = 4.8  # a 390 px phone shows a figure 340 CSS px wide: 71 px per figure inch
PHONE_MIN_PT = 10     # 10 pt at 71 px per inch renders at 9.8 CSS px (a figure may reach 5.2 in)
PHONE_SUFFIX = ".phone"
PHONE_LANE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")  # Okabe-Ito
MAX_SOURCES_NAMED = 4  # a figure's source line names at most this many sources
WEB_FIGURE_KEY = "cstobook-web-figure"
SOURCE_GID = "cstobook-source"  # the SVG group of a figure's source line  # PNG text key: sha256 of the notebook's rendering of the chart

_phone = False


@contextlib.contextmanager
def phone_layout():
    """Chart functions called inside draw their phone layout."""
    global _phone
    before = _phone
    _phone = True
    try:
        with mpl.rc_context({"font.size": PHONE_MIN_PT, "legend.fontsize": PHONE_MIN_PT,
                             "xtick.labelsize": PHONE_MIN_PT, "ytick.labelsize": PHONE_MIN_PT,
                             "axes.labelsize": PHONE_MIN_PT, "axes.titlesize": PHONE_MIN_PT + 1}):
            yield
    finally:
        _phone = before


def _pt(size: float) -> float:
    """A font size, raised to PHONE_MIN_PT in the phone layout."""
    return max(size, PHONE_MIN_PT) if _phone else size


def _width(desktop: float) -> float:
    return min(desktop, PHONE_WIDTH_IN) if _phone else desktop


def _wrap(text: str, desktop: int, phone: int) -> str:
    return "\n".join(textwrap.wrap(str(text), phone if _phone else desktop, break_long_words=False)) or str(text)


def _title(ax, text: str, **kwargs) -> None:
    """A title that, on a phone, wraps rather than widening the figure."""
    ax.set_title(_wrap(text, 200, 38), **kwargs)


def _legend_below(ax, handles, ncols: int, space_pt: float, fontsize: float = 8):
    """A legend under the axes, space_pt points below them (room for tick labels and label)."""
    from matplotlib.transforms import offset_copy

    return ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, 0), ncols=ncols,
                     bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-space_pt, units="points"),
                     fontsize=_pt(fontsize), frameon=False)


def _few_date_ticks(ax) -> None:
    """A date axis with a handful of concise ticks, which fit side by side on a phone."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _responsive(chart):
    """Records on the figure how it was drawn, so that save_figure can draw its phone layout and
    name the sources of the rows it was drawn from (a table argument's source_id column)."""
    @functools.wraps(chart)
    def drawn(*args, **kwargs):
        fig = chart(*args, **kwargs)
        fig._cstobook_recipe = (chart, args, kwargs)
        return fig
    return drawn


def _source_keys(fig) -> list[str]:
    from cstobook import data

    recipe = getattr(fig, "_cstobook_recipe", None)
    keys = []
    for value in ([*recipe[1], *recipe[2].values()] if recipe else []):
        if isinstance(value, pd.DataFrame) and "source_id" in value.columns:
            keys += [k for cell in value["source_id"] for k in data.source_keys(cell)]
    return list(dict.fromkeys(keys))


def _keys(source) -> list[str]:
    from cstobook import data

    if isinstance(source, pd.DataFrame):
        return [k for cell in source["source_id"] for k in data.source_keys(cell)]
    if isinstance(source, str):
        return [source]
    return [k for item in source for k in _keys(item)]


def source_line(source) -> str:
    """'Source: Author Year; ...' of bibliography keys and of the rows of tables with a source_id
    column (one or a list of them), or the line given as a string."""
    from cstobook import tables

    if isinstance(source, str):
        return source if source.lower().startswith("source") else f"Source: {source}"
    labels = list(dict.fromkeys(tables.author_year(k) for k in _keys(source)))
    if not labels:
        raise ValueError("a figure needs at least one source")
    if len(labels) > MAX_SOURCES_NAMED:  # one line: the first, and how many more the book's tables list
        rest = len(labels) - MAX_SOURCES_NAMED + 1
        labels = labels[:MAX_SOURCES_NAMED - 1] + [f"and {rest} more sources listed in the book's tables"]
    return f"{'Sources' if len(labels) > 1 else 'Source'}: {'; '.join(labels)}."


def _draw_source(fig, text: str) -> None:
    """The source under the figure's content, wrapped to the figure's width."""
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)  # inches
    size = _pt(8)
    chars = max(30, int(box.width * 72 / (0.55 * size)))
    fig.text(box.x0 / fig.get_figwidth(), (box.y0 - 0.08) / fig.get_figheight(), "\n".join(textwrap.wrap(text, chars)),
             ha="left", va="top", fontsize=size, color="#444444", gid=SOURCE_GID)


def _web_rendering_hash(fig) -> str | None:
    """sha256 of the PNG that the notebook shows for this figure (IPython's own formatter, as
    glue() stores it), or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    import base64

    rendered = shell.display_formatter.formatters["image/png"](fig)
    if rendered is None:
        return None
    if isinstance(rendered, tuple):
        rendered = rendered[0]
    raw = base64.b64decode(rendered) if isinstance(rendered, str) else rendered
    return hashlib.sha256(raw).hexdigest()


# An SVG keeps text as text (svg.fonttype "none"), which the browser shapes. A line of right-to-left
# text must be laid out right to left (a mixed line such as the source line orders its parts by
# it), anchored where matplotlib anchored it: a text's start is then its right end.
_SVG_TEXT = re.compile(r'<text style="(?P<style>[^"]*)"')
_RIGHT_TO_LEFT_CHARACTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_MIRRORED_ANCHOR = {"start": "end", "end": "start", "middle": "middle"}


def _right_to_left_svg(svg: str) -> str:
    def laid_out(match: re.Match) -> str:
        end = svg.find("</text>", match.end())
        if not _RIGHT_TO_LEFT_CHARACTER.search(svg[match.end():end]):
            return match[0]
        style = match["style"]
        anchor = re.search(r"text-anchor:\s*(\w+)", style)
        style = re.sub(r";?\s*text-anchor:\s*\w+", "", style)
        return (f'<text style="{style}; text-anchor: {_MIRRORED_ANCHOR[anchor[1] if anchor else "start"]}; '
                f'direction: rtl"')
    return _SVG_TEXT.sub(laid_out, svg)


def _write(fig, name: str, png_text: dict | None = None, language: str = "en") -> list[str]:
    """PNG and SVG of `fig`, each written whole to a temporary file and then moved into place, so
    that a reader of figures/ (another build, a test) never sees half a file."""
    written = []
    for suffix, metadata in (("png", {"Software": None, **(png_text or {})}), ("svg", {"Date": None, "Creator": None})):
        target = paths.FIGURES / f"{name}.{suffix}"
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        # a twin in another language stands, on its pages, for the notebook's own rendering of the
        # chart (drawn at figure.dpi, lighter than savefig.dpi): its desktop PNG is drawn at that
        # resolution too (the phone layout keeps savefig.dpi, for the phone's dense screen)
        web = language != "en" and not _phone
        fig.savefig(partial, format=suffix, metadata=metadata, bbox_inches="tight",
                    **({"dpi": mpl.rcParams["figure.dpi"]} if suffix == "png" and web else {}))
        if suffix == "svg" and language in i18n.RIGHT_TO_LEFT:
            partial.write_text(_right_to_left_svg(partial.read_text(encoding="utf-8")), encoding="utf-8")
        os.replace(partial, target)
        written.append(f"figures/{target.name}")
    return written


def save_figure(fig, name: str, close: bool = False, source=None) -> list[str]:
    """Write figures/NAME.png and figures/NAME.svg byte-reproducibly (no dates, fixed SVG ids),
    with a source line under the figure; for a chart of this module also its phone layout,
    figures/NAME.phone.png and .svg. `source`: bibliography keys, a table with a source_id
    column or a written line; by default the sources of the tables the chart was drawn from.
    A figure of i18n.TRANSLATED_FIGURES also gets, in each language whose catalogue translates
    all its words, a twin in that language (figures/NAME.ar.png, .svg and their phone layout;
    see `_write_translations`).
    close=True also closes the figure, so that the notebook does not show it a second time."""
    paths.FIGURES.mkdir(exist_ok=True)
    line = source_line(source if source is not None else _source_keys(fig))
    web_hash = _web_rendering_hash(fig)
    _draw_source(fig, line)
    translated = name in i18n.TRANSLATED_FIGURES
    written = _write(fig, name, _words_metadata(fig) if translated else None)
    layouts = {"": fig}
    recipe = getattr(fig, "_cstobook_recipe", None)
    if recipe:
        chart, args, kwargs = recipe
        with phone_layout():
            phone = chart(*args, **kwargs)
            _draw_source(phone, line)
            written += _write(phone, name + PHONE_SUFFIX, {**({WEB_FIGURE_KEY: web_hash} if web_hash else {}),
                                                           **(_words_metadata(phone) if translated else {})})
        layouts[PHONE_SUFFIX] = phone
    if translated:
        written += _write_translations(name, layouts)
    if recipe:
        plt.close(phone)
    if close:
        plt.close(fig)
    return written


# --- Figures in other languages ---------------------------------------------------------------
# A translated twin is the same Figure object, re-labelled: every text the figure carries gets its
# translation from the figures catalogue (i18n.translate(..., "figures")), in a font of the book's
# own (_static/fonts), and the English is put back. The text stays in logical order: matplotlib
# (3.11 and later, through libraqm: HarfBuzz and FriBiDi) joins Arabic letters and orders
# right-to-left text itself, so text shaped beforehand (arabic_reshaper, python-bidi) would be
# reversed a second time; tests/test_arabic_figures.py checks its shaping against those libraries.

FIGURE_WORDS_KEY = "cstobook-figure-words"       # PNG text key: the figure's words (JSON list)
UNTRANSLATED_KEY = "cstobook-untranslated-{}"    # PNG text key: the words not translated into a language
FONT_FILES = {"ar": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")}
FONT_FAMILIES = {"ar": ["Noto Naskh Arabic", "DejaVu Sans"]}  # Latin letters (sources' names) from the second
_WORDS = re.compile(r"[^\W\d_]")  # a text with a letter in it has words to translate; digits alone do not
RIGHT_TO_LEFT_MARK = "\u200f"
_MIRRORED_LOC = {1: 2, 2: 1, 3: 4, 4: 3, 5: 6, 6: 7, 7: 6}  # Legend location codes, left and right swapped


def twin_name(name: str, language: str, layout: str = "") -> str:
    """figures/ name (no suffix) of a figure's twin in `language`: NAME.ar, NAME.ar.phone."""
    return f"{name}.{language}{layout}"


def _message(text: str) -> str:
    """A text as its catalogue message: the lines a chart wrapped it into, joined again."""
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def _rewrapped(translation: str, english: str) -> str:
    """A translation wrapped as the English was: to the length of its longest line."""
    lines = english.split("\n")
    if len(lines) == 1:
        return translation
    return "\n".join(textwrap.wrap(translation, max(len(line) for line in lines), break_long_words=False)) or translation


def _texts(artist):
    """The Text artists under `artist`, not those of tick labels (an axis draws them afresh
    from its formatter: see _tick_labels)."""
    from matplotlib.axis import Axis

    if isinstance(artist, Axis):
        yield from (artist.label, artist.offsetText)
        return
    for child in artist.get_children():
        if isinstance(child, Text):
            yield child
        yield from _texts(child)


def _tick_labels(fig) -> list[tuple]:
    """(axis, tick positions, labels) of every axis whose labels hold words."""
    found = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            locations = [v for v in axis.get_majorticklocs()]
            labels = axis.major.formatter.format_ticks(locations)
            if any(_WORDS.search(label) for label in labels):
                found.append((axis, locations, labels))
    return found


def figure_words(fig) -> list[str]:
    """The messages of every text with words on the figure, in a stable order."""
    words = [_message(t.get_text()) for t in _texts(fig) if t.get_visible() and _WORDS.search(t.get_text())]
    words += [_message(label) for _, _, labels in _tick_labels(fig) for label in labels if _WORDS.search(label)]
    return list(dict.fromkeys(words))


def untranslated_words(fig, language: str) -> list[str]:
    return [w for w in figure_words(fig) if not i18n.is_translated(w, language, "figures")]


def _words_metadata(fig) -> dict[str, str]:
    metadata = {FIGURE_WORDS_KEY: json.dumps(figure_words(fig))}
    for language in i18n.LANGUAGES:
        metadata[UNTRANSLATED_KEY.format(language)] = json.dumps(untranslated_words(fig, language))
    return metadata


@functools.lru_cache(maxsize=None)
def _register_fonts(language: str) -> None:
    """The book's own font for `language`, from _static/fonts (never a system font)."""
    from matplotlib import font_manager

    for file in FONT_FILES[language]:
        font_manager.fontManager.addfont(str(paths.ROOT / "_static" / "fonts" / file))


@contextlib.contextmanager
def _relabelled(fig, language: str):
    """The figure with its words in `language` (every one must be translated), mirrored where a
    right-to-left reader expects it (titles, legends, the source line: on the right), then as it
    was. Time and number axes keep their direction and their digits."""
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedFormatter, FixedLocator

    _register_fonts(language)
    family = FONT_FAMILIES[language]
    right_to_left = language in i18n.RIGHT_TO_LEFT

    def local(text: str) -> str:
        translated = _rewrapped(i18n.translate(_message(text), language, "figures"), text)
        if right_to_left:  # each line right to left, also one that begins with a digit or a Latin name
            translated = "\n".join(RIGHT_TO_LEFT_MARK + line for line in translated.split("\n"))
        return translated

    saved_texts, saved_axes, saved_legends, saved_titles = [], [], [], []
    texts = [t for t in _texts(fig) if t.get_visible() and _WORDS.search(t.get_text())]  # before legends change
    try:
        for axis, locations, labels in _tick_labels(fig):
            saved_axes.append((axis, axis.major.locator, axis.major.formatter,
                               axis.get_majorticklabels()[0].get_fontfamily() if axis.get_majorticklabels() else None))
            axis.set_major_locator(FixedLocator(locations))
            axis.set_major_formatter(FixedFormatter([local(label) for label in labels]))
            axis.set_tick_params(labelfontfamily=family)
        for ax in fig.axes:
            legend = ax.get_legend()
            if legend is None:
                continue
            handles = list(legend.legend_handles)
            labels = [local(t.get_text()) for t in legend.get_texts()]
            columns = legend._ncols
            if right_to_left and len(handles) <= columns:  # one row, read from the right
                handles, labels = handles[::-1], labels[::-1]
            elif right_to_left:  # columns (filled top to bottom) read from the right: the last
                rows = -(-len(handles) // columns)  # column filled up with blank entries
                blanks = rows * columns - len(handles)
                handles = handles + [Line2D([], [], linestyle="", marker="")] * blanks
                labels = labels + [""] * blanks
                order = [i for c in reversed(range(columns)) for i in range(c * rows, (c + 1) * rows)]
                handles, labels = [handles[i] for i in order], [labels[i] for i in order]
            anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
            # A legend set beside the axes (anchored) moves to the other side; one inside them
            # stays where it was put, clear of the data.
            if right_to_left and legend._bbox_to_anchor is not None:
                x = 1 - anchor.x1
                if anchor.x0 >= 1:  # beside the axes on the right: on the left, clear of the y axis's labels
                    edge = ax.yaxis.get_tightbbox(fig.canvas.get_renderer())
                    if edge is not None:
                        x = min(x, ax.transAxes.inverted().transform((edge.x0, 0))[0] - (anchor.x0 - 1))
                anchor = (x, anchor.y0, anchor.width, anchor.height)
                location = _MIRRORED_LOC.get(legend._loc, legend._loc)
            else:
                anchor, location = anchor.bounds, legend._loc
            mirrored = Legend(ax, handles, labels, loc=location, bbox_to_anchor=anchor, bbox_transform=ax.transAxes,
                              ncols=columns, frameon=legend.get_frame_on(), markerfirst=not right_to_left,
                              alignment="right" if right_to_left else "left",
                              prop={"family": family, "size": legend.get_texts()[0].get_fontsize()})
            mirrored._remove_method = ax._remove_legend
            saved_legends.append((ax, legend))
            ax.legend_ = mirrored
        for text in texts:
            saved_texts.append((text, text.get_text(), text.get_fontproperties().copy(), text.get_ha(),
                                text._multialignment, text.get_position()))
            text.set_text(local(text.get_text()))
            text.set_fontfamily(family)
            text.set_language(language)
            if right_to_left:
                text.set_multialignment("right")
        if right_to_left:
            for ax in fig.axes:  # a title set on the left moves to the right
                left, right = ax._left_title, ax._right_title
                if left.get_text() and not right.get_text():
                    saved_texts.append((right, "", right.get_fontproperties().copy(), right.get_ha(),
                                        right._multialignment, right.get_position()))
                    saved_texts.append((left, left.get_text(), left.get_fontproperties().copy(), left.get_ha(),
                                        left._multialignment, left.get_position()))
                    right.set_text(left.get_text())
                    right.set_fontproperties(left.get_fontproperties())
                    right.set_color(left.get_color())
                    right.set_multialignment("right")
                    left.set_text("")
            renderer = fig.canvas.get_renderer()
            for ax in fig.axes:  # a legend above the axes, taller in this script, stays under the title
                title, legend = ax._right_title, ax.get_legend()
                if legend is None or not title.get_text():
                    continue
                below, above = legend.get_window_extent(renderer), title.get_window_extent(renderer)
                overlap = below.y1 + 4 - above.y0
                if overlap > 0 and below.x1 > above.x0 and above.x1 > below.x0:
                    saved_titles.append((ax, ax._autotitlepos))
                    ax._autotitlepos = False
                    title.set_y(title.get_position()[1] + overlap / ax.bbox.height)
            for ax in fig.axes:  # a legend under the axes stays clear of the x axis's label, taller in this script
                legend, label = ax.get_legend(), ax.xaxis.get_tightbbox(renderer)
                if legend is None or label is None:
                    continue
                box = legend.get_window_extent(renderer)
                overlap = box.y1 + 4 - label.y0
                if box.y1 < ax.bbox.y0 and overlap > 0:
                    anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
                    legend.set_bbox_to_anchor((anchor.x0, anchor.y0 - overlap / ax.bbox.height, anchor.width,
                                               anchor.height), transform=ax.transAxes)
            sources = [t for t in fig.texts if t.get_gid() == SOURCE_GID]
            for source in sources:  # the source line ends where the content does, and stays under it
                source.set_visible(False)
                box = fig.get_tightbbox(fig.canvas.get_renderer())
                source.set_visible(True)
                source.set_x(box.x1 / fig.get_figwidth())
                source.set_y(min(source.get_position()[1], (box.y0 - 0.08) / fig.get_figheight()))
                source.set_ha("right")
        yield fig
    finally:
        for text, words, font, alignment, multialignment, position in reversed(saved_texts):
            text.set_text(words)
            text.set_fontproperties(font)
            text.set_ha(alignment)
            text._multialignment = multialignment
            text.set_position(position)
            text.set_language(None)
        for ax, legend in saved_legends:
            ax.legend_ = legend
        for ax, automatic in saved_titles:
            ax._autotitlepos = automatic
        for axis, locator, formatter, font in saved_axes:
            axis.set_major_locator(locator)
            axis.set_major_formatter(formatter)
            if font is not None:
                axis.set_tick_params(labelfontfamily=font)


def _write_translations(name: str, layouts: dict) -> list[str]:
    """The twins of figure NAME in each language whose figures catalogue translates every word
    of every layout (layouts: file-name suffix -> Figure, "" for the desktop figure). A figure
    with a word not translated gets no twin in that language, and a twin written before is
    removed: its English PNG names the words missing (UNTRANSLATED_KEY)."""
    written = []
    for language in i18n.LANGUAGES:
        complete = not any(untranslated_words(f, language) for f in layouts.values())
        for layout, figure in layouts.items():
            target = twin_name(name, language, layout)
            if not complete:
                for stale in paths.FIGURES.glob(f"{target}.*"):
                    if stale.suffix in (".png", ".svg") and stale.stem == target:
                        stale.unlink()
                continue
            with phone_layout() if layout else contextlib.nullcontext(), _relabelled(figure, language):
                written += _write(figure, target, language=language)
    return written


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
def timeline(events: pd.DataFrame, when: str, lane: str, label: str, title: str,
             lanes: list[str] | None = None, colours: dict[str, str] | None = None):
    """Dated events as dots on horizontal lanes (one per category), each labelled.

    `when` holds Timestamps; `lanes` fixes the order of categories from top to bottom. Labels are
    set above and below their dot, further out where a nearer place would overlap another label,
    with a leader line back to the dot."""
    lanes = lanes or list(dict.fromkeys(events[lane]))
    colours = colours or {}
    labelled = events[label].fillna("").astype(str).str.len().gt(0).any()
    if _phone and labelled:  # a phone is too narrow for labels side by side: one event a line
        palette = iter(PHONE_LANE_COLOURS)
        lane_colours = {name: colours.get(name) or next(palette) for name in lanes}
        shown = events[events[label].fillna("").astype(str).str.len() > 0]
        return ladder_timeline.__wrapped__(shown.assign(printed=shown[when].dt.strftime("%b %Y")), when, label,
                                           lane, title, lane_colours, order=lanes, date_text="printed")
    lane_height = (2.4 if _phone else 1.35) if labelled else 0.75
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
    if _phone:
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
    fig, ax = plt.subplots(figsize=(_width(9), (0.7 if _phone else 0.55) * len(order) + 1.4))
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
        if _phone:
            _legend_below(ax, handles, 1, 3.2 * PHONE_MIN_PT)
        else:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    fig.tight_layout()
    return fig


VOTE_STYLE = {"Y": ("Yes", "#0072B2", "white"), "N": ("No", "#D55E00", "white"),
              "A": ("Abstain", "#E6E6E6", "#222222"), "X": ("Absent", "#FFFFFF", "#777777")}
ASSESSMENT_STYLE = {"met": ("met", "#0072B2", "white"), "not met": ("not met", "#D55E00", "white"),
                    "disputed": ("disputed", "#F0E442", "#222222")}


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

    if _phone:  # cells no wider than lets the grid and its row labels (about 1.5 in) fit a phone
        cell = min(phone_cell_width, (PHONE_WIDTH_IN + 0.3 - 1.5) / grid.shape[1])
        fig, ax = plt.subplots(figsize=(cell * grid.shape[1] + 1.6, phone_row_height * grid.shape[0] + 1.6))
    else:
        fig, ax = plt.subplots(figsize=(cell_width * grid.shape[1] + 2.4, 0.42 * grid.shape[0] + 2.2))
    for i, row in enumerate(grid.index):
        for j, column in enumerate(grid.columns):
            name, face, ink = cell_styles[grid.loc[row, column]]
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor="#999999", linewidth=0.5))
            ax.text(j + 0.5, i + 0.5, _wrap(name.replace("\n", " "), 200, 8) if _phone else name,
                    ha="center", va="center", fontsize=_pt(9), color=ink)
    if divider_before is not None:
        ax.axvline(list(grid.columns).index(divider_before), color=style.INK, linewidth=2.5)
    ax.set_xlim(0, grid.shape[1])
    ax.set_ylim(grid.shape[0], 0)
    ax.set_xticks([j + 0.5 for j in range(grid.shape[1])], [column_labels[c] for c in grid.columns], fontsize=_pt(9),
                  rotation=90 if _phone else 0)
    ax.set_yticks([i + 0.5 for i in range(grid.shape[0])], [row_labels[r] for r in grid.index])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.xaxis.tick_top()
    _title(ax, title, pad=24)
    handles = [Patch(facecolor=f, edgecolor="#999999", label=n) for n, f, _ in cell_styles.values()]
    legend = _legend_below(ax, handles, 2 if _phone else (len(handles) if len(handles) <= 4 else 3), 6, fontsize=9)
    fig.tight_layout()
    if note:  # under the legend, once the layout is fixed
        box = legend.get_window_extent(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
        fig.text(0.02, box.y0 - 0.01, note, ha="left", va="top", fontsize=_pt(8))
    return fig


OUTCOME_STYLE = {"force deployed": ("force deployed", "#009E73", "#222222"),
                 "mission, advisers or pledge": ("mission, advisers\nor pledge", "#CC79A7", "#222222"),
                 "no collective action": ("no collective\naction", "#E6E6E6", "#222222")}
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
    row_labels = {c: "\n".join(textwrap.wrap(names[c], 20 if _phone else label_width, break_on_hyphens=False)) for c in order}
    if _phone:  # condition ids above the columns, their wording under the grid
        column_labels = {c: c for c in conditions}
        note = "\n".join(line for c, text in conditions.items() for line in textwrap.wrap(f"{c}: {text}", 52))
    else:
        column_labels = {c: "\n".join(textwrap.wrap(f"{c}: {text}", 19)) for c, text in conditions.items()}
        note = None
    column_labels[OUTCOME_COLUMN] = "\n".join(textwrap.wrap(OUTCOME_COLUMN, 10)) if _phone else OUTCOME_COLUMN
    return category_grid(grid, {**ASSESSMENT_STYLE, **OUTCOME_STYLE}, row_labels, column_labels, title,
                         cell_width=1.45, divider_before=OUTCOME_COLUMN, note=note,
                         phone_cell_width=0.7, phone_row_height=0.75)


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
    if _phone:
        _few_date_ticks(ax)
        _legend_below(ax, handles, 1, 2 * PHONE_MIN_PT)
    else:  # under the axes, not beside them: mirrored for a right-to-left twin, it stays clear of the y axis
        _legend_below(ax, handles, 3, 24)
    fig.tight_layout()
    return fig


@_responsive
def vote_grid(votes: pd.DataFrame, row_labels: dict[str, str], title: str):
    """Countries x resolutions of UN votes (Y, N, A, X)."""
    return category_grid(votes, VOTE_STYLE, row_labels, {c: c.replace("A/RES/", "") for c in votes.columns}, title)


VERDICT_COLOURS = {"accurate": "#0072B2", "imprecise": "#56B4E9", "wrong": "#D55E00",
                   "unverifiable": "#999999", "opinion": "#E69F00"}


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
    columns = 2 if _phone else len(table.columns)
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


POSITION_STYLES = {"agrees": ("#0072B2", "o"), "qualifies": ("#E69F00", "D"), "disagrees": ("#D55E00", "X")}


@_responsive
def items_by_date(items: pd.DataFrame, when: str, label: str, category: str, title: str,
                  styles: dict[str, tuple[str, str]], xlabel: str = ""):
    """One row per item, oldest at the top: a dot at its date, coloured and shaped by its category
    (so that the category never rests on colour alone), with the item's label beside it.
    styles: category -> (colour, matplotlib marker), in legend order."""
    from matplotlib.lines import Line2D

    rows = items.sort_values([when, label]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(_width(8.5), (0.4 if _phone else 0.32) * len(rows) + 1.5))
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
    fig, ax = plt.subplots(figsize=(4.4 if _phone else 5.6, (0.6 if _phone else 0.44) * len(events) + 1.6))
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
              loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1 if _phone else len(shown), fontsize=10, frameon=False)
    _title(ax, title, pad=24 + (18 * (len(shown) - 1) if _phone else 0))
    fig.tight_layout()
    return fig
