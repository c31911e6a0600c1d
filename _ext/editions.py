"""Sphinx extension for the book's editions: the English original and its translations (the Arabic
edition, built by tools/build_edition.py from locales/<language>/LC_MESSAGES/*.po).

- Every page links to the same page in the other editions (a switch in the article header, and
  `hreflang` alternates in its head, for search engines); one sitemap lists every page of every
  edition.
- A translated page keeps its own language's part of what chapters' code wrote once per edition
  (cstobook.i18n.bilingual), and drops the others'. The English edition does the same.
- In a translated edition, a page says in its language whether it is translated in full, in part
  or not yet, and links to the English page; what is still English is marked lang="en" dir="ltr",
  so that it reads left to right inside a right-to-left page.
- Right-to-left editions get `dir="rtl"` on <html> (pydata-sphinx-theme sets no direction), the
  mirrored layout of _static/rtl.css, and the Arabic web font cut to the characters the edition
  uses (fontTools), served by the site itself.
- The PDF editions' faces come from print_faces.py, loaded from here; the marks for text that
  changes direction (<bdi> runs, lang="en" and lang="ar" parts) from edition_text.py.
- `{glue:text}` roles inside translated messages resolve: Sphinx parses a translated message as a
  document of its own, apart from the notebook whose glue data myst-nb keeps on the page's
  document; the page's notebook is remembered as myst-nb makes it and lent to those messages.
  A glued text value is shown there in the message's language (dates with the edition's month
  names; phrases, lists and names from the glued catalogue, locales/<language>/LC_MESSAGES/glued.po).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import extract_messages

from cstobook import i18n
from edition_text import UNTRANSLATED_CLASS, isolate_latin_runs, mark_arabic_cells, mark_english
from print_faces import FONT_FOLDER, subset_font

NOTICE_CLASS = "cstobook-translation-notice"
ARABIC_FONTS = ("NotoNaskhArabic-Regular",)  # the web face; charts also use the bold (cstobook.chart_twins)


# ---- glue data for translated messages --------------------------------------------------------

_PAGE_NOTEBOOKS: dict[str, object] = {}


def remembering(load_renderer):
    """myst-nb drops the notebook's renderer from the page's document when parsing ends, before
    Sphinx's Locale transform parses the translated messages: remember each as it is made."""
    def load(name):
        renderer_class = load_renderer(name)

        def make(renderer, logger):
            element = renderer_class(renderer, logger)
            _PAGE_NOTEBOOKS[logger.extra["docname"]] = element
            return element
        return make
    return load


def lend_page_notebook(retrieve):
    """Glue look-ups from a translated message's own document use the page's notebook."""
    def retrieve_glue_data(document, key):
        env = getattr(document.settings, "env", None)
        lent = "nb_renderer" not in document and env is not None and env.docname in _PAGE_NOTEBOOKS
        if lent:
            document["nb_renderer"] = _PAGE_NOTEBOOKS[env.docname]
        try:
            found = retrieve(document, key)
        finally:
            if lent:
                del document["nb_renderer"]  # a renderer cannot be pickled with the doctree
        language = env.config.language if env is not None else None
        return localised(found, language) if lent and language not in (None, "", "en") else found
    return retrieve_glue_data


def localised(found, language: str):
    """A glued text value inside a translated message, in the message's language: its dates
    spelled in it, and phrases, lists and names as the glued catalogue translates them
    (cstobook.i18n.localised_glued_value). Numbers, figures and tables are left as they are."""
    import ast
    import dataclasses

    plain = found.data.get("text/plain") if set(found.data) == {"text/plain"} else None
    try:
        value = ast.literal_eval(plain) if plain else None
    except (ValueError, SyntaxError):
        return found
    if not isinstance(value, str):
        return found
    return dataclasses.replace(found, data={"text/plain": repr(i18n.localised_glued_value(value, language))})


def forget_page_notebook(app: Sphinx, doctree) -> None:
    _PAGE_NOTEBOOKS.pop(app.env.docname, None)


# ---- each edition's own part of what code wrote --------------------------------------------------

EDITION_BLOCK = re.compile(r"<!--edition:(?P<language>[\w-]+)-->.*?<!--/edition:(?P=language)-->", re.S)


def keep_own_edition(text: str, language: str) -> str:
    return EDITION_BLOCK.sub(lambda m: m[0] if m["language"] == language else "", text)


