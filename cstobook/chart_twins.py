"""Figures in other languages: a chart's translated twins (figures/NAME.ar.png, .svg and their
phone layouts), and the words a figure carries, which the figures catalogue translates."""
from __future__ import annotations

import contextlib
import functools
import json
import re
import textwrap

from matplotlib.text import Text

from cstobook import i18n, paths
from cstobook.chart_files import SOURCE_GID, _write
from cstobook.chart_layout import phone_layout

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
