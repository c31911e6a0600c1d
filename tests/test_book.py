"""The built book: a clean build with warnings as errors, every page present, no tracebacks,
and the map page holding its Leaflet map, member polygons and legend."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from build_support import ROOT, build, copy_book
from cstobook import toc

ERROR_MARKERS = ("Traceback (most recent call last)", "CellExecutionError", "DataValidationError",
                 "Error: ", "NameError", "ModuleNotFoundError")


def test_build_has_no_warnings(built_book):
    """Sphinx and myst-nb warnings read 'WARNING: ...'; the build ran with -W, so this also
    guards against a warning that slipped past it (for example one printed by a cell)."""
    log = (built_book / "build.log").read_text()
    assert "WARNING:" not in log, [line for line in log.splitlines() if "WARNING:" in line]


@pytest.mark.parametrize("page", toc.documents())
def test_every_toc_page_is_built_without_error_output(built_book, page):
    path = built_book / f"{page}.html"
    assert path.is_file(), f"{page} is in _toc.yml but not in the built book"
    text = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text()
    assert not [marker for marker in ERROR_MARKERS if marker in text]


def map_documents(page_html: str) -> list[str]:
    """The HTML documents of the folium maps embedded in a page (iframe srcdoc)."""
    soup = BeautifulSoup(page_html, "html.parser")
    return [frame["srcdoc"] for frame in soup.find_all("iframe") if frame.get("srcdoc")]


def test_alliance_map_has_members_legend_and_local_assets(built_book):
    page = (built_book / "chapters" / "alliance-on-paper.html").read_text(encoding="utf-8")
    maps = map_documents(page)
    eve = [document for document in maps if "Alliances, 23 February 2022" in document]
    assert len(eve) == 1, "the map of the eve of the invasion"
    document = eve[0]
    assert "L.map(" in document and "L.control.layers(" in document
    for name in ("Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan",
                 "Poland", "United States of America", "Ukraine", "Crimea"):
        assert re.search(rf'"name":\s*"{re.escape(name)}"', document), f"no polygon for {name}"
    legend = BeautifulSoup(document, "html.parser").find(class_="cstobook-legend")
    assert legend is not None
    assert {"CSTO member (6)", "NATO member (30)"} <= {div.get_text(strip=True) for div in legend.find_all("div")}
    # Leaflet comes from the book itself, never from a CDN.
    scripts = [tag.get("src") or tag.get("href") for tag in BeautifulSoup(document, "html.parser").find_all(["script", "link"])]
    assert all(not (src or "").startswith(("http:", "https:", "//")) for src in scripts), scripts
    assert "../_static/lib/leaflet/leaflet.js" in scripts


def test_chapter_writes_its_static_figures(built_source):
    for name in ("csto_milex", "alliances_2022_map"):
        for suffix in ("png", "svg"):
            assert (built_source / "figures" / f"{name}.{suffix}").stat().st_size > 10_000


def test_failing_cell_fails_the_build_and_names_the_chapter(tmp_path, built_book):
    book = copy_book(tmp_path / "book")
    broken = ((ROOT / "chapters" / "appendix-data.md").read_text().split("(appendix-data)=")[0]
              + "# Broken\n\nSome prose.\n\n```{code-cell} ipython3\nraise RuntimeError('deliberate failure')\n```\n")
    (book / "chapters" / "broken.md").write_text(broken)
    contents = (book / "_toc.yml").read_text()
    (book / "_toc.yml").write_text(contents.replace("      - file: chapters/references\n",
                                               "      - file: chapters/broken\n      - file: chapters/references\n"))
    # The other chapters' outputs come from the session's clean build (same code, same inputs), so
    # only the broken chapter executes; every page is still read and written afresh.
    result = build(book, tmp_path / "out", seed_cache=built_book.parent / ".jupyter_cache")
    log = result.log
    assert result.returncode != 0
    assert "chapters/broken.md" in log and "deliberate failure" in log
    # The message names the chapter, the line where the failing cell starts, and the cell.
    fence = broken.splitlines().index("```{code-cell} ipython3") + 1
    named = rf"chapters/broken\.md:{fence}: WARNING: execution failed: code cell 1 of 1 failed: RuntimeError: deliberate failure"
    assert re.search(named, log), log[-4000:]
    # The other chapters were still built, without error output.
    pages = tmp_path / "out" / "_build" / "html"
    for page in toc.documents():
        path = pages / f"{page}.html"
        assert path.is_file(), f"{page} was not built beside the failing chapter"
        text = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text()
        assert not [marker for marker in ERROR_MARKERS if marker in text], f"{page} shows an error"
    # An incremental build does not hide the failure: the chapter is executed and reported again.
    again = build(book, tmp_path / "out")
    assert again.returncode != 0 and re.search(named, again.log), again.log[-4000:]