def select_edition(app: Sphinx, doctree, docname: str) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if "<!--edition:" in raw.astext():
            kept = keep_own_edition(raw.astext(), app.config.language)
            raw.parent.replace(raw, nodes.raw("", kept, format=raw.get("format", "html")))


# ---- translated editions: coverage, notice, what is still English -------------------------------

def translated(app: Sphinx) -> bool:
    return app.config.language not in (None, "", "en")


def relative_root(docname: str) -> str:
    return "../" * docname.count("/")


def english_page(docname: str) -> str:
    """The English page of a translated page, relative to it (the translation sits one folder
    below the English edition)."""
    return f"../{relative_root(docname)}{docname}.html"


def page_catalogue(app: Sphinx, docname: str):
    """The page's own translations, as Sphinx's Locale transform reads them."""
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    folders = [str(Path(app.srcdir) / folder) for folder in app.config.locale_dirs]
    catalogue, _ = init_locale(folders, app.config.language, docname_to_domain(docname, app.config.gettext_compact))
    return catalogue


def is_toctree(node) -> bool:
    return isinstance(node, nodes.Element) and node.tagname == "toctree"


def translate_toctree_captions(app: Sphinx, doctree) -> None:
    """The captions of the table of contents ("The argument", "Appendices"), which
    sphinx-external-toc adds after Sphinx has translated the page, from the page's catalogue."""
    catalogue = page_catalogue(app, app.env.docname)
    for toctree in doctree.findall(is_toctree):
        if toctree.get("caption"):
            toctree["caption"] = catalogue.gettext(toctree["caption"])


def mark_translation(app: Sphinx, doctree) -> None:
    """After the translation: count the page's translated messages and mark what stayed English."""
    if not translated(app):
        return
    language = app.config.language
    script = re.compile(i18n.SCRIPTS[language])

    def is_translated(node) -> bool:
        if isinstance(node, nodes.image):  # Sphinx translates alt text without flagging it
            return bool(script.search(node.get("alt", "")))
        if is_toctree(node):
            return bool(script.search(node.get("caption", "")))
        return bool(node.get("translated"))

    translate_toctree_captions(app, doctree)
    messages = [node for node, _ in extract_messages(doctree)]
    done = [node for node in messages if is_translated(node)]
    for node in messages:
        if not is_translated(node) and not is_toctree(node) and re.search("[A-Za-z]", node.astext()):
            node["classes"].append(UNTRANSLATED_CLASS)
    for output in doctree.findall(nodes.container):
        if ("cell_output" in output.get("classes", []) and not script.search(output.astext())
                and re.search("[A-Za-z]", output.astext())):
            output["classes"].append(UNTRANSLATED_CLASS)
    state = "full" if messages and len(done) == len(messages) else "part" if done else "none"
    if app.env.docname in i18n.pending_pages(language):
        state = "pending"  # listed by its contributor: the notice says the translation is on its way
    app.env.metadata[app.env.docname][TRANSLATION_STATE] = state


TRANSLATION_STATE = "cstobook_translation"


def translate_glued_figure_alt_texts(app: Sphinx, doctree, docname: str) -> None:
    """The alt text of glued figures (whose images myst-nb makes after the translation) from the
    page's catalogue, where tools/build_edition.py --catalogues puts it."""
    if not translated(app):
        return
    catalogue = page_catalogue(app, docname)
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            image["alt"] = catalogue.gettext(image["alt"])


def add_notice(app: Sphinx, doctree, docname: str) -> None:
    """Under the title of a page translated in part or not yet (at each writing, so that the
    notice follows the edition's own catalogue)."""
    state = app.env.metadata.get(docname, {}).get(TRANSLATION_STATE, "full")
    section = next(doctree.findall(nodes.section), None)
    if state != "full" and section is not None:
        section.insert(1, notice(docname, state, app.config.language))


def notice(docname: str, state: str, language: str) -> nodes.raw:
    text = html.escape(i18n.edition_words(state, language))
    link = html.escape(i18n.edition_words("english_page", language))
    return nodes.raw("", f'<p class="{NOTICE_CLASS}" role="note">{text} '
                         f'<a href="{english_page(docname)}" hreflang="en">{link}</a>.</p>', format="html")


