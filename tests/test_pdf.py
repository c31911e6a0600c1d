"""The PDF edition (`make pdf`, tools/make_pdf.py): built once per session from the session's
clean HTML build (same execution cache), then read with pypdf."""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field

import pytest

from build_support import ROOT, build_env, built_page
from cstobook import data, edition, toc

CHROME = ("Show code cell source", "Hide code cell source", "Search Ctrl+K", "Toggle navigation",
          "Download this page", "Launch Binder", "Open issue", "Skip to main content", "Back to top")


def make_pdf(built_book, source, language: str = "en"):
    """The PDF edition of the book `source` (the copy the session's build was made of), printed
    from its build (the same path-output: its .jupyter_cache is reused)."""
    output_root = built_book.parent.parent
    suffix = "" if language == "en" else f".{language}"
    pdf = output_root / "_build" / "pdf" / f"book{suffix}.pdf"
    result = subprocess.run([sys.executable, str(source / "tools" / "make_pdf.py"), "--output-root", str(output_root),
                             "--language", language],
                            capture_output=True, text=True, timeout=1800, env=build_env(source))
    if result.returncode != 0:
        pytest.fail(f"make_pdf failed:\n{(result.stdout + result.stderr)[-4000:]}")
    from pypdf import PdfReader

    return Pdf(PdfReader(pdf), result.stdout)


@pytest.fixture(scope="session")
def pdf_book(built_book, built_source):
    return make_pdf(built_book, built_source)


@pytest.fixture(scope="session")
def pdf_book_ar(built_book, built_source):
    return make_pdf(built_book, built_source, "ar")


@dataclass
class Pdf:
    reader: object  # pypdf's PdfReader
    log: str  # what make_pdf printed
    extracted: dict[int, str] = field(default_factory=dict)  # page index -> its text

    def page_text(self, index: int) -> str:
        """The text of a page, extracted once: pypdf takes a tenth of a second a page (half a
        minute for a whole book), so a test that needs a chapter reads only its pages."""
        if index not in self.extracted:
            self.extracted[index] = self.reader.pages[index].extract_text() or ""
        return self.extracted[index]

    @property
    def pages(self) -> list[str]:
        return [self.page_text(index) for index in range(len(self.reader.pages))]

    @property
    def text(self) -> str:
        return unicodedata.normalize("NFKC", "\n".join(self.pages))

    def chapter_text(self, title: str) -> str:
        """The text of the pages of the chapter whose bookmark is `title`, to the page of the next
        bookmark of its level."""
        chapters = [item for item in self.reader.outline if isinstance(item, list)][0]
        starts = [(squash(item.title), self.reader.get_destination_page_number(item))
                  for item in chapters if not isinstance(item, list)]
        found = [i for i, (bookmark, _) in enumerate(starts) if bookmark == squash(title)]
        assert found, f"no bookmark {title!r} among {[bookmark for bookmark, _ in starts]}"
        first = starts[found[0]][1]
        last = starts[found[0] + 1][1] if found[0] + 1 < len(starts) else len(self.reader.pages) - 1
        return unicodedata.normalize("NFKC", "\n".join(self.page_text(i) for i in range(first, last + 1)))


def outline_titles(reader) -> list[str]:
    def walk(items):
        for item in items:
            yield from walk(item) if isinstance(item, list) else [item.title]
    return list(walk(reader.outline))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("\u2019", "'")


