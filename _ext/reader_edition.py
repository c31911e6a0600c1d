"""Sphinx extension for readers: the foot of every page of the book links to "How to cite", naming
the edition (the version of CITATION.cff) and the date to which its record is complete (record.yml),
so that a reader who lands on a chapter finds how to cite it and how current it is; the landing
page (under its subtitle) and every chapter of "The argument" (in its "In brief" box) state that
date too; and every chart that has a phone layout (figures/NAME.phone.png, written by
cstobook.charts.save_figure) is offered to narrow screens through <picture>. An edition in another
language shows the charts' twins in its language (figures/NAME.ar.png and NAME.ar.phone.png), and
names a page whose translation is pending, in its previous/next links, by its English title marked
as English."""
from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes

from sphinx.application import Sphinx

CITE_PAGE = "chapters/how-to-cite"


def cite_this_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if doctree is None or not isinstance(body, str) or pagename == CITE_PAGE or CITE_PAGE not in app.env.all_docs:
        return
    from cstobook import edition, i18n

    language = app.config.language or "en"
    href = app.builder.get_relative_uri(pagename, CITE_PAGE)
    cite = i18n.edition_words("cite_book" if pagename == app.config.root_doc else "cite_chapter", language,
                              version=edition.version(), date=i18n.spelled_date(edition.released(), language))
    label = i18n.edition_words("how_to_cite", language)
    record = i18n.edition_words("record", language, date=i18n.spelled_date(edition.record_complete_to(), language))
    context["body"] = body + (
        f'<aside class="cstobook-cite-this" aria-label="{html.escape(label)}"><p>{html.escape(cite)} '
        f'{html.escape(record)} <a href="{html.escape(href)}">{html.escape(label)}</a>.</p></aside>')