class PendingTranslations(SphinxDirective):
    """`{pending-translations}`: the pages whose translation is pending (cstobook.i18n.pending_pages),
    each linked, or a sentence saying that none is; in the words of the edition being built (its
    text is the build's own, not a message of the page's catalogue)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        language = self.env.config.language or "en"
        edition = language if language in i18n.LANGUAGES else i18n.LANGUAGES[0]
        pages = [page for page in i18n.pending_pages(edition) if page in self.env.found_docs]
        self.env.note_dependency(str(i18n.LOCALES / edition / i18n.PENDING_FILE))
        # translatable=False: Sphinx does not extract these words into the page's catalogue
        if not pages:
            return [nodes.paragraph("", i18n.edition_words("pending_none", language), translatable=False,
                                    classes=["cstobook-pending-translations"])]
        listing = nodes.bullet_list(classes=["cstobook-pending-translations"])
        for page in pages:
            reference = addnodes.pending_xref("", refdoc=self.env.docname, refdomain="std", reftype="doc",
                                              reftarget=f"/{page}", refexplicit=False)
            reference += nodes.inline("", page)
            listing += nodes.list_item("", nodes.paragraph("", "", reference, translatable=False))
        return [nodes.paragraph("", i18n.edition_words("pending_list", language), translatable=False), listing]


# ---- every page: the switch and hreflang --------------------------------------------------------

def edition_urls(app: Sphinx, pagename: str) -> dict[str, str]:
    """Absolute address of this page in every edition, from the site's address."""
    base = app.config.html_baseurl
    own = i18n.EDITION_FOLDERS[app.config.language or "en"]
    site = base[: len(base) - len(own)] if own and base.endswith(own) else base
    return {language: f"{site}{folder}{pagename}.html" for language, folder in i18n.EDITION_FOLDERS.items()}


