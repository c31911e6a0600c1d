"""Page weight and map drawing time of the built book in headless chromium, against naive maps.

    .venv/bin/python bench/page_weight.py [--html _build/html] [--runs 5]      (or: make bench-pages)

1. For every page of _toc.yml: the bytes it costs a reader (every request, cold cache, text
   gzip-compressed as GitHub Pages serves it, and uncompressed), its maps, and the time from
   navigation until every map has drawn its vector layers (median of --runs loads).
2. For every map of the book: its map document and everything it loads, against a naive folium
   map of the same countries built from the full-resolution source geometry (Natural Earth 1:50m,
   fetched by cstobook.sources, as `make data` does), both served the same way in the same
   run, as ratios naive / book. The naive map is folium as it comes (one GeoJson layer with a
   tooltip and a popup), except that it loads the book's local Leaflet and jQuery: its default
   CDN files cannot be reached offline.

It prints figures; it asserts nothing (tests/test_browser.py holds the page budget).
"""
from __future__ import annotations

import argparse
import html
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import (DESKTOP, PAGE_BUDGET_BYTES, BookServer, PageLog,  # noqa: E402
                             launch_chromium, wait_for_maps)
from cstobook import toc  # noqa: E402

DRAWN = ("() => document.readyState === 'complete' && "
         "!!document.querySelector('.leaflet-overlay-pane svg path, .leaflet-overlay-pane canvas')")


def kb(n: float) -> str:
    return f"{n / 1000:,.0f} kB"