def mark_pending_neighbours(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The previous or next page, where its translation is pending (cstobook.i18n.pending_pages),
    is named by its English title: marked as English, for screen readers and for the isolation of
    a Latin run in a right-to-left line."""
    from cstobook import i18n

    language = app.config.language or "en"
    if language == "en":
        return
    pending = set(i18n.pending_pages(language))
    for key, docname in zip(("prev", "next"), (app.env.collect_relations().get(pagename) or [None] * 3)[1:]):
        if docname in pending and context.get(key):
            context[key] = {**context[key], "title": f'<span lang="en" dir="ltr">{context[key]["title"]}</span>'}


RECORD_CLASS = "cstobook-record-date"
ARGUMENT_PART = "The argument"


def state_the_record_date(app: Sphinx, doctree, docname: str) -> None:
    """The date to which the record is complete, written by the build (never typed in a page):
    on the landing page under its subtitle, on each chapter of "The argument" at the end of its
    "In brief" box, in the edition's language."""
    from cstobook import edition, i18n, toc

    if docname != app.config.root_doc and docname not in toc.part(ARGUMENT_PART, Path(app.srcdir)):
        return
    language = app.config.language or "en"
    words = i18n.edition_words("record_note", language,
                               date=i18n.spelled_date(edition.record_complete_to(), language))
    note = nodes.paragraph("", "", nodes.emphasis(words, words), classes=[RECORD_CLASS])
    if docname == app.config.root_doc:
        section = next(iter(doctree.findall(nodes.section)), None)
        first = next((child for child in section.children if isinstance(child, nodes.paragraph)), None) \
            if section is not None else None
        if first is not None:
            section.insert(section.index(first) + 1, note)
        return
    for box in doctree.findall(nodes.admonition):
        if "in-brief" in box.get("classes", []):
            box.append(note)
            return


PHONE_MEDIA = "screen and (max-width: 600px)"
PHONE_SOURCE_CLASS = "cstobook-phone-source"


def phone_renderings(srcdir: Path) -> dict[str, Path]:
    """Phone layouts of the figures, by the name of the image they stand in for: NAME.png (the
    static figure) and the notebook's rendering of the same chart (myst-nb names it by the
    sha256 of its bytes, which the phone PNG records)."""
    from PIL import Image

    from cstobook import charts

    found = {}
    for phone in sorted((srcdir / "figures").glob(f"*{charts.PHONE_SUFFIX}.png")):
        found[phone.name.replace(charts.PHONE_SUFFIX, "")] = phone
        with Image.open(phone) as image:
            web = image.info.get(charts.WEB_FIGURE_KEY)
        if web:
            found[f"{web}.png"] = phone
    return found


def translated_renderings(srcdir: Path, language: str) -> dict[str, Path]:
    """The twins in `language` of the translated figures (cstobook.i18n.TRANSLATED_FIGURES), by
    the name of the image they stand in for: NAME.png, and the notebook's rendering of the same
    chart (named by its sha256, which the English phone layout records)."""
    from PIL import Image

    from cstobook import charts, i18n

    found = {}
    if language not in i18n.LANGUAGES:
        return found
    figures = srcdir / "figures"
    for name in i18n.TRANSLATED_FIGURES:
        twin = figures / f"{charts.twin_name(name, language)}.png"
        if not twin.is_file():
            continue
        found[f"{name}.png"] = twin
        phone = figures / f"{name}{charts.PHONE_SUFFIX}.png"
        if phone.is_file():
            with Image.open(phone) as image:
                web = image.info.get(charts.WEB_FIGURE_KEY)
            if web:
                found[f"{web}.png"] = twin
    return found


def show_translated_renderings(app: Sphinx, doctree) -> None:
    """In an edition in another language, on a page translated in full, each image of a translated
    chart shows its twin in that language (before add_phone_renderings, which then offers the
    twin's phone layout). A page translated in part keeps the English chart of its English text."""
    from cstobook import i18n

    if app.env.docname not in i18n.PAGES_IN_FULL:
        return
    twins = translated_renderings(Path(app.srcdir), app.config.language)
    for image in doctree.findall(nodes.image):
        twin = twins.get(Path(image["uri"]).name)
        if twin is not None:
            image["uri"] = "/" + twin.relative_to(app.srcdir).as_posix()
    offer_translated_downloads(app, doctree)


def offer_translated_downloads(app: Sphinx, doctree) -> None:
    """A page's download links to a translated figure (a map's static image, PNG and SVG: the
    image the PDF prints in place of the map) offer its twin in the edition's language, before
    Sphinx collects the files to copy."""
    from sphinx import addnodes

    from cstobook import charts, i18n

    language = app.config.language
    if language not in i18n.LANGUAGES:
        return
    figures = Path(app.srcdir) / "figures"
    for link in doctree.findall(addnodes.download_reference):
        target = Path(link.get("reftarget", ""))
        if target.parent.name != "figures" or target.stem not in i18n.TRANSLATED_FIGURES:
            continue
        twin = f"{charts.twin_name(target.stem, language)}{target.suffix}"
        if (figures / twin).is_file():
            link["reftarget"] = (target.parent / twin).as_posix()


def add_phone_renderings(app: Sphinx, doctree) -> None:
    """Beside each image that has a phone layout, an image node of that layout, which the image
    collector (called after this) copies into _images/ and offer_phone_renderings turns into the
    <picture> source."""
    renderings = phone_renderings(Path(app.srcdir))
    for image in list(doctree.findall(nodes.image)):
        phone = renderings.get(Path(image["uri"]).name)
        if phone is None or PHONE_SOURCE_CLASS in image.get("classes", []):
            continue
        image.parent.insert(image.parent.index(image) + 1, nodes.image(
            uri="/" + phone.relative_to(app.srcdir).as_posix(), alt="", classes=[PHONE_SOURCE_CLASS]))


# an image (inside the link Sphinx puts around a scaled image), then its phone layout's image node
_PAIR = re.compile(r'(<img\b[^>]*?/?>)(\s*</a>)?\s*<img alt="" class="' + PHONE_SOURCE_CLASS + r'" src="([^"]+)" ?/?>')


def offer_phone_renderings(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if isinstance(body, str) and PHONE_SOURCE_CLASS in body:
        context["body"] = _PAIR.sub(lambda m: f'<picture><source media="{PHONE_MEDIA}" srcset="{m[3]}">'
                                              f'{m[1]}</picture>{m[2] or ""}', body)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", cite_this_page)
    app.connect("doctree-resolved", state_the_record_date)
    app.connect("doctree-read", show_translated_renderings, priority=300)
    app.connect("doctree-read", add_phone_renderings, priority=400)
    app.connect("html-page-context", offer_phone_renderings)
    app.connect("html-page-context", mark_pending_neighbours)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
