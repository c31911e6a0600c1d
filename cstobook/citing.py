"""How to cite the book: its PDF edition, the book and each chapter in APA style and in BibTeX, and
the Arabic edition's own references (the page How to cite shows them)."""
from __future__ import annotations

import html

from cstobook import edition, i18n


def record() -> str:
    """The date the edition's record is complete to, spelled."""
    return f"{edition.record_complete_to():%-d %B %Y}"


def apa(url: str, chapter: str | None = None) -> str:
    """APA (7th edition) style: a chapter 'In' the book, with the version and the access date."""
    work = f"*{edition.title()}*"
    titled = f"{chapter}. In {work}" if chapter else work
    return (f"{edition.authors()}. ({edition.year()}). {titled} (Version {edition.version()}). "
            f"[Record complete to {record()}]. "
            f"Retrieved [date of access], from <{url}>")


def citations(chapters: list[str], accessed: str) -> str:
    """Markdown: the PDF edition, and the book and each of `chapters` in APA style and in BibTeX
    (`accessed`: the access date as the reader replaces it)."""
    repository = edition.citation()["repository-code"].rstrip("/")
    release = f"{repository}/releases/tag/v{edition.version()}"
    pdf = f"{repository}/releases/download/v{edition.version()}/{edition.pdf_name()}"
    book_entry = edition.book_bibtex(accessed)
    chapter_entries = [edition.chapter_bibtex(d, accessed) for d in chapters]
    return "\n\n".join([
        "## The PDF edition",
        f"Version {edition.version()} of {edition.released():%-d %B %Y}, its record complete to {record()}, "
        f"is also a PDF with page numbers "
        f"and bookmarks, attached to its [release on GitHub]({release}): "
        f"[download the PDF ({edition.pdf_name()})]({pdf}). Cite its page numbers with the version.",
        "## The book",
        "In APA style:",
        "> " + apa(edition.site()),
        "In BibTeX (replace the access date `YYYY-MM-DD`):",
        "```bibtex\n" + book_entry + "\n```",
        "## A chapter",
        "In APA style:",
        "\n".join(f"- {apa(f'{edition.site()}{d}.html', edition.chapter_title(d))}" for d in chapters),
        "In BibTeX:",
        "```bibtex\n" + "\n\n".join(chapter_entries) + "\n```",
    ])


def arabic_references(chapters: list[str], accessed: str) -> str:
    """HTML for the Arabic edition only: its own references (Arabic titles, its addresses, BibTeX
    with its language)."""
    ar_site = edition.site() + i18n.EDITION_FOLDERS["ar"]
    ar_common = {"author": "{" + i18n.translate(edition.authors(), "ar", "edition") + "}", "year": edition.year(),
                 "publisher": edition.bibtex_text(edition.publisher()), "version": edition.version(),
                 "language": "arabic"}
    ar_title = i18n.translate(edition.title(), "ar", "edition")
    ar_entries = [edition.bibtex_entry("book", "csto_ukraine_book_ar", {"title": ar_title, **ar_common, "url": ar_site,
                                                                        "urldate": accessed})]
    ar_entries += [edition.bibtex_entry("incollection", edition.chapter_key(d) + "_ar", {
        "title": i18n.page_message(d, edition.chapter_title(d), "ar"), "booktitle": ar_title, **ar_common,
        "url": f"{ar_site}{d}.html", "urldate": accessed}) for d in chapters]
    return i18n.bilingual("", {"ar": (
        f'<p>{html.escape(i18n.edition_words("bibtex_arabic", "ar"))}</p>'
        '<div class="highlight-bibtex notranslate"><div class="highlight"><pre dir="ltr">'
        + html.escape("\n\n".join(ar_entries)) + "</pre></div></div>")})
