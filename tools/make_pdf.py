"""The PDF edition (`make pdf`): the book as one HTML page, printed by Debian's chromium.

1. `jupyter-book build --builder singlehtml` writes every chapter, in the order of _toc.yml, into
   one page from the same sources and the same execution cache as the site (no chapter runs twice).
2. Playwright opens that page in chromium with print media (the `@media print` rules of
   _static/cstobook.css hide the web chrome: buttons, code toggles, search, sidebars), puts a title
   page naming the edition in front, and swaps every interactive map for its static image (the PNG
   the map's caption offers for download).
3. `page.pdf(outline=True, tagged=True)` prints A4 with page numbers in the footer, bookmarks from
   the headings (one per chapter and section), and Arabic shaped by chromium's HarfBuzz, whose
   text a PDF reader can search and copy.

Every text is set in the faces the book ships (_ext/print_faces.py, PRINT_FACES: Noto Sans, Noto Naskh
Arabic, Noto Sans Mono), never in the printing machine's own fonts: the page's through its print
style, the running header and the page numbers as margin boxes of its @page rule (chromium draws
its own header and footer templates in the machine's default face, whatever face they name).

The Arabic edition (`--language ar`, `make pdf LANGUAGE=ar`) is printed the same way from its
one-page build (tools/build_edition.py), right to left, with its title page in Arabic.

Usage: python tools/make_pdf.py [--language ar] [--output-root DIR] [--pdf FILE]
"""
from __future__ import annotations

import argparse
import html
import logging
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "_ext"))

from cstobook import edition, i18n  # noqa: E402

CHROMIUM = os.environ.get("CSTOBOOK_CHROMIUM", "/usr/bin/chromium")
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

# Every map is a figure holding a folium iframe whose caption links its static twin for download.
# The image's text alternative names the map in the edition's language (`words`: the static
# image's wording and the interactive map's title prefix, before its "{title}").
SWAP_MAPS_JS = """(words) => {
  const missing = [];
  let swapped = 0;
  for (const frame of [...document.querySelectorAll('iframe')]) {
    if (!(frame.getAttribute('srcdoc') || '').includes('leaflet')) continue;
    const figure = frame.closest('figure');
    const link = figure && [...figure.querySelectorAll('figcaption a[href]')]
      .find(a => a.getAttribute('href').toLowerCase().endsWith('.png'));
    if (!link) { missing.push(frame.title || 'an untitled map'); continue; }
    const image = document.createElement('img');
    image.src = link.href;
    const title = frame.title || '';
    image.alt = words.static.replace('{title}', title.startsWith(words.interactive)
      ? title.slice(words.interactive.length) : title);
    image.className = 'cstobook-static-map';
    const output = frame.closest('.cell_output') || frame;
    output.replaceWith(image);
    swapped += 1;
  }
  return {swapped, missing};
}"""

# Jupyter Book's print-only front matter (#jb-print-docs-body: the title, then the contents) gets
# the edition's title page in place of its bare title.
TITLE_PAGE_JS = """(html) => {
  const front = document.querySelector('#jb-print-docs-body');
  const page = document.createElement('section');
  page.className = 'cstobook-title-page';
  page.innerHTML = html;
  front.querySelector(':scope > h1')?.remove();
  front.prepend(page);
}"""

# A page of paper does not scroll: long lines of code (the BibTeX entries of How to cite, the commands
# of the methods appendix) wrap at the margin, or the printed page cuts them off.
WRAPPED_CODE = ("pre { white-space: pre-wrap; overflow-wrap: anywhere; }"
                # the title's lines far enough apart for Arabic, whose marks reach above and below
                # the Latin line (the authors' line was printed into the title's last line)
                " .cstobook-title-page .cstobook-title { line-height: 1.6; }")