def test_pdf_has_page_numbers_and_a_title_page_naming_the_edition(pdf_book):
    pages = pdf_book.pages
    assert len(pages) >= 10 * len(toc.part("The argument"))
    first = squash(pages[0] + pages[1])
    assert squash(f"Version {edition.version()}") in first and squash(edition.title()[:20]) in first
    last = len(pages)
    for number in (1, last // 2, last):
        assert re.search(rf"\b{number}\s*/\s*{last}\b", pages[number - 1]), number


def test_pdf_outline_has_every_chapter_in_toc_order(pdf_book):
    titles = [squash(t) for t in outline_titles(pdf_book.reader)]
    positions = []
    for document in toc.documents()[1:]:
        title = squash(edition.chapter_title(document))
        found = [i for i, t in enumerate(titles) if title in t]
        assert found, f"no bookmark for {document}"
        positions.append(found[0])
    assert positions == sorted(positions), "bookmarks out of the order of _toc.yml"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pdf_bookmarks_read_as_the_headings(language, request, built_book):
    """Chromium titles a bookmark with the glyph runs it drew: a wrapped heading lost the space at
    its break ("CSTOin", «معاهدةالأمن»), a heading drawn twice was named twice («فصلفصل»), and a
    right-to-left line came in visual order. Every word of a bookmark must be a word of the page
    printed, and no bookmark one title twice."""
    import html as html_module

    pdf = request.getfixturevalue("pdf_book" if language == "en" else "pdf_book_ar")
    output_root = built_book.parent.parent
    page = output_root / "_build" / ("singlehtml" if language == "en" else "ar/singlehtml") / "index.html"
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
    words = set(re.findall(r"\w+", text))
    titles = outline_titles(pdf.reader)
    assert len(titles) > 2 * len(toc.documents())
    glued = {title: sorted(set(re.findall(r"\w+", title)) - words) for title in titles}
    assert not {title: w for title, w in glued.items() if w}, "words glued in bookmarks"
    doubled = [t for t in titles if len(t) % 2 == 0 and t[: len(t) // 2].strip() == t[len(t) // 2:].strip()]
    assert not doubled, f"bookmarks naming their heading twice: {doubled}"
    assert [t for t in titles if "بعد ربيع 2022" in t or "After spring 2022" in t], "a title out of order"


def test_pdf_holds_every_chapter_and_the_bibliography(pdf_book):
    text = squash(pdf_book.text)
    for document in toc.documents()[1:]:
        assert squash(edition.chapter_title(document)) in text, document
    sample = sorted(data.bibliography_keys())[::25]
    from cstobook.tables import plain_text

    for key in sample:
        title = plain_text(data.bibliography_entries()[key].fields["title"])
        assert squash(title[:25]).lower() in text.lower(), f"bibliography entry {key} is missing"


def test_pdf_shows_figures_and_a_static_image_for_every_map(pdf_book, built_book):
    images = sum(len(page.images) for page in pdf_book.reader.pages)
    maps = charts = 0
    for document in toc.documents():
        page = built_page(built_book, document)
        maps += sum("leaflet" in (f.get("srcdoc") or "") for f in page.find_all("iframe"))
        charts += len([img for img in page.select("article img") if "_images/" in img.get("src", "")])
    assert f"{maps} maps as static images" in pdf_book.log
    assert images >= maps + charts, f"{images} images in the PDF, {maps} maps and {charts} figures in the book"


def test_pdf_arabic_is_shaped_searchable_text(pdf_book):
    """Each Arabic excerpt of the claims register can be found in the PDF's text (chromium writes
    shaped presentation forms; NFKC maps them back to the letters of the article)."""
    text = arabic_letters(pdf_book.text)
    claims = data.load_table("claims")
    assert text, "no Arabic text in the PDF"
    missing = [(c.claim_id, run) for c in claims.itertuples() for run in digit_free_runs(c.arabic_excerpt)
               if not found(run, text)]
    assert missing == []


def found(run: str, text: str) -> bool:
    """The run's letters are in the text in order, or in two parts cut at a word: the line of a
    run that also holds a left-to-right inclusion (an editor's [sic]) comes out in visual order,
    which may put the run's last words before its first."""
    words = run.split()
    return arabic_letters(run) in text or any(
        arabic_letters(" ".join(words[:cut])) in text and arabic_letters(" ".join(words[cut:])) in text
        for cut in range(1, len(words)))


def digit_free_runs(excerpt: str) -> list[str]:
    """The stretches of an excerpt between its numbers, Latin marks ([sic]), cuts (…) and quotation
    marks (a PDF's text puts such a run, and a short word beside it, in visual order), each long
    enough to be worth searching for."""
    runs = re.split(r"\s*\S*[\d\[\]A-Za-z…“”\"]+\S*\s*", unicodedata.normalize("NFKC", excerpt))
    return [run.strip() for run in runs if len(arabic_letters(run)) >= 8]


def arabic_letters(text: str) -> str:
    """The Arabic letters of a text, in order. (Digits and Latin punctuation inside a right-to-left
    line are extracted in visual order, which may differ from the logical one; the letters keep it.)"""
    return "".join(re.findall(r"[\u0621-\u064A]", unicodedata.normalize("NFKC", text)))


def test_pdf_has_no_web_chrome(pdf_book):
    text = pdf_book.text
    assert [c for c in CHROME if c in text] == []
    assert "import " not in text and "glue(" not in text, "code cells are for the web edition"


def embedded_fonts(reader) -> set[str]:
    """The name of every font embedded in a PDF (its subset tag, "ABCDEF+", dropped), from the
    resources of its pages and of the forms they draw."""
    names, seen = set(), set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else None
        if not resources or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1])
            for descendant in font.get("/DescendantFonts") or []:
                names.add(str(descendant.get_object().get("/BaseFont", "")).lstrip("/").split("+", 1)[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return names


def shipped_font_names(built_book) -> set[str]:
    """The PostScript names of the faces the book ships: its print faces (_static/fonts, whose
    subsets the build names as the book's: a machine's own Noto Sans, the same font, would show
    under its plain name), and the theme's icon fonts as the built site serves them."""
    import sys

    from fontTools.ttLib import TTFont

    sys.path.insert(0, str(ROOT / "_ext"))
    import print_faces

    faces = {TTFont(str(ROOT / "_static" / "fonts" / f"{stem}.ttf"))["name"].getDebugName(6)
             for _, stem, _, _ in print_faces.PRINT_FACES}
    icons = (built_book / "_static" / "vendor" / "fontawesome" / "webfonts").glob("*.woff2")
    return {print_faces.print_font_name(face) for face in faces} | {TTFont(str(f))["name"].getDebugName(6) for f in icons}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pdf_fonts_are_the_books_own(language, request, built_book):
    """Every font in each PDF edition is a face the book ships, whatever fonts the printing
    machine has (a system face, such as Debian's Noto Sans, would change the pages and how the
    Arabic text is extracted)."""
    pdf = request.getfixturevalue("pdf_book" if language == "en" else "pdf_book_ar")
    fonts = embedded_fonts(pdf.reader)
    assert {"NotoSans-Regular-CSTOBook", "NotoNaskhArabic-Regular-CSTOBook"} <= fonts, fonts
    assert fonts - shipped_font_names(built_book) == set()


def test_pdf_arabic_edition_is_arabic_searchable_text(pdf_book_ar, built_book):
    """The Arabic edition's PDF: its title page in Arabic, and the verdict chapter's Arabic text
    (the claims register's excerpts) searchable (NFKC) in logical order."""
    from cstobook import i18n

    title = i18n.translate(edition.title(), "ar", "edition")
    assert arabic_letters(title) in arabic_letters(pdf_book_ar.page_text(0) + pdf_book_ar.page_text(1))
    verdict = built_page(built_book, "ar/chapters/verdict").find("h1").get_text()
    text = arabic_letters(pdf_book_ar.chapter_text(verdict))
    claims = data.load_table("claims")
    missing = [(c.claim_id, run) for c in claims.itertuples() for run in digit_free_runs(c.arabic_excerpt)
               if not found(run, text)]
    assert missing == []


def test_the_image_printed_for_a_map_is_named_in_the_editions_language():
    """The PDF prints each map's static image under a text alternative in the edition's language,
    the interactive map's title prefix taken off (tools/make_pdf.py, map_words)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_pdf
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert make_pdf.map_words("en") == {"static": "Static image of the map: {title}", "interactive": "Interactive map: "}
    arabic = make_pdf.map_words("ar")
    assert "{title}" in arabic["static"] and not re.search(r"[A-Za-z]{2,}", arabic["static"].replace("{title}", ""))
    assert arabic["interactive"] and not re.search(r"[A-Za-z]", arabic["interactive"])
