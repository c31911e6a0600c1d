"""Sphinx extension: a page head that holds first paint as little as it can (issue 22).

Measured by `make bench-lighthouse` (bench/lighthouse.py). The theme's head links eleven style
sheets (one of them @imports a twelfth) and eight scripts that the browser must fetch and run
before it paints anything; on a slow phone connection every one costs a round trip. Here, in the
web edition's HTML build (not the one-page build the PDF is printed from):

1. Styles: every page of an edition links one style sheet, `_static/styles/book.css`, written
   when the build finishes: the theme's sheets and the book's, in the order the theme links them
   (@imports resolved, URLs re-based), less every rule whose selectors name a class or an id that
   no built page of the edition holds and that no script of the edition can add (any word of a
   script counts, so classes the theme's scripts set at run time stay: dark mode, sidebar
   toggles, search, dropdowns, copy buttons, tabs). Selectors are tested on classes and ids only:
   element names, attributes (`html[data-theme=dark]`) and what sits inside :not(), :is(),
   :where() and :has() never drop a rule. @media, @supports and @layer blocks are purged inside;
   @font-face, @keyframes and the like stay whole. Each page's link carries a digest of the sheet,
   so a browser never keeps a stale one.
2. The Arabic edition's `rtl.css` is in the Arabic edition's sheet only (Jupyter Book adds every
   .css file of `_static/` to every page, the English ones included).
3. Scripts do not block parsing: each script file of the head loads with `defer` (deferred scripts
   run in their order, after the page is parsed and before DOMContentLoaded, which is when the
   theme's, Sphinx's, the copy buttons', toggles' and tabs' scripts start their work). The few
   lines of `documentation_options.js`, which the theme's inline lines use at once, are written
   into the page instead. The scripts of copy buttons, toggles and tabs load only on pages whose
   body holds code, a toggle or tabs (`PAGE_SCRIPTS`).
4. The logos of the theme's launch menu (Binder, Colab; 9 kB) load when the menu opens
   (loading="lazy": an image in a closed menu is not shown, so not fetched).
   The theme's two scripts are not preloaded at the top of the page (_templates/layout.html);
   a right-to-left edition's text face (rtl.css) is, so that its first paint is in that face
   and its text does not shift when the face arrives.
5. Maps draw when the reader nears them (`lazy_maps`). A folium map is an iframe whose srcdoc
   holds the map's document: Leaflet, jQuery, the shared geometry and the drawing of every layer
   ran at load on every page with maps, for maps screens below the first (a slow phone's main
   thread was blocked 0.5-1.8 s). Each map's iframe is written inside a <template> (inert: the
   browser neither loads nor runs it) in a box of the map's own size, which shows a button
   "Show the interactive map"; a few inline lines put the iframe in its box when the box comes
   within half a screen of the viewport (IntersectionObserver), when the button is pressed, or
   before printing, so nothing below moves when a map arrives. `window.cstobookDrawMaps()` draws
   them all at once (the browser tests call it before they look at the maps). The one-page build the
   PDF is printed from keeps its iframes as they are (it shows the static images instead).
6. Tables and bibliography entries are laid out as the reader nears them (`waiting_blocks.py`).
"""
from __future__ import annotations

import hashlib
import html
import os
import posixpath
import re
from pathlib import Path

from sphinx.application import Sphinx

BUNDLE = "styles/book.css"  # under _static/ of each edition's build
THEME_SHEETS = ("styles/theme.css", "styles/pydata-sphinx-theme.css")  # the theme's head_pre_assets
RIGHT_TO_LEFT_SHEET = "rtl.css"
OPTIONS_SCRIPT = "documentation_options.js"
CONTEXT_KEY = "cstobook_styles"  # _templates/layout.html links this sheet instead of the theme's
FONTS_KEY = "cstobook_fonts"  # and preloads these faces
# The logos of the launch menu (Binder, Colab): loaded when the menu opens, not with the page
MENU_LOGO = re.compile(r'<img ((?:alt="[^"]*" )?src="[^"]*_static/images/logo_[a-z]+\.(?:png|svg)")>')
BUNDLE_LINK = re.compile(r'(href="[^"]*_static/styles/book\.css)(?:\?v=[0-9a-f]+)?(")')

