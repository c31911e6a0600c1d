"""Chapters that show the same things in the book and in a notebook (Jupyter, Binder, Colab).

The book places each chart, map and table where the prose puts it: a code cell glues it with
``display=False`` and a ``{glue:figure}`` directive shows it. A notebook has no directives, so
glued with myst-nb's own ``glue`` a chart would never be seen there. Chapters therefore import
``glue`` from here instead of from myst_nb (the same signature, the same calls):

- in a build of the book (``_ext/book_publishing.py`` sets ``CSTOBOOK_BOOK_BUILD`` before any
  chapter runs, and the kernels inherit it) it is myst-nb's ``glue``, unchanged;
- anywhere else a glued value richer than plain text (a figure, a map, a table) is also shown
  at the cell that makes it; a number or a phrase glued for the prose is not (the notebooks the
  book serves carry those values in their text already, see ``_ext/reader_notebooks.py``).
"""
from __future__ import annotations

import datetime
import numbers
import os

BOOK_BUILD_VARIABLE = "CSTOBOOK_BOOK_BUILD"
# Set to 0, a build of the book leaves figures/ as it is, and its pages show the charts committed
# there (the suite's build of hostile data, which tests the pages' text, not the charts' files)
FIGURE_FILES_VARIABLE = "CSTOBOOK_FIGURE_FILES"


def in_book_build() -> bool:
    return os.environ.get(BOOK_BUILD_VARIABLE) == "1"


def writes_figure_files() -> bool:
    """Whether charts.save_figure writes figures/: in a build of the book, unless told not to."""
    return in_book_build() and os.environ.get(FIGURE_FILES_VARIABLE) != "0"


def glue(name: str, variable, display: bool = True) -> None:
    """myst_nb.glue in the book; in a notebook, show what a reader would see in the book.
    A numpy number is glued as the Python number it holds: myst-nb reads a glued value back
    from its text form to apply a format spec ({glue:text}`name:.1f`), and numpy's
    ('np.float64(3.5)') is not a number it can read."""
    variable = python_number(variable)
    if in_book_build():
        from myst_nb import glue as myst_glue

        myst_glue(name, variable, display=display)
        return
    if display or shows_as_more_than_text(variable):
        from IPython.display import display as show

        show(variable)


def shows_as_more_than_text(variable) -> bool:
    """True for what a notebook draws (a figure, a map, a table), False for what the prose quotes
    (a number, a string, a date)."""
    return not (variable is None or isinstance(variable, (str, bytes, numbers.Number, datetime.date)))


def python_number(value):
    """A numpy scalar (np.float64, np.int64, np.bool_) as the Python number it holds; anything else as it is."""
    item = getattr(value, "item", None)
    if type(value).__module__ == "numpy" and callable(item) and getattr(value, "ndim", None) == 0:
        return item()
    return value
