"""Sphinx extension: publishing details of the book that Jupyter Book 1 has no setting for.

1. Leaflet and jQuery (`_static/lib/`) are for the map iframes only. Jupyter Book 1 adds every
   .js and .css file found under `_static/` to *every* page (jupyter_book/config.py globs the
   folder), which made each page download about 250 KB it never uses, and the map page load
   Leaflet twice (once in the page, once in the map's iframe). Those entries are dropped here;
   the maps load the files themselves.
2. Bibliography entries are list items for assistive technology (see fix_bibliography_roles).
3. The built book gets the map geometry every map shares (`_static/lib/region/region.js`,
   written from data/region.geojson by cstobook/geometry.py), and loses weight no reader sees:
   the theme's Font Awesome fonts keep only the icons the pages, styles and scripts use
   (fontTools; 280 KB of fonts for about thirty icons become 6 KB), its style sheet only their
   entries of the icon catalogue, and the pages show their charts as lossless WebP images of 256
   colours, as they hold a few hundred (a third of the PNG's bytes; the committed figures in
   figures/ are untouched).
4. Launch buttons (Binder, Colab) open the chapter as an executed .ipynb from the `notebooks`
   branch, which the publishing workflow writes with tools/launch_notebooks.py. The theme would
   link the MyST .md source on `main`, which Colab cannot open and Binder opens as plain text.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.config import Config

import page_head  # _ext/, beside this file

MAP_ONLY_ASSETS = "lib/"  # under _static/: loaded by map iframes, never by pages
DEFAULT_BRANCH = "notebooks"  # where the workflow publishes the executed notebooks
BOOK_BUILD_VARIABLE = "CSTOBOOK_BOOK_BUILD"  # cstobook.notebook.BOOK_BUILD_VARIABLE
ICON_FONTS = "vendor/fontawesome/webfonts"  # under _static/, written there by pydata-sphinx-theme
# In the theme's style sheet, Font Awesome's catalogue of every icon: `.fa-github:before{content:"\f09b"}`
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"\\([0-9a-f]{2,5})"\}')
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
ESCAPED_CODEPOINT = re.compile(r"\\([ef][0-9a-f]{3})\b")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
CODE_TOGGLE_LABEL = '<summary aria-label="Toggle hidden content">'  # myst-nb's folded cells
WEBP_IMAGE = re.compile(r'(<img [^>]*src="(?:\.\./)*_images/[^"/]+)\.png(")')


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


def used_icon_codepoints(html_folder: Path) -> set[int]:
    """The icons the built book can show: those named by a class (fa-NAME) in a page or in a
    script of the theme, looked up in the catalogue of its style sheet, and those a style sheet
    draws itself (admonitions, the contents toggle: literal or escaped private-use characters
    outside the catalogue)."""
    static = html_folder / "_static"
    # not the pages' one sheet (_ext/page_head.py), which is made of the others, after this
    styles = {path: path.read_text(encoding="utf-8") for path in static.rglob("*.css")
              if path.relative_to(static).as_posix() != page_head.BUNDLE}
    catalogue = {}
    for text in styles.values():
        for rule in ICON_RULE.finditer(text):
            for name in re.findall(r"\.(fa-[a-z0-9-]+):", rule.group(1)):
                catalogue.setdefault(name, int(rule.group(2), 16))
    used = set()
    for text in styles.values():
        rest = ICON_RULE.sub("", text)
        used.update(ord(c) for c in PRIVATE_USE.findall(rest))
        used.update(int(code, 16) for code in ESCAPED_CODEPOINT.findall(rest))
    # fontawesome.js is the icon bundle itself (every name); no page loads it (_templates/layout.html)
    documents = [*html_folder.rglob("*.html"),
                 *(p for p in static.rglob("*.js") if p.name != "fontawesome.js" and "lib" not in p.parts)]
    for path in documents:
        for name in ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")):
            if name in catalogue:
                used.add(catalogue[name])
    return used


def subset_icon_fonts(html_folder: Path, codepoints: set[int]) -> None:
    """Each Font Awesome font of the built book keeps only the icons the book uses."""
    from fontTools import subset

    fonts = sorted((html_folder / "_static" / ICON_FONTS).glob("fa-*"))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # keeps the licence and copyright notices of the font
    options.notdef_outline = True
    for path in fonts:
        if path.suffix not in (".woff2", ".ttf"):
            continue
        options.flavor = "woff2" if path.suffix == ".woff2" else None
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, str(path), options)


def prune_icon_catalogue(html_folder: Path, codepoints: set[int]) -> None:
    """Drop from the style sheets the catalogue entries of icons the book never shows."""
    def keep(rule: re.Match) -> str:
        return rule.group(0) if int(rule.group(2), 16) in codepoints else ""

    for path in (html_folder / "_static").rglob("*.css"):
        text = path.read_text(encoding="utf-8")
        pruned = ICON_RULE.sub(keep, text)
        if pruned != text:
            path.write_text(pruned, encoding="utf-8")


def webp_page_images(html_folder: Path) -> None:
    """Each chart of the pages (PNG) also as a lossless WebP of 256 colours, which the pages show
    (see show_webp_images). The charts hold a few hundred colours; the PNGs stay, unused."""
    from PIL import Image

    for path in sorted((html_folder / "_images").glob("*.png")):
        target = path.with_suffix(".webp")
        if target.is_file() and target.stat().st_mtime >= path.stat().st_mtime:
            continue  # an incremental build: done before
        with Image.open(path) as image:
            mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
            palette = image.convert(mode).quantize(256, method=Image.Quantize.FASTOCTREE,
                                                   dither=Image.Dither.NONE)
        # method 4, not the slowest 6: measured on the book's charts, 1.3 s instead of 49 s per
        # build for 1 % more bytes (bench/page_weight.py prints the pages' weights)
        palette.convert(mode).save(target, "WEBP", lossless=True, quality=100, method=4)


CHART_IMAGE = re.compile(r'<img (?=[^>]*src="(?:\.\./)*_images/)')


def load_charts_lazily(body: str, headline_first: bool = False) -> str:
    """Every chart image of a page loads as the reader nears it (the browser fetches those near
    the screen at once): a reader of the first screens of a long chapter does not download the
    charts further down. With `headline_first`, the first chart (the landing page's headline
    figure, on its first screen) loads with the page, at high priority."""
    charts = iter(range(len(CHART_IMAGE.findall(body))))
    # the headline figure is the first screen's largest paint: fetched first, with the style sheet
    return CHART_IMAGE.sub(lambda m: '<img fetchpriority="high" ' if headline_first and next(charts) == 0
                           else '<img loading="lazy" decoding="async" ', body)


def show_webp_images(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Pages show the WebP twin of each chart (webp_page_images writes it): about half the bytes."""
    body = context.get("body")
    if isinstance(body, str) and "_images/" in body:
        context["body"] = WEBP_IMAGE.sub(r"\1.webp\2", body)


