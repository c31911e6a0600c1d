"""Sphinx extension: publishing details of the book that Jupyter Book 1 has no setting for.

1. Leaflet and jQuery (`_static/lib/`) are for the map iframes only. Jupyter Book 1 adds every
   .js and .css file found under `_static/` to *every* page (jupyter_book/config.py globs the
   folder), which made each page download about 250 KB it never uses, and the map page load
   Leaflet twice (once in the page, once in the map's iframe). Those entries are dropped here;
   the maps load the files themselves.
2. Bibliography entries are list items for assistive technology (see fix_bibliography_roles).
3. Launch buttons (Binder, Colab) open the chapter as an executed .ipynb from the `notebooks`
   branch, which the publishing workflow writes with tools/launch_notebooks.py. The theme would
   link the MyST .md source on `main`, which Colab cannot open and Binder opens as plain text.
"""
from __future__ import annotations

import os
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.config import Config

MAP_ONLY_ASSETS = "lib/"  # under _static/: loaded by map iframes, never by pages
DEFAULT_BRANCH = "notebooks"  # where the workflow publishes the executed notebooks
BOOK_BUILD_VARIABLE = "CSTOBOOK_BOOK_BUILD"  # cstobook.notebook.BOOK_BUILD_VARIABLE


def drop_map_assets_from_pages(app: Sphinx, config: Config) -> None:
    """Pages load each of their own CSS and JS files once, and none of the map-only ones."""

    def keep(entry) -> bool:
        name = entry[0] if isinstance(entry, (tuple, list)) else entry
        return not str(name).startswith(MAP_ONLY_ASSETS)

    def once(entries: list) -> list:
        # Jupyter Book appends `_static` and its files even when _config.yml lists them.
        kept = []
        for entry in entries:
            if keep(entry) and entry not in kept:
                kept.append(entry)
        return kept

    config.html_js_files = once(config.html_js_files)
    config.html_css_files = once(config.html_css_files)
    config.html_static_path = list(dict.fromkeys(config.html_static_path))


def launch_notebook_path(pagename: str, path_to_book: str = "") -> str:
    """Where the executed notebook of a page sits in the notebooks branch (beside its source)."""
    prefix = path_to_book.strip("/")
    return f"{prefix}/{pagename}.ipynb" if prefix else f"{pagename}.ipynb"


def point_launch_buttons_at_notebooks(app: Sphinx, pagename: str, templatename: str,
                                      context: dict, doctree) -> None:
    """Rewrite the theme's Binder and Colab links to the executed notebook on the notebooks branch."""
    options = app.config.html_theme_options
    launch = options.get("launch_buttons", {})
    repo_url = options.get("repository_url", "").rstrip("/")
    if "github.com/" not in repo_url:
        return
    org, repo = repo_url.split("github.com/")[1].split("/")[:2]
    branch = app.config.launch_notebooks_branch
    notebook = launch_notebook_path(pagename, options.get("path_to_docs", ""))
    interface = {"classic": "tree", "jupyterlab": "lab/tree"}[launch.get("notebook_interface", "classic")]
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") == "Binder":
                hub = launch["binderhub_url"].rstrip("/")
                button["url"] = f"{hub}/v2/gh/{org}/{repo}/{quote(branch)}?urlpath={interface}/{notebook}"
            elif button.get("text") == "Colab":
                colab = launch["colab_url"].rstrip("/")
                button["url"] = f"{colab}/github/{org}/{repo}/blob/{quote(branch)}/{notebook}"


def fix_bibliography_roles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """docutils 0.21 writes each bibliography entry as role="doc-biblioentry" inside a
    role="list": doc-biblioentry is deprecated in WAI-ARIA 1.2, and a list may only hold
    listitems (axe-core: aria-required-children, critical). The entries become list items."""
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    # The chapters' kernels inherit this: cstobook.notebook.glue is then myst-nb's glue, which
    # leaves each figure to the directive that places it (elsewhere it also shows at its cell).
    os.environ[BOOK_BUILD_VARIABLE] = "1"
    app.add_config_value("launch_notebooks_branch", DEFAULT_BRANCH, "html", types=frozenset({str}))
    app.connect("config-inited", drop_map_assets_from_pages, priority=900)
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", point_launch_buttons_at_notebooks, priority=600)
    app.connect("html-page-context", fix_bibliography_roles)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