IMPORT = re.compile(r'@import\s+(?:url\()?\s*["\']?([^"\')\s;]+)["\']?\s*\)?\s*;')
URL = re.compile(r'url\(\s*(["\']?)([^"\')]+)\1\s*\)')
CLASS_OR_ID = re.compile(r"([.#])(-?[_a-zA-Z][\w-]*)")
FUNCTIONAL_PSEUDO = re.compile(r":(?:not|is|where|has|matches|-webkit-any|-moz-any)\(")
ATTRIBUTE = re.compile(r"\[[^\]]*\]")
WORD = re.compile(r"[A-Za-z_][\w-]*")
CLASS_ATTRIBUTE = re.compile(r'\b(?:class|id)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
NESTED_RULES = {"media", "supports", "layer", "container", "document"}


def is_web_build(app: Sphinx) -> bool:
    return app.builder.name == "html"


def is_right_to_left(app: Sphinx) -> bool:
    from cstobook import i18n

    return app.config.language in i18n.RIGHT_TO_LEFT


# ---- which sheets, in which order ---------------------------------------------------------------

def edition_sheets(app: Sphinx) -> list[str]:
    """The style sheets (paths under _static/) the theme would link on every page, in order."""
    sheets = list(THEME_SHEETS)
    for sheet in app.builder._css_files:  # Sphinx's and the extensions', html_css_files included
        name = os.fspath(sheet.filename).removeprefix("_static/")
        if name == RIGHT_TO_LEFT_SHEET and not is_right_to_left(app):
            continue
        if "://" not in name and name not in sheets:
            sheets.append(name)
    return sheets


def read_sheet(static: Path, name: str, seen: set[str] | None = None) -> str:
    """A sheet's text with its @imports replaced by the imported text, and every relative URL
    re-based on _static/ (the bundle's URLs are re-based on its own folder later)."""
    seen = set() if seen is None else seen
    if name in seen or not (static / name).is_file():
        return ""
    seen.add(name)
    text = (static / name).read_text(encoding="utf-8")
    folder = posixpath.dirname(name)

    def imported(match: re.Match) -> str:
        target = match.group(1)
        if "://" in target or target.startswith(("/", "data:")):
            return match.group(0)
        return read_sheet(static, posixpath.normpath(posixpath.join(folder, target)), seen)

    def rebased(match: re.Match) -> str:
        target = match.group(2)
        if "://" in target or target.startswith(("/", "data:", "#", "%23")):
            return match.group(0)
        return f'url("{posixpath.normpath(posixpath.join(folder, target))}")'

    pieces, start = [], 0  # the sheet's own URLs re-based, not those of what it imports
    for match in IMPORT.finditer(text):
        pieces += [URL.sub(rebased, text[start:match.start()]), imported(match)]
        start = match.end()
    return "".join(pieces + [URL.sub(rebased, text[start:])])


def rebase_on(folder: str, text: str) -> str:
    """URLs re-based on _static/ made relative to _static/<folder>/."""
    def relative(match: re.Match) -> str:
        target = match.group(2)
        if "://" in target or target.startswith(("/", "data:", "#", "%23")):
            return match.group(0)
        return f'url("{posixpath.relpath(target, folder)}")'
    return URL.sub(relative, text)


# ---- what the edition's pages and scripts can show ---------------------------------------------

def edition_pages(outdir: Path) -> list[Path]:
    """The edition's pages: the HTML files of the build, but for folders of assets (`_static`,
    ...) and another edition's copy inside this one (a folder with its own `_static`)."""
    pages = []
    for path in outdir.rglob("*.html"):
        parts = path.relative_to(outdir).parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        if any((outdir.joinpath(*parts[:i + 1]) / "_static").is_dir() for i in range(len(parts))):
            continue
        pages.append(path)
    return pages


def names_in_use(outdir: Path, pages: list[Path]) -> set[str]:
    """Every class and id of the pages, and every word of every script the edition has (its
    files under _static/, but the map-only libraries, and the pages' inline scripts): a class a
    script adds at run time is a word of that script."""
    names: set[str] = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for match in CLASS_ATTRIBUTE.finditer(text):
            names.update((match.group(1) or match.group(2) or "").split())
        for script in INLINE_SCRIPT.findall(text):
            names.update(WORD.findall(script))
    static = outdir / "_static"
    for script in static.rglob("*.js"):
        if "lib" in script.relative_to(static).parts or script.name == "fontawesome.js":
            continue
        names.update(WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return names


def strip_arguments(selector: str) -> str:
    """The selector without the arguments of :not(), :is(), :where(), :has() (what they name
    never drops a rule) nor attribute conditions."""
    selector = ATTRIBUTE.sub("", selector)
    while (match := FUNCTIONAL_PSEUDO.search(selector)):
        depth, end = 1, match.end()
        while end < len(selector) and depth:
            depth += {"(": 1, ")": -1}.get(selector[end], 0)
            end += 1
        selector = selector[:match.start()] + selector[end:]
    return selector


def selector_needed(selector: str, names: set[str]) -> bool:
    if "\\" in selector:  # an escaped name: not worth reading, kept
        return True
    return all(name in names for _, name in CLASS_OR_ID.findall(strip_arguments(selector)))


def split_selectors(prelude: str) -> list[str]:
    """A selector list split on its top-level commas."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return [p.strip() for p in parts if p.strip()]


def purge(rules: list, names: set[str]) -> list[str]:
    """The rules (tinycss2 nodes) that can match something, serialised."""
    import tinycss2

    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in split_selectors(tinycss2.serialize(rule.prelude))
                         if selector_needed(s, names)]
            if selectors:
                kept.append(",".join(selectors) + "{" + tinycss2.serialize(rule.content).strip() + "}")
        elif rule.type == "at-rule":
            if rule.lower_at_keyword in NESTED_RULES and rule.content is not None:
                inner = purge(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                        skip_whitespace=True), names)
                if inner:
                    kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude).rstrip()}"
                                "{" + "".join(inner) + "}")
            else:
                kept.append(rule.serialize())
    return kept


def write_bundle(app: Sphinx, exception) -> None:
    """After the edition's pages are written: its one style sheet, and the pages' links to it."""
    if exception is not None or not is_web_build(app):
        return
    import tinycss2

    outdir = Path(app.outdir)
    static = outdir / "_static"
    pages = edition_pages(outdir)
    names = names_in_use(outdir, pages)
    text = "\n".join(read_sheet(static, name) for name in edition_sheets(app))
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    charset = [r for r in rules if r.type == "at-rule" and r.lower_at_keyword == "charset"][:1]
    rules = [r for r in rules if not (r.type == "at-rule" and r.lower_at_keyword in ("charset", "import"))]
    bundle = rebase_on(posixpath.dirname(BUNDLE), "\n".join([*(r.serialize() for r in charset),
                                                              *purge(rules, names)]))
    # ASCII only (the icons' private-use characters as CSS escapes): whatever charset it is served with
    bundle = re.sub(r"[^\x00-\x7f]", lambda m: f"\\{ord(m[0]):x} ", bundle)
    target = static / BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(bundle + "\n", encoding="utf-8")
    digest = hashlib.sha256(bundle.encode("utf-8")).hexdigest()[:12]
    for page in pages:
        page_text = page.read_text(encoding="utf-8")
        linked = BUNDLE_LINK.sub(rf"\g<1>?v={digest}\g<2>", page_text)
        linked = MENU_LOGO.sub(r'<img loading="lazy" decoding="async" \g<1>>', linked)
        if linked != page_text:
            page.write_text(linked, encoding="utf-8")


# ---- the page's head ----------------------------------------------------------------------------

def one_style_sheet(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The page links the edition's one sheet (layout.html reads CONTEXT_KEY) and no other."""
    if not is_web_build(app):
        return
    context[CONTEXT_KEY] = context["pathto"]("_static/" + BUNDLE, 1)
    context["css_files"] = []
    if is_right_to_left(app):  # the edition's text face, on the first screen: with the style sheet
        faces = re.findall(r'url\("?([^")]+\.woff2)"?\)', (Path(app.srcdir) / "_static" / RIGHT_TO_LEFT_SHEET)
                           .read_text(encoding="utf-8"))
        context[FONTS_KEY] = [context["pathto"]("_static/" + face, 1) for face in dict.fromkeys(faces)]


# A folium map (cstobook.maps.BookMap): an iframe whose srcdoc is the map's document, escaped (it
# holds no quote and no ">"); its height is an attribute.
MAP_IFRAME = re.compile(r'<iframe\b(?=[^>]*\bsrcdoc="[^"]*leaflet)[^>]*>\s*</iframe>')
MAP_HEIGHT = re.compile(r'\bheight="(\d+(?:\.\d+)?)(?:px)?"')
MAP_SLOT = ('<div class="cstobook-map" style="height:{height}px">'
            '<button type="button" class="cstobook-map-show">{label}</button>'
            "<template>{iframe}</template></div>")
# The iframe goes into its box when the box is within half a screen of the viewport, on the button, or
# before printing; cstobookDrawMaps() draws every map at once, and a page whose window has
# cstobookDrawMapsAtOnce set before it loads (the browser tests' page visits) draws them as it is
# read, as before maps waited.
DRAW_MAPS_SCRIPT = """<script>(() => {
  const slots = [...document.querySelectorAll(".cstobook-map")];
  const draw = (slot) => {
    const template = slot.querySelector("template");
    if (!template) return null;
    const focused = slot.contains(document.activeElement);  // its button: the focus goes to the map
    slot.replaceChildren(document.importNode(template.content, true));
    slot.classList.add("cstobook-map-drawn");
    const frame = slot.querySelector("iframe");
    if (focused) frame.focus();
    return frame;
  };
  window.cstobookDrawMaps = () => slots.forEach(draw);
  slots.forEach((slot) => slot.querySelector("button").addEventListener("click", () => draw(slot)?.focus()));
  addEventListener("beforeprint", window.cstobookDrawMaps);
  if (window.cstobookDrawMapsAtOnce || !("IntersectionObserver" in window)) return window.cstobookDrawMaps();
  const near = new IntersectionObserver((entries) => entries.forEach((entry) => {
    if (entry.isIntersecting) { near.unobserve(entry.target); draw(entry.target); }
  }), {rootMargin: "50% 0px"});
  slots.forEach((slot) => near.observe(slot));
})();</script>"""


def lazy_maps(body: str, label: str) -> str:
    """The page's body with each map's iframe in an inert <template>, in a box of its height with
    a button (`label`) that draws it, and the lines that draw maps as the reader nears them."""
    def slot(match: re.Match) -> str:
        height = MAP_HEIGHT.search(match.group(0))
        return MAP_SLOT.format(height=height.group(1) if height else 560, label=label, iframe=match.group(0))

    body, count = MAP_IFRAME.subn(slot, body)
    return body + DRAW_MAPS_SCRIPT if count else body


def maps_drawn_when_near(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if not is_web_build(app) or "srcdoc=" not in (context.get("body") or ""):
        return
    from cstobook import i18n

    label = html.escape(i18n.edition_words("show_map", app.config.language or "en"))
    context["body"] = lazy_maps(context["body"], label)


def deferred_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Script files load with `defer`; documentation_options.js is written into the page."""
    if not is_web_build(app):
        return
    from sphinx.builders.html._assets import _JavaScript

    unused = scripts_unused_by(context.get("body") or "")
    scripts = []
    for script in context.get("script_files", []):
        if not isinstance(script, _JavaScript):
            scripts.append(script)
        elif not script.filename:
            if not any(script.attributes.get("body", "").lstrip().startswith(lines)
                       for lines in unused.values()):
                scripts.append(script)
        elif os.fspath(script.filename).removeprefix("_static/") in unused:
            continue
        elif os.fspath(script.filename).removeprefix("_static/") == OPTIONS_SCRIPT:
            scripts.append(_JavaScript(None, priority=script.priority, body=options_script(app, context)))
        elif {"defer", "async"} & set(script.attributes) or script.attributes.get("type") == "module":
            scripts.append(script)
        else:
            scripts.append(_JavaScript(script.filename, priority=script.priority,
                                       **{**script.attributes, "defer": "defer"}))
    context["script_files"] = scripts


# Scripts that act on what some pages hold and others not, with the inline lines that set them
# up: (what in a page's body they act on, their inline lines)
PAGE_SCRIPTS = {
    # sphinx-togglebutton: togglebuttonSelector, '.toggle, .admonition.dropdown'
    "togglebutton.js": (lambda classes: "toggle" in classes or {"admonition", "dropdown"} <= classes,
                        ("let toggleHint", "let toggleOpenOnPrint", "var togglebuttonSelector")),
    # sphinx-copybutton: its selector, 'div.highlight pre'; clipboard.js is its library
    "copybutton.js": (lambda classes: "highlight" in classes, ()),
    "clipboard.min.js": (lambda classes: "highlight" in classes, ()),
    # sphinx-design's tabs
    "design-tabs.js": (lambda classes: "sd-tab-set" in classes, ()),
}


def scripts_unused_by(body: str) -> dict[str, tuple[str, ...]]:
    """The scripts of PAGE_SCRIPTS that have nothing to act on in the page's body, with their
    inline lines: copy buttons, toggles and tabs load only where a page has them."""
    classes: set[str] = set()
    for match in CLASS_ATTRIBUTE.finditer(body):
        if match.group(0).lstrip().startswith("class"):
            classes.update((match.group(1) or match.group(2) or "").split())
    if 'class="highlight' in body:  # as Pygments writes it (a div's class list may start with it)
        classes.add("highlight")
    return {name: lines for name, (needed, lines) in PAGE_SCRIPTS.items() if not needed(classes)}


def options_script(app: Sphinx, context: dict) -> str:
    """Sphinx's documentation_options.js for this page, as its template writes it."""
    import sphinx

    template = Path(sphinx.__file__).parent / "themes" / "basic" / "static" / "documentation_options.js.jinja"
    return "\n" + app.builder.templates.render_string(template.read_text(encoding="utf-8"), context) + "\n"


def setup(app: Sphinx) -> dict:
    # after every other handler that adds a sheet or a script to the page (the theme's at 500)
    app.connect("html-page-context", one_style_sheet, priority=950)
    app.connect("html-page-context", deferred_scripts, priority=950)
    app.connect("html-page-context", maps_drawn_when_near, priority=950)
    app.setup_extension("waiting_blocks")
    # before editions.py's set_direction and the like change pages: the order does not matter to them
    app.connect("build-finished", write_bundle, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