# The text of every heading the reader sees, in the order of the page: chromium makes the PDF's
# bookmarks from the headings (h1-h6 and role="heading") but titles each with the glyphs it drew,
# run after run: a heading wrapped over two lines loses the space at the break ("CSTOin"), one drawn
# twice, or one of its lines twice, is named so ("inFebruaryFebruary"), and the
# runs of a right-to-left line come in visual order ("2022بعد ربيع "). make_pdf titles them again
# from these texts (retitle_outline).
HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]')]
  .filter(h => h.checkVisibility())
  .map(h => h.innerText.replace(/\\s+/g, ' ').replace(/ ?#$/, '').trim())
  .filter(text => text)"""


def letters(text: str) -> Counter:
    """A title's characters without spaces, counted: the same for a heading and for chromium's
    title of its bookmark whatever the order in which it drew the heading's runs."""
    return Counter("".join(unicodedata.normalize("NFKC", text).split()))


def names(title: Counter, heading: Counter) -> bool:
    """Whether chromium's `title` of a bookmark names `heading`: it drew every character of the
    heading, some lines of it perhaps twice, and no character the heading does not have."""
    return bool(heading) and not heading - title and set(title) <= set(heading) \
        and sum(title.values()) <= 2 * sum(heading.values())


def retitle_outline(pdf: Path, headings: list[str]) -> int:
    """Give each bookmark of `pdf` the text of its heading (HEADINGS_JS), taking the headings in
    order: a bookmark's heading is the next one it names (see `names`). Returns how many bookmarks
    named no heading (kept as they were)."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    # chromium's PDFs count one object more than their trailer says: pypdf warns, and copes
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    writer = PdfWriter(clone_from=pdf)
    keys = [letters(heading) for heading in headings]
    position, unmatched = 0, 0

    def walk(item):
        nonlocal position, unmatched
        while item is not None:
            item = item.get_object()
            title = letters(str(item.get("/Title", "")))
            found = next((i for i in range(position, len(keys)) if names(title, keys[i])), None)
            if found is None:
                unmatched += 1
            else:
                item[NameObject("/Title")] = TextStringObject(headings[found])
                position = found + 1
            if "/First" in item:
                walk(item["/First"])
            item = item.get("/Next")

    outlines = writer.root_object.get("/Outlines")
    if outlines is not None and "/First" in outlines.get_object():
        walk(outlines.get_object()["/First"])
    writer.write(pdf)
    return unmatched


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def map_words(language: str = "en") -> dict:
    """The wording of a map's static image in the edition's language, and the prefix of the
    interactive map's title it replaces (cstobook.maps names the map "Interactive map: {title}")."""
    interactive = i18n.translate("Interactive map: {title}", language, "figures")
    return {"static": i18n.translate(i18n.EDITION_WORDS["pdf_static_map"], language, "edition"),
            "interactive": interactive.split("{title}")[0]}


def page_margins(title: str, language: str = "en") -> str:
    """A4 pages with the running header (the book's title and version) and the page numbers in
    their margins, as CSS margin boxes: set in the book's print faces like the rest of the page
    (chromium draws its own header and footer templates apart from the page, in the machine's
    default face, whatever face they name)."""
    from print_faces import PRINT_STACK

    words = i18n.edition_words("pdf_header", language, title=title, version=edition.version())
    return (f"@page {{ size: A4; margin: 18mm 16mm;\n"
            f"  @top-center {{ content: {css_string(words)}; font-family: {PRINT_STACK}; font-size: 7px; "
            f"color: #777; direction: {i18n.direction(language)}; }}\n"
            f'  @bottom-center {{ content: counter(page) " / " counter(pages); font-family: {PRINT_STACK}; '
            f"font-size: 8px; color: #555; direction: ltr; }}\n}}")


def title_page(language: str = "en") -> str:
    """The title page: the edition, the date its record is complete to, the book, how to read it
    online and cite it, and its licences in the edition's language. The citation stays in
    English in every edition: it names the book as published."""
    citation = edition.citation()
    site = edition.site() + i18n.EDITION_FOLDERS[language]
    values = {"version": edition.version(), "site": site, "repository": citation["repository-code"],
              "date": i18n.spelled_date(edition.released(), language)}
    # each value isolated (<bdi>), so that an address keeps its order inside right-to-left text
    words = {key: html.escape(i18n.translate(i18n.EDITION_WORDS[key], language, "edition")).format(
                 **{name: f"<bdi>{html.escape(value)}</bdi>" for name, value in values.items()})
             for key in ("pdf_version", "pdf_read_online", "pdf_source")}
    record = html.escape(i18n.translate(i18n.EDITION_WORDS["record_note"], language, "edition")).format(
        date=f"<bdi>{html.escape(i18n.spelled_date(edition.record_complete_to(), language))}</bdi>")
    return (f'<p class="cstobook-title-edition">{words["pdf_version"]}</p>'
            f'<p class="cstobook-title-record">{record}</p>'
            f'<h1 class="cstobook-title">{html.escape(i18n.translate(edition.title(), language, "edition"))}</h1>'
            f'<p class="cstobook-title-authors">{html.escape(i18n.translate(edition.authors(), language, "edition"))}</p>'
            f'<p>{words["pdf_read_online"]}<br>{words["pdf_source"]}</p>'
            f'<p>{html.escape(i18n.translate(edition.licence_note(), language, "edition"))}</p>'
            f'<p class="cstobook-title-cite" lang="en" dir="ltr">Cite as: {html.escape(edition.authors())} '
            f'({edition.year()}). <em>{html.escape(edition.title())}</em> (Version '
            f'{html.escape(edition.version())}). [Record complete to '
            f'{edition.record_complete_to():%-d %B %Y}]. {html.escape(edition.site())}</p>')


def build_singlehtml(output_root: Path, language: str = "en") -> Path:
    """The book as one page, in output_root/_build/singlehtml, or _build/<language>/singlehtml for
    a translation (the execution cache of a previous HTML build into output_root is reused)."""
    if language == "en":
        subprocess.run([str(JUPYTER_BOOK), "build", str(ROOT), "--builder", "singlehtml",
                        "--path-output", str(output_root), "--keep-going"], check=True)
        page = output_root / "_build" / "singlehtml" / "index.html"
    else:
        sys.path.insert(0, str(ROOT / "tools"))
        from build_edition import build_single_page

        page = build_single_page(language, ROOT, output_root)
    if not page.is_file():
        raise SystemExit(f"the singlehtml build wrote no {page}")
    return page


def print_pdf(page_file: Path, pdf: Path, language: str = "en") -> dict:
    from playwright.sync_api import sync_playwright

    pdf.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page()
            page.emulate_media(media="print")
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            maps = page.evaluate(SWAP_MAPS_JS, map_words(language))
            if maps["missing"]:
                raise SystemExit(f"maps without a static image in their caption: {maps['missing']}")
            page.evaluate(TITLE_PAGE_JS, title_page(language))
            page.add_style_tag(content=page_margins(i18n.translate(edition.title(), language, "edition"), language))
            page.add_style_tag(content=WRAPPED_CODE)
            page.wait_for_load_state("networkidle")
            # every face loaded before printing: text in a face still loading is not painted
            page.evaluate("() => Promise.all([...document.fonts].map(f => f.load().catch(() => null)))")
            page.evaluate("() => Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
            headings = page.evaluate(HEADINGS_JS)
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True, outline=True, tagged=True)
        finally:
            browser.close()
    unmatched = retitle_outline(pdf, headings)
    if unmatched:
        raise SystemExit(f"{unmatched} bookmarks of {pdf} match no heading of the page")
    return maps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="en", choices=["en", *i18n.LANGUAGES], help="the edition")
    parser.add_argument("--output-root", type=Path, default=ROOT, help="where _build/ is (default: the book)")
    parser.add_argument("--pdf", type=Path, default=None, help="the PDF to write (default: _build/pdf/book.pdf)")
    args = parser.parse_args(argv)
    suffix = "" if args.language == "en" else f".{args.language}"
    pdf = args.pdf or args.output_root / "_build" / "pdf" / f"book{suffix}.pdf"
    maps = print_pdf(build_singlehtml(args.output_root, args.language), pdf, args.language)
    print(f"Wrote {pdf} (version {edition.version()}; {maps['swapped']} maps as static images)")


if __name__ == "__main__":
    main()