def link_editions(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != "html" or doctree is None:
        return
    language = app.config.language or "en"
    urls = edition_urls(app, pagename)
    alternates = "".join(f'<link rel="alternate" hreflang="{lang}" href="{html.escape(url)}" />\n'
                         for lang, url in urls.items())
    alternates += f'<link rel="alternate" hreflang="x-default" href="{html.escape(urls["en"])}" />\n'
    context["metatags"] = context.get("metatags", "") + alternates
    others = [lang for lang in i18n.EDITION_FOLDERS if lang != language]
    other = others[0]
    if language == "en":
        href = f"{relative_root(pagename)}{i18n.EDITION_FOLDERS[other]}{pagename}.html"
    else:
        href = english_page(pagename)
    context["edition_switch"] = {"href": href, "hreflang": other, "label": i18n.LANGUAGE_NAMES[other],
                                 "title": i18n.edition_words("switch_title", language)}
    body = context.get("body")
    if isinstance(body, str) and translated(app):
        context["body"] = mark_english(body)
        if app.config.language in i18n.RIGHT_TO_LEFT:
            context["body"] = isolate_latin_runs(context["body"])
    elif isinstance(body, str) and "<td" in body:
        context["body"] = mark_arabic_cells(body)


# ---- one sitemap for the site --------------------------------------------------------------------

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def write_sitemap(app: Sphinx, exception) -> None:
    """The site's sitemap, written by the English build at the site's root: every page of the
    table of contents in every edition, each with its alternates (hreflang), as search engines
    read them. Written from the table of contents, not from the pages this build happened to
    write, so that an incremental build writes it whole."""
    if exception is not None or app.builder.format != "html" or translated(app):
        return
    from xml.etree import ElementTree as ET

    from cstobook import toc

    ET.register_namespace("", SITEMAP)
    ET.register_namespace("xhtml", XHTML)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for page in toc.documents(Path(app.srcdir)):
        versions = edition_urls(app, page)
        for url in versions.values():
            entry = ET.SubElement(root, f"{{{SITEMAP}}}url")
            ET.SubElement(entry, f"{{{SITEMAP}}}loc").text = url
            for language, href in versions.items():
                ET.SubElement(entry, f"{{{XHTML}}}link", rel="alternate", hreflang=language, href=href)
    ET.ElementTree(root).write(Path(app.outdir) / "sitemap.xml", encoding="utf-8", xml_declaration=True)


# ---- right to left, and the edition's font -----------------------------------------------------

def add_edition_styles(app: Sphinx) -> None:
    if app.config.language in i18n.RIGHT_TO_LEFT:
        app.add_css_file("rtl.css")


def set_direction(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for copied in (outdir / "_static" / FONT_FOLDER).glob("*.ttf"):  # the sources of the web fonts
        copied.unlink()
    if app.config.language not in i18n.RIGHT_TO_LEFT:
        return
    opening = f'<html lang="{app.config.language}"'
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if opening in text and f'{opening} dir="rtl"' not in text:
            page.write_text(text.replace(opening, f'{opening} dir="rtl"', 1), encoding="utf-8")
    write_edition_font(app, outdir)


def translate_furniture(app: Sphinx, exception) -> None:
    """The words of the page's frame that the themes write in English (buttons, search, tooltips,
    the footer, the previous/next links: cstobook.i18n.FURNITURE), in the edition's language, in
    the text and the attributes of every page and in the scripts that write them."""
    if exception is not None or app.builder.format != "html" or not translated(app):
        return
    language = app.config.language
    words = {word: i18n.translate(word, language, "edition") for word in i18n.FURNITURE}
    words = {english: own for english, own in words.items() if own != english}
    if not words:
        return
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    # a whole text between tags, or a whole attribute value
    text = re.compile(rf"(>\s*)({alternatives})(\s*<)")
    attribute = re.compile(rf'((?:title|placeholder|aria-label|data-bs-title|alt)=")({alternatives})(")')
    author = re.compile(r'(<p class="component-author">\s*)\S+ (' + re.escape(app.config.author) + r")(\s*<)")
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        body = page.read_text(encoding="utf-8")
        new = text.sub(lambda m: m[1] + words[m[2]] + m[3], body)
        new = attribute.sub(lambda m: m[1] + words[m[2]] + m[3], new)
        new = author.sub(lambda m: m[1] + words.get("By", "By") + " " + words.get(m[2], m[2]) + m[3], new)
        new = new.replace("&#169; Copyright", "&#169; " + words.get("Copyright", "Copyright")).replace(
            "© Copyright", "© " + words.get("Copyright", "Copyright"))
        if new != body:
            page.write_text(new, encoding="utf-8")
    for script in (outdir / "_static").glob("*.js"):
        code = script.read_text(encoding="utf-8")
        new = code
        for english in ("Toggle hidden content",):
            if english in words:
                new = new.replace(f'"{english}"', f'"{words[english]}"')
        if new != code:
            script.write_text(new, encoding="utf-8")


def write_edition_font(app: Sphinx, outdir: Path) -> None:
    """The Arabic font as WOFF2, cut to the characters of the edition's pages (and the contextual
    forms they need: fontTools' subsetter keeps the shaping tables), unhinted: phones and Macs
    ignore TrueType hinting, which was a third of the face's bytes on every Arabic page's
    critical path (18.5 kB hinted, 12.7 kB without)."""
    characters = set()
    for page in outdir.rglob("*.html"):
        characters.update(page.read_text(encoding="utf-8"))
    arabic = {ord(c) for c in characters if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufefc"}
    arabic |= {ord(c) for c in " .,:;!?()[]«»-–—/0123456789،؛؟"}
    for name in ARABIC_FONTS:
        subset_font(Path(app.srcdir) / "_static" / FONT_FOLDER / f"{name}.ttf",
                    outdir / "_static" / FONT_FOLDER / f"{name}.woff2", arabic, rename=False, hinting=False)


def setup(app: Sphinx) -> dict:
    from myst_nb import sphinx_ as myst_nb_sphinx
    from myst_nb.ext.glue import roles

    myst_nb_sphinx.load_renderer = remembering(myst_nb_sphinx.load_renderer)
    roles.retrieve_glue_data = lend_page_notebook(roles.retrieve_glue_data)
    app.add_directive("pending-translations", PendingTranslations)
    app.connect("doctree-read", mark_translation)
    app.connect("doctree-read", forget_page_notebook)
    app.connect("doctree-resolved", select_edition)
    app.connect("doctree-resolved", add_notice)
    app.connect("doctree-resolved", translate_glued_figure_alt_texts)
    app.connect("builder-inited", add_edition_styles)
    app.connect("html-page-context", link_editions)
    app.connect("build-finished", translate_furniture)
    app.connect("build-finished", set_direction)
    app.connect("build-finished", write_sitemap)
    app.setup_extension("print_faces")  # after add_edition_styles: print-fonts.css comes after rtl.css
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
