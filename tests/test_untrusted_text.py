"""Untrusted text stays text. A copy of the book is built from data whose every free-text cell,
map feature name and data-package description carries <script>, <img onerror> and JavaScript
template-literal payloads. The built pages, and the map documents inside their iframes, must show
that text and run none of it. External links open with rel="noopener noreferrer"."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import browser_support
from build_support import MARKER, PAYLOADS, BuildResult, built_page
from cstobook import toc

CHROMIUM = Path(browser_support.CHROMIUM)


@pytest.fixture(scope="module")
def hostile_book(hostile_build) -> Path:
    result = BuildResult(**hostile_build["build"])
    assert result.returncode == 0, f"the book does not build from data holding odd text:\n{result.log[-6000:]}"
    return Path(hostile_build["html"])


def documents(page: Path) -> list[tuple[str, BeautifulSoup]]:
    """The page and each map document embedded in it (iframe srcdoc), parsed."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    maps = [BeautifulSoup(frame["srcdoc"], "html.parser") for frame in soup.find_all("iframe") if frame.get("srcdoc")]
    return [("page", soup)] + [(f"map {number}", doc) for number, doc in enumerate(maps, start=1)]


def live_markup(doc: BeautifulSoup) -> list[str]:
    """Payload that the browser would parse as markup rather than text."""
    found = [f"<script>{s.get_text()[:40]}" for s in doc.find_all("script") if s.get_text().strip().startswith(f"window.{MARKER}")]
    found += [f"<{tag.name} {name}=...>" for tag in doc.find_all(True) for name, value in tag.attrs.items()
              if name.startswith("on") and MARKER in str(value)]
    found += [f"<img src={img['src']}>" for img in doc.find_all("img", src="x")]
    return found


@pytest.mark.parametrize("page", toc.documents())
def test_hostile_text_is_never_markup(hostile_book, page):
    for where, doc in documents(hostile_book / f"{page}.html"):
        assert not live_markup(doc), f"{page}, {where}: data became markup: {live_markup(doc)[:5]}"


def test_hostile_text_is_shown_as_text(hostile_book):
    """The payloads reach the pages (tables, glued text, the data appendix) and read as text."""
    shown = {page: built_page(hostile_book, page).get_text()
             for page in toc.documents()}
    for payload in PAYLOADS:
        assert any(payload in text for text in shown.values()), f"{payload!r} is shown on no page"
    assert PAYLOADS[0] in shown["chapters/appendix-data"]


def test_pages_and_maps_run_no_hostile_text_in_a_browser(hostile_book):
    """Each page, in chromium: no script error, no payload side effect in the page or any map
    frame, with every popup and tooltip opened; the opened popups show the payload as text.
    (In its own process: the browser tests keep a Playwright session open in this one.)"""
    if not CHROMIUM.is_file():
        pytest.fail("chromium is needed: `make browser` (apt-get install chromium)")
    script = Path(__file__).with_name("build_support.py")
    result = subprocess.run([sys.executable, str(script), "browser-check", str(hostile_book), *toc.documents()],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout)
    assert not report["problems"], "\n".join(report["problems"])
    if report["opened"]:
        assert PAYLOADS[1] in report["popup_text"] and PAYLOADS[3] in report["popup_text"], \
            "map popups do not show the hostile text as text"


# --- External links -------------------------------------------------------------------------------

def test_external_links_open_safely(built_book):
    """Every link to another site, in the text or the theme's buttons, has rel="noopener noreferrer"."""
    unsafe = []
    for path in sorted(built_book.rglob("*.html")):
        if path.relative_to(built_book).parts[0].startswith("_"):
            continue
        for link in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all("a", href=True):
            if re.match(r"(?i)(https?:)?//", link["href"]) and not {"noopener", "noreferrer"} <= set(link.get("rel") or []):
                unsafe.append(f"{path.relative_to(built_book)}: {link['href'][:80]}")
    assert not unsafe, f"{len(unsafe)} external links without rel=noopener noreferrer:\n" + "\n".join(unsafe[:20])


def test_link_rewriting_leaves_scripts_and_other_links_alone():
    import build_integrity

    html = ('<a class="x" href="https://e.org/a?b=1&amp;c=2">e</a> <a href="../local.html">l</a>'
            '<a href="//cdn.org" rel="me">c</a><script>var s = "<a href=\'https://x\'>";</script>'
            '<iframe srcdoc="&lt;a href=&quot;https://m&quot;&gt;"></iframe>')
    assert build_integrity.secure_links(html) == (
        '<a rel="noopener noreferrer" class="x" href="https://e.org/a?b=1&amp;c=2">e</a> <a href="../local.html">l</a>'
        '<a href="//cdn.org" rel="me noopener noreferrer">c</a><script>var s = "<a href=\'https://x\'>";</script>'
        '<iframe srcdoc="&lt;a href=&quot;https://m&quot;&gt;"></iframe>')


def test_map_text_is_safe_inside_javascript_template_literals():
    from cstobook import maps

    assert maps.escape("<b>`${x}`\\</b>") == "&lt;b&gt;&#96;&#36;{x}&#96;&#92;&lt;/b&gt;"
    assert "`" not in maps.popup_html("a`b", [("c$", "${d}")]) and "${" not in maps.popup_html("t", [("c", "${d}")])
