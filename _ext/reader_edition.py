"""Sphinx extension: the foot of every page of the book links to "How to cite", naming the edition
(the version of CITATION.cff), so that a reader who lands on a chapter finds how to cite it."""
from __future__ import annotations

import html

from sphinx.application import Sphinx

CITE_PAGE = "chapters/how-to-cite"


def cite_this_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if doctree is None or not isinstance(body, str) or pagename == CITE_PAGE or CITE_PAGE not in app.env.all_docs:
        return
    from cstobook import edition

    href = app.builder.get_relative_uri(pagename, CITE_PAGE)
    context["body"] = body + (
        f'<aside class="cstobook-cite-this" aria-label="How to cite"><p>Cite this '
        f'{"book" if pagename == app.config.root_doc else "chapter"}: version '
        f'{html.escape(edition.version())} of {edition.released():%-d %B %Y}. '
        f'<a href="{html.escape(href)}">How to cite, and the PDF edition</a>.</p></aside>')


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", cite_this_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
