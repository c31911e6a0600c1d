"""Sphinx extension: tables and bibliography entries laid out as the reader nears them (issue 22).

Tables are laid out as the reader nears them. Style and layout of a long page's tables were
most of what a slow phone's main thread did at load (the verdict: a quarter of its elements are
table cells; the data appendix: forty tables). Each table's block (a `cstobook-edition` block
holding a <table>) gets `content-visibility: auto` (cstobook.css, on screens only): the browser
styles and lays it out when it comes within reach of the viewport. While it waits, it holds a
height that is at least its real height at any width from 320 px (`table_height_bound`,
measured against the real heights by tests/test_browser.py), so that nothing laid out around
it overlaps it (a script that asks where a waiting table's cells are, as axe-core does, gets
them inside the table's box) and nothing on the screen moves when it is laid out. Once laid
out, the browser remembers its real height (`auto`). So does each entry of a bibliography
(`entry_height_bound`: six hundred entries, most of that page's elements).

Measured by `make bench-lighthouse` (bench/lighthouse.py); part of the web edition's page head
work (`page_head.py`, which sets this extension up).
"""
from __future__ import annotations

import html
import math
import re

from sphinx.application import Sphinx


def is_web_build(app: Sphinx) -> bool:
    return app.builder.name == "html"


# ---- tables laid out when near ------------------------------------------------------------------

# One edition's block of a cell's output (cstobook.i18n.bilingual_html), as the web build keeps it
EDITION_BLOCK = re.compile(r'(<!--edition:[\w-]+--><div class="cstobook-edition")([^>]*>)(.*?)(</div><!--/edition:[\w-]+-->)',
                           re.S)
TABLE_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
TABLE_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)</t\1>", re.S)
TAG = re.compile(r"<[^>]+>")
LATER_CLASS = "cstobook-later"  # cstobook.css: content-visibility: auto, with the height it holds
LINE_PX = 24  # a line of table text, at most (0.8-1 em of a 16 px face, line height 1.5)


def table_height_bound(block: str, as_cards: bool = True) -> int:
    """Pixels that a block holding a table needs at most, at any width from 320 px: the larger of
    its rows as a phone's cards (every cell on lines of at least 24 characters, under its label;
    a cell's table only, `as_cards`: the text's tables scroll sideways on a phone instead) and as
    a table's rows (the longest cell of a row on lines of at least 12 characters), with room for
    its caption and filter controls, and a quarter more."""
    total = 240
    for row in TABLE_ROW.findall(block):
        lengths = [len(html.unescape(TAG.sub("", cell)).strip()) for _, cell in TABLE_CELL.findall(row)]
        card = 32 + sum(LINE_PX * (1 + math.ceil(n / 24)) for n in lengths) if as_cards else 0
        grid = 16 + LINE_PX * max((math.ceil(n / 12) for n in lengths), default=1)
        total += max(card, grid)
    return math.ceil(total * 1.25)


# A table written in the page's text (Markdown), in the box the theme puts around it
TEXT_TABLE_BLOCK = re.compile(r'(<div class="pst-scrollable-table-container")(>)(<table\b.*?</table>\s*)(</div>)', re.S)


def tables_laid_out_when_near(body: str) -> str:
    """Each block of a page's body that holds a table, a cell's or the text's (the Arabic edition's
    glossary: 180 rows), waits to be laid out (LATER_CLASS) in a box of at least its height."""
    def later(match: re.Match, as_cards: bool = True) -> str:
        start, attributes, inner, end = match.groups()
        if "<table" not in inner or "cstobook-map" in inner:
            return match.group(0)
        return (f'{start[:-1]} {LATER_CLASS}" style="--h:{table_height_bound(inner, as_cards)}px"'
                f"{attributes}{inner}{end}")
    body = EDITION_BLOCK.sub(later, body)
    return TEXT_TABLE_BLOCK.sub(lambda match: later(match, as_cards=False), body)


# A bibliography entry as docutils writes it (a label and a paragraph; book_publishing.py sets its role)
FOOTNOTE_BRACKET = re.compile(r'<span class="fn-bracket">([\[\]])</span>')
BIBLIOGRAPHY_ENTRY = re.compile(r'<div class="citation"((?: id="[^"]*")?(?: role="[^"]*")?>)(.*?</div>)', re.S)


def entry_height_bound(entry: str, line_characters: int = 22) -> int:
    """Pixels that a bibliography entry needs at most, at any width from 320 px: its text on
    lines of at least 22 characters, two more lines, its margins, and a quarter more. From a
    992 px wide window, where the column of text is at least 500 px wide, with lines of 36."""
    characters = len(html.unescape(TAG.sub("", entry)).strip())
    return math.ceil((28 * (3 + math.ceil(characters / line_characters)) + 24) * 1.25)


def entries_laid_out_when_near(body: str) -> str:
    """Each entry of a bibliography waits to be laid out (LATER_CLASS) in a box of at least its
    height, on a phone (--h) and a wide screen (--hw). The brackets of its label are written as
    text, not each in a span of its own that no style names (1.5 kB of the page, compressed)."""
    def later(match: re.Match) -> str:
        entry = FOOTNOTE_BRACKET.sub(r"\1", match[2])
        return (f'<div class="citation {LATER_CLASS}" style="--h:{entry_height_bound(entry)}px;'
                f'--hw:{entry_height_bound(entry, 36)}px"{match[1]}{entry}')
    return BIBLIOGRAPHY_ENTRY.sub(later, body)


def tables_when_near(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if is_web_build(app) and "<table" in (context.get("body") or ""):
        context["body"] = tables_laid_out_when_near(context["body"])
    if is_web_build(app) and '<div class="citation"' in (context.get("body") or ""):
        context["body"] = entries_laid_out_when_near(context["body"])


def setup(app: Sphinx) -> dict:
    # with page_head's other changes to the page's body, after every other handler
    app.connect("html-page-context", tables_when_near, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