def load(browser, url: str, kind: str) -> tuple[float, list]:
    """One cold load of a book page ("page") or of a map document alone ("map"): seconds from
    navigation until every map has drawn its vector layers (for a page without maps, until its
    load event), and what it transferred."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log = PageLog(url)
    log.attach(page)
    start = time.perf_counter()
    if kind == "map":
        page.goto(url, wait_until="commit")
        page.wait_for_function(DRAWN, polling="raf", timeout=60_000)
    else:
        page.goto(url, wait_until="domcontentloaded")  # every iframe is in the document by now
        if not wait_for_maps(page):
            page.wait_for_load_state("load")
    elapsed = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    transfers = log.transfers()
    context.close()
    return elapsed, transfers


def measure(browser, server: BookServer, url: str, runs: int, kind: str) -> dict:
    times = []
    for _ in range(runs):
        elapsed, transfers = load(browser, url, kind)
        times.append(elapsed)
    encoded = sum(t.encoded_bytes for t in transfers)
    raw = sum(path.stat().st_size for t in transfers if (path := server.file_for(t.url)) is not None)
    return {"time": statistics.median(times), "encoded": encoded, "raw": raw, "requests": len(transfers)}


def book_maps(html_folder: Path, pages: list[str]) -> list[tuple[str, int, str]]:
    """(page, number, map document) of every folium map (srcdoc iframe) of the book."""
    found = []
    for page in pages:
        text = (html_folder / f"{page}.html").read_text(encoding="utf-8")
        for number, srcdoc in enumerate(re.findall(r'<iframe[^>]*?srcdoc="([^"]*)"', text), start=1):
            if "leaflet" in srcdoc:
                found.append((page, number, html.unescape(srcdoc)))
    return found


def naive_map_document() -> tuple[str, int, Path]:
    """A folium map of the countries the book's maps draw, straight from Natural Earth 1:50m."""
    import folium
    import geopandas as gpd

    from cstobook import paths, sources

    region = gpd.read_file(paths.DATA / "region.geojson")
    iso3 = set(region.loc[region["layer"] == "country", "iso3"])
    # fetched and verified like any raw source (../shared/sources, a mirror, or Natural Earth's
    # own repository), so that the bench runs in a bare clone too
    source = sources.fetch("natural_earth/ne_50m_admin_0_countries.geojson")
    countries = gpd.read_file(source)
    countries = countries[countries["ADM0_A3"].isin(iso3) | countries["ISO_A3_EH"].isin(iso3)]
    countries = countries[["NAME", "ADM0_A3", "geometry"]]
    fmap = folium.Map(tiles=None)
    fmap.default_js = [("leaflet", "../_static/lib/leaflet/leaflet.js"),
                       ("jquery", "../_static/lib/jquery/jquery.min.js")]
    fmap.default_css = [("leaflet_css", "../_static/lib/leaflet/leaflet.css")]
    folium.GeoJson(countries, name="Countries",
                   tooltip=folium.GeoJsonTooltip(fields=["NAME"]),
                   popup=folium.GeoJsonPopup(fields=["NAME", "ADM0_A3"])).add_to(fmap)
    fmap.fit_bounds([[30, -12], [72, 90]])
    return fmap.get_root().render(), len(countries), source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built book")
    parser.add_argument("--runs", type=int, default=5, help="loads per page or map (median time)")
    args = parser.parse_args()
    if not (args.html / "index.html").is_file():
        print(f"{args.html} holds no built book: run `make book` first", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    pages = toc.documents()
    with sync_playwright() as playwright, BookServer(args.html) as server, \
            tempfile.TemporaryDirectory() as scratch:
        browser = launch_chromium(playwright)

        print(f"Pages of the book ({len(pages)}), cold cache, median of {args.runs} loads; "
              f"budget {kb(PAGE_BUDGET_BYTES)} transferred per page")
        print(f"{'page':<30} {'transferred':>12} {'uncompressed':>13} {'requests':>9} {'maps':>5} "
              f"{'maps drawn':>11}  budget")
        for page in pages:
            maps = len(book_maps(args.html, [page]))
            figures = measure(browser, server, server.url(page), args.runs, "page")
            drawn = f"{figures['time'] * 1000:,.0f} ms" if maps else "-"
            within = "ok" if figures["encoded"] <= PAGE_BUDGET_BYTES else "OVER"
            print(f"{page:<30} {kb(figures['encoded']):>12} {kb(figures['raw']):>13} {figures['requests']:>9} "
                  f"{maps:>5} {drawn:>11}  {within}")

        # The maps alone: the book's map documents and a naive one, served side by side.
        scratch = Path(scratch)
        shutil.copytree(args.html / "_static" / "lib", scratch / "_static" / "lib")
        (scratch / "maps").mkdir()
        naive, count, source = naive_map_document()
        (scratch / "maps" / "naive.html").write_text(naive, encoding="utf-8")
        documents = book_maps(args.html, pages)
        for page, number, document in documents:
            (scratch / "maps" / f"{Path(page).name}-{number}.html").write_text(document, encoding="utf-8")
        with BookServer(scratch) as maps_server:
            naive_figures = measure(browser, maps_server, f"{maps_server.base}maps/naive.html", args.runs, "map")
            print()
            print(f"Maps alone (document + Leaflet, jQuery, CSS), median of {args.runs} loads, against a naive "
                  f"folium map of the same {count} countries from {source.name}")
            print(f"{'map':<30} {'transferred':>12} {'uncompressed':>13} {'drawn':>9}   "
                  f"{'naive/book: transferred':>23} {'uncompressed':>13} {'draw time':>10}")
            print(f"{'naive (full resolution)':<30} {kb(naive_figures['encoded']):>12} {kb(naive_figures['raw']):>13} "
                  f"{naive_figures['time'] * 1000:>6,.0f} ms")
            for page, number, _ in documents:
                name = f"{Path(page).name}-{number}"
                figures = measure(browser, maps_server, f"{maps_server.base}maps/{name}.html", args.runs, "map")
                print(f"{name:<30} {kb(figures['encoded']):>12} {kb(figures['raw']):>13} {figures['time'] * 1000:>6,.0f} ms   "
                      f"{naive_figures['encoded'] / figures['encoded']:>22.1f}x "
                      f"{naive_figures['raw'] / figures['raw']:>12.1f}x {naive_figures['time'] / figures['time']:>9.1f}x")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
