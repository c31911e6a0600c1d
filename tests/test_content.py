"""The argument chapters: quotes verbatim, a complete claims register, and every chapter with
its tables, figures and maps."""
from __future__ import annotations

import re

import pytest

from build_support import ROOT, built_page
from cstobook import data, paths, toc

SEED = paths.SOURCES.parent / "seed" / "000_39e8465b9a1b5ccf.txt"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="the source article (../shared/seed) is not present")
ARABIC = re.compile(r"[\u0600-\u06FF]")


CUT = "…"  # an ellipsis marks a cut in a quote of the article
SIC = "[sic]"  # marks an error that stands in the article


def quoted_words(excerpt: str) -> list[str]:
    """The pieces of the article a quote reproduces: the text between cuts, without [sic] marks."""
    return [piece.strip() for piece in excerpt.replace(SIC, "").replace("  ", " ").split(CUT) if piece.strip()]


def is_verbatim(excerpt: str, article: str) -> bool:
    """Every piece of the quote stands in the article, in the quote's order."""
    position = 0
    for piece in quoted_words(excerpt):
        found = article.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def test_verbatim_rule_on_examples():
    article = "alpha beta gamma. delta “. epsilon"
    assert is_verbatim("beta gamma", article)
    assert is_verbatim("… gamma. delta “. [sic] epsilon", article)
    assert is_verbatim("alpha … delta", article)
    assert not is_verbatim("delta … alpha", article), "pieces out of order"
    assert not is_verbatim("beta delta", article), "a cut not marked"


def argument_chapters() -> list[str]:
    return toc.part("The argument")


# Maps each chapter must hold (at least), by the caption the argument's design gives them.
EXPECTED_MAPS = {"chapters/alliance-on-paper": 2, "chapters/armenia": 1, "chapters/partners": 2,
                 "chapters/offer": 1, "chapters/instead": 1}


def test_claims_register_is_complete():
    claims = data.load_table("claims")
    assert len(claims) > 20
    assert set(claims["verdict"]) <= {"accurate", "imprecise", "wrong", "unverifiable", "opinion"}
    keys = data.bibliography_keys()
    for row in claims.itertuples():
        sources = data.source_keys(row.source_id)
        assert sources and all(k in keys for k in sources), row.claim_id
    assert set(claims["move"]) == {1, 2, 3, 4, 5}, "every move of the article has claims"


@needs_seed
def test_claim_excerpts_are_verbatim_and_short():
    article = SEED.read_text(encoding="utf-8")
    for row in data.load_table("claims").itertuples():
        assert is_verbatim(row.arabic_excerpt, article), f"{row.claim_id}: excerpt not verbatim"
        assert sum(len(piece.split()) for piece in quoted_words(row.arabic_excerpt)) <= 25, \
            f"{row.claim_id}: excerpt too long"


@needs_seed
def test_translation_markers_quote_the_article():
    article = SEED.read_text(encoding="utf-8")
    markers = data.load_table("article_translation_markers")
    for row in markers.itertuples():
        assert is_verbatim(row.arabic_excerpt, article), f"{row.marker_id}: excerpt not verbatim"
        if row.source_id.startswith("skynewsarabia"):
            assert is_verbatim(row.evidence, article), f"{row.marker_id}: context not verbatim"


@needs_seed
@pytest.mark.parametrize("page", ["index"] + [p for p in argument_chapters()])
def test_arabic_quotes_in_prose_are_verbatim(page):
    article = SEED.read_text(encoding="utf-8")
    text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    marked = r'<(blockquote|span) lang="ar" dir="rtl">(.*?)</\1>'
    quotes = [quote for _, quote in re.findall(marked, text, re.S)]
    for quote in quotes:
        assert is_verbatim(quote, article), f"{page}: {quote!r} is not in the article"
    # All Arabic in prose is marked as such (for readers and screen readers) and so checked here.
    assert not ARABIC.search(re.sub(marked, "", text, flags=re.S)), f"{page}: unmarked Arabic text"


@pytest.mark.parametrize("page", argument_chapters())
def test_chapter_has_tables_figures_and_citations(built_book, page):
    soup = built_page(built_book, page)
    article = soup.find("article") or soup
    tables = article.find_all("table")
    assert tables, f"{page} has no table"
    assert all(table.find("th") for table in tables), f"{page} has a table without header cells"
    images = [img for img in article.find_all("img") if "/_images/" in img.get("src", "") or img.get("src", "").startswith("../_images")]
    tables_as_figures = [figure for figure in article.find_all("figure") if figure.find("table")]  # the mandate's grid
    assert images or tables_as_figures, f"{page} has no figure"
    assert all(img.get("alt") for img in images), f"{page} has a figure without alt text"
    assert article.select("a.reference.internal[href*='references']") or "[" in article.get_text(), page
    maps = [frame for frame in article.find_all("iframe") if frame.get("srcdoc")]
    assert len(maps) >= EXPECTED_MAPS.get(page, 0), f"{page}: {len(maps)} maps"
    for frame in maps:
        document = frame["srcdoc"]
        assert "L.map(" in document
        assert re.search(r"L\.(geoJson|polyline|circleMarker)\(", document), f"{page}: a map draws no vector layer"
        assert "cstobook-legend" in document, f"{page}: a map has no legend"
