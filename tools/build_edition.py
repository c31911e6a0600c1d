"""The Arabic edition, and the message catalogues it is translated from.

The English text is the one source. Sphinx's internationalisation extracts its messages into one
catalogue per page (`--catalogues`: _build/gettext/*.pot, merged into locales/ar/LC_MESSAGES/*.po,
where a changed English message comes back untranslated or fuzzy), and builds the Arabic edition
from the same sources, the same executed notebooks and the translated catalogues (`ar`): written to
_build/ar/html, then published beside the English edition as _build/html/ar/.

    python tools/build_edition.py ar [--source DIR] [--path-output DIR] [--lenient]
    python tools/build_edition.py --catalogues
"""
from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cstobook import catalogues, i18n  # noqa: E402


def site_url(source: Path) -> str:
    return yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))["html"]["baseurl"]


def sphinx_build(source: Path, output: Path, doctrees: Path, builder: str, overrides: dict,
                 strict: bool) -> int:
    from jupyter_book.sphinx import build_sphinx

    overrides = {"external_toc_path": (source / "_toc.yml").as_posix(), "nitpicky": strict,
                 "latex_individualpages": False,   # jupyter-book's own option, which it expects
                 # the English build's execution cache: the Arabic edition shows the same outputs
                 "nb_execution_cache_path": str(source / "_build" / ".jupyter_cache"), **overrides}
    result = build_sphinx(source, output, noconfig=True, path_config=str(source / "_config.yml"),
                          confoverrides=overrides, doctreedir=doctrees, builder=builder,
                          warningiserror=strict, keep_going=True)
    return 1 if isinstance(result, Exception) else int(result or 0)


def edition_overrides(language: str, source: Path, build_root: Path) -> dict:
    """The configuration of the edition in `language`, the same for its site and its one-page build,
    so that the one-page build reads the environment the site's build left (no page is read twice)."""
    return {"language": language, "html_title": i18n.translate(i18n.book_title(), language, "edition"),
            # the folded code cells' buttons (the book folds only their code)
            "nb_code_prompt_show": i18n.edition_words("show_code", language),
            "nb_code_prompt_hide": i18n.edition_words("hide_code", language),
            # «الشكل 4», not "Fig. 4" (Sphinx's Arabic catalogue has no numbers' words)
            "numfig_format": numfig_format(language),
            "html_baseurl": site_url(source) + i18n.EDITION_FOLDERS[language],
            "ogp_site_url": site_url(source) + i18n.EDITION_FOLDERS[language],
            "nb_execution_cache_path": str(build_root / ".jupyter_cache")}


