"""The one way figures are written to figures/ (PNG and SVG), with a source line under each.

Every chart function also has a phone layout: `save_figure` draws the chart a second time under
`phone_layout()` (narrower, re-laid-out, no text under PHONE_MIN_PT) and writes it beside the
desktop figure as NAME.phone.png and NAME.phone.svg; the book's pages offer it to narrow screens
(_ext/reader_edition.py). Each static figure carries a one-line source under it."""
from __future__ import annotations

import hashlib
import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from cstobook import i18n, notebook, paths
from cstobook.chart_files import SOURCE_GID, _write
from cstobook.chart_layout import PHONE_SUFFIX, phone_layout, pt as _pt
from cstobook.chart_twins import _words_metadata, _write_translations

MAX_SOURCES_NAMED = 4  # a figure's source line names at most this many sources
WEB_FIGURE_KEY = "cstobook-web-figure"  # PNG text key: sha256 of the notebook's rendering of the chart


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



def save_figure(fig, name: str, close: bool = False, source=None) -> list[str]:
    """Write figures/NAME.png and figures/NAME.svg byte-reproducibly (no dates, fixed SVG ids),
    with a source line under the figure; for a chart of the chart families also its phone layout,
    figures/NAME.phone.png and .svg. `source`: bibliography keys, a table with a source_id
    column or a written line; by default the sources of the tables the chart was drawn from.
    A figure of i18n.TRANSLATED_FIGURES also gets, in each language whose catalogue translates
    all its words, a twin in that language (figures/NAME.ar.png, .svg and their phone layout;
    see `_write_translations`).
    close=True also closes the figure, so that the notebook does not show it a second time.
    Outside a build of the book (a reader's notebook on Binder, Colab or a laptop), or in a build
    told to leave figures/ as it is (notebook.writes_figure_files), the figure gets its source
    line and nothing is written: figures/ is the book's, which its build writes, and the notebook
    shows the chart where the chapter glues it. Returns the files written."""
    line = source_line(source if source is not None else _source_keys(fig))
    if not notebook.writes_figure_files():
        _draw_source(fig, line)
        if close:
            plt.close(fig)
        return []
    paths.FIGURES.mkdir(exist_ok=True)
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
