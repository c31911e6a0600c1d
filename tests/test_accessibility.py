"""Accessibility of every page of _toc.yml: axe-core in chromium (light, and dark for colours), text
alternatives for figures and maps, header cells in tables, and category colours that stay
distinguishable for colour-blind readers."""
from __future__ import annotations

import html
import itertools
import re

import pytest
from bs4 import BeautifulSoup

from build_support import built_page

from colour_vision import VISIONS, difference
from cstobook import toc

PAGES = toc.edition_documents()   # every page of every edition
BLOCKING = {"serious", "critical"}

# Two colours that name different categories must differ by at least this CIEDE2000 distance,
# for normal vision and each simulated dichromacy. About 10 is where small areas of two colours
# (legend swatches, thin bars) stop being confused; Okabe-Ito's palette keeps its pairs above it.
MIN_CATEGORY_DIFFERENCE = 10.0


def article(built_book, page: str):
    soup = built_page(built_book, page)
    return soup.find("article") or soup


def format_violations(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}): " + " | ".join(v["nodes"]) for v in violations)


@pytest.mark.parametrize("mode", ["desktop", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_serious_or_critical_violation(book_browser, page, mode):
    """axe-core (WCAG 2 A/AA and best practices) on the page and inside its map iframes, in the
    light colour scheme; in the dark one, its rules that depend on colours (the page is the same
    but for its colours)."""
    violations = [v for v in book_browser.visit(page, mode).axe if v["impact"] in BLOCKING]
    assert violations == [], format_violations(violations)


def test_the_dark_scheme_s_axe_run_checks_colours_only(book_browser):
    """The rules the dark visit runs find a contrast that fails only in the dark colour scheme, and
    leave to the light visit what colours cannot change (an image without a text alternative)."""
    from browser_support import COLOUR_RULES, run_axe

    page = book_browser.new_page("dark")
    try:
        page.set_content('<html lang="en"><head><title>t</title><style>@media (prefers-color-scheme: dark) '
                         '{ body { background: #000; } p { color: #222; } }</style></head>'
                         '<body><main><p>Dark grey text on black.</p><img src="x.png"></main></body></html>')
        found = {violation["id"] for violation in run_axe(page, COLOUR_RULES)}
        everything = {violation["id"] for violation in run_axe(page)}
    finally:
        page.context.close()
    assert found == {"color-contrast"}
    assert {"color-contrast", "image-alt"} <= everything


@pytest.mark.parametrize("page", PAGES)
def test_every_image_has_alt_text(built_book, page):
    """Every chart or picture says what it shows; a file name or hash is not alt text."""
    bad = []
    for img in article(built_book, page).find_all("img"):
        alt = (img.get("alt") or "").strip()
        if len(alt) < 15 or re.fullmatch(r"[\w./-]+\.(png|svg|jpe?g|gif)|[0-9a-f]{16,}", alt):
            bad.append(f"{img.get('src')}: alt={alt!r}")
    assert bad == []


@pytest.mark.parametrize("page", PAGES)
def test_every_map_has_a_title_and_a_text_alternative(built_book, page):
    """A map (an iframe) needs a title, its accessible name, and a caption in its figure that
    says what it shows; the figure also links its static image (see test_publishing)."""
    bad = []
    for number, frame in enumerate(article(built_book, page).find_all("iframe"), start=1):
        if len((frame.get("title") or "").strip()) < 5:
            bad.append(f"map {number}: no title on its iframe")
        figure = frame.find_parent("figure")
        caption = figure.find("figcaption") if figure else None
        if caption is None or len(caption.get_text(strip=True)) < 40:
            bad.append(f"map {number}: not in a figure with a caption that describes it")
    assert bad == []


@pytest.mark.parametrize("page", PAGES)
def test_tables_have_header_cells(built_book, page):
    """Every table has header cells, in a header row (<thead>) or marked with a scope."""
    bad = []
    for number, table in enumerate(article(built_book, page).find_all("table"), start=1):
        headers = table.find_all("th")
        if not headers:
            bad.append(f"table {number} has no header cells")
        elif not (table.find("thead") and table.find("thead").find("th")) and not any(th.get("scope") for th in headers):
            bad.append(f"table {number}: header cells neither in <thead> nor scoped")
    assert bad == []


def confusable(colours: dict[str, str]) -> list[str]:
    """Pairs of categories whose colours fall under MIN_CATEGORY_DIFFERENCE for some vision."""
    found = []
    for (name1, colour1), (name2, colour2) in itertools.combinations(colours.items(), 2):
        if colour1.lower() == colour2.lower():
            found.append(f"{name1} and {name2} share {colour1}")
            continue
        for vision in VISIONS:
            delta = difference(colour1, colour2, vision)
            if delta < MIN_CATEGORY_DIFFERENCE:
                found.append(f"{name1} {colour1} / {name2} {colour2}: {delta:.1f} ({vision})")
    return found


def house_palettes() -> dict[str, dict[str, str]]:
    """Every palette of cstobook.style: a module-level dict of category -> colour."""
    from cstobook import style

    colour = re.compile(r"^#[0-9a-fA-F]{6}$")
    return {name: value for name, value in vars(style).items()
            if isinstance(value, dict) and value and all(isinstance(v, str) and colour.match(v) for v in value.values())}


@pytest.mark.parametrize("palette", sorted(house_palettes()))
def test_house_palette_is_distinguishable_with_colour_blindness(palette):
    assert confusable(house_palettes()[palette]) == []


LEGEND_COLOUR = re.compile(r"background(?:-color)?\s*:\s*(#[0-9a-fA-F]{3,6}|rgba?\([^)]*\))")


def legends(built_book, page: str) -> list[dict[str, str]]:
    """Each map legend of the page as {label: swatch colour}."""
    found = []
    for frame in article(built_book, page).find_all("iframe"):
        document = BeautifulSoup(html.unescape(frame.get("srcdoc") or ""), "html.parser")
        for legend in document.select('[class*="legend"]'):
            entries = {}
            for swatch in legend.find_all(style=LEGEND_COLOUR):
                label = (swatch.parent.get_text(" ", strip=True) if swatch.parent is not legend
                         else swatch.get_text(" ", strip=True)) or f"entry {len(entries) + 1}"
                entries[label] = LEGEND_COLOUR.search(swatch["style"]).group(1)
            if len(entries) > 1:
                found.append(entries)
    return found


@pytest.mark.parametrize("page", PAGES)
def test_map_legend_colours_are_distinguishable_with_colour_blindness(built_book, page):
    """The categories of each map legend, as drawn, stay apart for protanopes, deuteranopes and
    tritanopes (legends also name each category, so colour is never the only cue)."""
    problems = [problem for entries in legends(built_book, page) for problem in confusable(entries)]
    assert problems == []