def build_translation(language: str, source: Path = ROOT, path_output: Path | None = None,
                      strict: bool = True) -> int:
    """The edition in `language`, into <path_output>/_build/html/<folder>; 0 when it built cleanly."""
    build_root = (path_output or source) / "_build"
    staging = build_root / language
    status = sphinx_build(source, staging / "html", staging / ".doctrees", "html",
                          edition_overrides(language, source, build_root), strict)
    published = build_root / "html" / i18n.EDITION_FOLDERS[language]
    if published.exists():
        shutil.rmtree(published)
    shutil.copytree(staging / "html", published, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    return status


def numfig_format(language: str) -> dict[str, str]:
    return {"figure": i18n.translate(i18n.EDITION_WORDS["figure_number"], language, "edition"),
            "table": i18n.translate(i18n.EDITION_WORDS["table_number"], language, "edition"),
            "code-block": "%s", "section": "%s"}


def build_single_page(language: str, source: Path = ROOT, path_output: Path | None = None) -> Path:
    """The edition in `language` as one page (for the PDF), in <path_output>/_build/<language>/singlehtml."""
    build_root = (path_output or source) / "_build"
    staging = build_root / language
    sphinx_build(source, staging / "singlehtml", staging / ".doctrees", "singlehtml",
                 edition_overrides(language, source, build_root), strict=False)
    page = staging / "singlehtml" / "index.html"
    if not page.is_file():
        raise SystemExit(f"the one-page build wrote no {page}")
    return page


def update_catalogues(source: Path = ROOT, languages: tuple[str, ...] = i18n.LANGUAGES) -> int:
    """Extract every page's messages and merge them into locales/<language>/LC_MESSAGES/*.po."""
    templates = source / "_build" / "gettext"
    status = sphinx_build(source, templates, source / "_build" / "gettext-doctrees", "gettext", {}, strict=True)
    if status == 0:
        write_code_templates(templates)
        add_glued_figure_alt_texts(source, templates)
        for language in languages:
            for template in sorted(templates.rglob("*.pot")):
                relative = template.relative_to(templates).with_suffix(".po")
                merge_catalogue(source / "locales" / language / "LC_MESSAGES" / relative, template, language)
    return status


CATALOGUE_WIDTH = 76  # the wrap width of the committed catalogues (polib's wrapping)

# Every catalogue's header entry, whichever tool wrote it (Babel for a new one, a translator's PO
# editor): the book's title as CITATION.cff gives it (no version, so that a release does not touch
# every catalogue), where to report a problem, and the language team; a translator and revision
# date where Babel left placeholders. Dates, translator, plural forms and the rest stay as written.
# tests/test_catalogue_headers.py holds every catalogue to it.
CATALOGUE_PROJECT = "Would Russia call on the CSTO in Ukraine?"
CATALOGUE_HEADER_COMMENT = (f"Arabic edition of \"{CATALOGUE_PROJECT}\": message catalogue.\n"
                            "Copyright (C) 2026 The CSTO-Ukraine book contributors.\n"
                            "Distributed under the same licence as the book's text (CC BY 4.0).")
CATALOGUE_TRANSLATOR = "CSTO–Ukraine book contributors (machine-assisted)"  # what the catalogues say
CATALOGUE_METADATA = {
    "Project-Id-Version": CATALOGUE_PROJECT,
    "Report-Msgid-Bugs-To": "https://github.com/csto-ukraine-book/csto-ukraine-book/issues",
    "Language-Team": "Arabic",
}


def canonical_header(catalogue, language: str = "ar") -> None:
    """Give a catalogue (a polib.POFile) the book's header; its messages are left as they are."""
    catalogue.header = CATALOGUE_HEADER_COMMENT
    catalogue.metadata.update(CATALOGUE_METADATA)
    catalogue.metadata["Language"] = language
    if "FULL NAME" in catalogue.metadata.get("Last-Translator", "FULL NAME"):  # Babel's placeholder
        catalogue.metadata["Last-Translator"] = CATALOGUE_TRANSLATOR
    if "YEAR" in catalogue.metadata.get("PO-Revision-Date", "YEAR"):  # Babel's placeholder
        catalogue.metadata["PO-Revision-Date"] = catalogue.metadata.get("POT-Creation-Date", "")


def is_citation_line(message: str) -> bool:
    """A citation of the book or of a chapter in APA style (How to cite, a page translated in full)."""
    from cstobook import edition

    return message.startswith(f"{edition.authors()}. ({edition.year()}). ")


_CITED_PAGE = re.compile(r"\(\d{4}\)\. (?P<title>.*)\. In \*.*<[^<>]*?(?P<page>chapters/[\w-]+)\.html>$", re.S)


def new_citation_line(message: str, existing, language: str) -> str:
    """A new chapter's citation line (a chapter added to _toc.yml adds one to How to cite), written
    from another chapter's translated line with the new chapter's title (as its own catalogue
    translates it, else in English: a page whose translation is pending) and address put in; in
    English where no translated line exists yet. Not a fuzzy guess: the rest of the line is the same
    for every chapter."""
    new = _CITED_PAGE.search(message)
    for entry in existing:
        old = _CITED_PAGE.search(entry.msgid) if is_citation_line(entry.msgid) else None
        if new is None or old is None or not entry.translated() or entry.msgstr == entry.msgid:
            continue
        if entry.msgid.replace(old["title"], new["title"], 1).replace(f"{old['page']}.html", f"{new['page']}.html") != message:
            continue  # the lines differ in more than the chapter (a new version, say): a translator's work
        old_title = i18n.page_message(old["page"], old["title"], language)
        if old_title in entry.msgstr and f"{old['page']}.html" in entry.msgstr:
            new_title = i18n.page_message(new["page"], new["title"], language)
            return entry.msgstr.replace(old_title, new_title, 1).replace(f"{old['page']}.html", f"{new['page']}.html")
    return message


def merge_catalogue(catalogue: Path, template: Path, language: str) -> str:
    """Merge a page's template (.pot) into its catalogue, as msgmerge does: a new message comes in
    untranslated, a changed one fuzzy (with the translation of its closest old message and the old
    English as its previous msgid), a message gone from the template is dropped. Babel's matching
    decides each message (sphinx-intl's update uses it too); the file is written with polib at the
    catalogues' width, and every message that did not change keeps its lines byte for byte, so
    that a diff of the catalogue shows only the changed messages. (sphinx-intl writes the whole
    catalogue with Babel, whose wrapping differs from polib's: a 4-message change was a
    4,000-line diff.) Returns 'created', 'updated' or 'unchanged'."""
    import polib
    from babel.messages.pofile import read_po, write_po

    with template.open("rb") as handle:
        merged = read_po(handle)
    if not catalogue.is_file():
        merged.locale = language
        buffer = io.BytesIO()
        write_po(buffer, merged, width=CATALOGUE_WIDTH, omit_header=False, ignore_obsolete=True)
        catalogue.parent.mkdir(parents=True, exist_ok=True)
        created = polib.pofile(buffer.getvalue().decode("utf-8"), wrapwidth=CATALOGUE_WIDTH)
        canonical_header(created, language)
        created.save(str(catalogue))
        return "created"
    existing = polib.pofile(str(catalogue), wrapwidth=CATALOGUE_WIDTH)
    with catalogue.open("rb") as handle:
        updated = read_po(handle)
    updated.update(merged)  # babel's msgmerge: new, fuzzy (closest old message) and dropped messages
    kept = {(entry.msgctxt, entry.msgid): entry for entry in existing if not entry.obsolete}
    entries = []
    for message in updated:
        if not message.id:  # the header: kept as it is
            continue
        old = kept.get((message.context, message.id))
        if old is not None and old.msgstr == (message.string or "") and old.fuzzy == message.fuzzy:
            entries.append(old)
            continue
        if old is None and is_citation_line(message.id):
            entries.append(polib.POEntry(msgid=message.id, msgstr=new_citation_line(message.id, existing, language),
                                         msgctxt=message.context))
            continue
        previous = message.previous_id[0] if message.fuzzy and message.previous_id else None
        entries.append(polib.POEntry(msgid=message.id, msgstr=message.string or "", msgctxt=message.context,
                                     flags=sorted(message.flags), previous_msgid=previous,
                                     comment="\n".join(message.auto_comments),
                                     tcomment="\n".join(message.user_comments)))
    before = existing.__unicode__()
    canonical_header(existing, language)  # a header an editor rewrote comes back to the book's
    existing[:] = entries
    after = existing.__unicode__()
    if after == before:
        return "unchanged"
    existing.save()
    return "updated"


_GLUED_FIGURE_ALT = re.compile(r"^```\{glue:figure\}[^\n]*\n(?:(?!```).*\n)*?:alt: (?P<alt>.+)$", re.M)


def add_glued_figure_alt_texts(source: Path, templates: Path) -> None:
    """The alt text of each glued figure, into its page's catalogue: myst-nb makes the image of a
    glued figure after Sphinx has extracted the page's messages, so gettext never sees it
    (_ext/editions.py translates it from the page's catalogue)."""
    from babel.messages.pofile import read_po, write_po

    from cstobook import toc

    for page in toc.documents(source):
        path = toc.source_file(page, source)
        pot = templates / f"{page}.pot"
        alts = [m["alt"].strip() for m in _GLUED_FIGURE_ALT.finditer(path.read_text(encoding="utf-8"))] if path else []
        if not alts or not pot.is_file():
            continue
        with pot.open("rb") as handle:
            catalog = read_po(handle)
        for alt in alts:
            catalog.add(alt)
        with pot.open("wb") as handle:
            write_po(handle, catalog, width=76, omit_header=False)


def write_code_templates(templates: Path) -> None:
    """One .pot per catalogue of what chapters' code writes (cstobook.i18n.DOMAINS)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    for domain in i18n.DOMAINS:
        catalog = Catalog(project="Would Russia call on the CSTO in Ukraine?", charset="utf-8")
        for message in catalogues.messages(domain):
            catalog.add(message)
        with (templates / f"{domain}.pot").open("wb") as pot:
            write_po(pot, catalog, omit_header=False, width=76)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("language", nargs="?", choices=i18n.LANGUAGES)
    parser.add_argument("--catalogues", action="store_true", help="update the message catalogues")
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--path-output", type=Path, default=None)
    parser.add_argument("--lenient", action="store_true", help="warnings do not fail the build")
    args = parser.parse_args(argv)
    if args.catalogues:
        return update_catalogues(args.source.resolve())
    if not args.language:
        parser.error("name a language, or --catalogues")
    return build_translation(args.language, args.source.resolve(),
                             args.path_output.resolve() if args.path_output else None, not args.lenient)


if __name__ == "__main__":
    sys.exit(main())