def charts_load_lazily(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """After every other change to a page's images (their phone layouts paired into <picture>):
    its charts load lazily, but for the landing page's headline figure. Not in the one-page build
    the PDF is printed from, which must hold every chart when it prints."""
    body = context.get("body")
    if isinstance(body, str) and "_images/" in body and app.builder.name != "singlehtml":
        context["body"] = load_charts_lazily(body, headline_first=pagename == app.config.root_doc)


def write_built_assets(app: Sphinx, exception) -> None:
    """After a successful HTML build: the shared map geometry, and the lighter fonts, style
    sheet and chart images."""
    if exception is not None or app.builder.format != "html":
        return
    from cstobook import geometry, paths

    html_folder = Path(app.outdir)
    geometry.write_script(html_folder / "_static" / MAP_ONLY_ASSETS, paths.DATA / "region.geojson")
    codepoints = used_icon_codepoints(html_folder)
    subset_icon_fonts(html_folder, codepoints)
    prune_icon_catalogue(html_folder, codepoints)
    webp_page_images(html_folder)


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


def name_code_toggles_by_their_words(app: Sphinx, pagename: str, templatename: str, context: dict,
                                     doctree) -> None:
    """myst-nb labels the summary of each folded code cell "Toggle hidden content", while it
    shows "Show code cell source": a speech-input user saying what they see names nothing
    (axe-core: label-content-name-mismatch). Without the label, the shown words name it."""
    body = context.get("body")
    if isinstance(body, str) and CODE_TOGGLE_LABEL in body:
        context["body"] = body.replace(CODE_TOGGLE_LABEL, "<summary>")


def cache_bibliography_plugin_lookups() -> None:
    """sphinxcontrib-bibtex asks pybtex for a style or backend at each citation it formats, and
    pybtex then reads the entry points of every installed package (about 20 ms an ask, 3 s a
    build). The installed packages do not change during a build: each lookup is read once."""
    import pybtex.plugin

    if not hasattr(pybtex.plugin.entry_points, "cache_info"):
        pybtex.plugin.entry_points = functools.cache(pybtex.plugin.entry_points)


def setup(app: Sphinx) -> dict:
    cache_bibliography_plugin_lookups()
    # The chapters' kernels inherit this: cstobook.notebook.glue is then myst-nb's glue, which
    # leaves each figure to the directive that places it (elsewhere it also shows at its cell).
    os.environ[BOOK_BUILD_VARIABLE] = "1"
    app.setup_extension("page_head")
    app.add_config_value("launch_notebooks_branch", DEFAULT_BRANCH, "html", types=frozenset({str}))
    app.connect("config-inited", drop_map_assets_from_pages, priority=900)
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", point_launch_buttons_at_notebooks, priority=600)
    app.connect("html-page-context", fix_bibliography_roles)
    app.connect("html-page-context", name_code_toggles_by_their_words)
    app.connect("html-page-context", show_webp_images)
    app.connect("html-page-context", charts_load_lazily, priority=900)
    app.connect("build-finished", write_built_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
