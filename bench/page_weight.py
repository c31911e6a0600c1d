"""Page weight and map drawing time of the built book in headless chromium, against naive maps.

    .venv/bin/python bench/page_weight.py [--html _build/html] [--runs 5]      (or: make bench-pages)

1. For every page of _toc.yml: the bytes it costs a reader on a first visit (every request, cold
   cache, text gzip-compressed as GitHub Pages serves it, and uncompressed), its maps, the time
   from navigation until every map has drawn its vector layers (median of --runs loads), and the
   goal: at most 250 kB for a page of text, 350 kB for a page with maps.
2. For every page with maps: what it adds when visited after another page with maps, with the
   browser's cache warm (the server allows caching for ten minutes, as GitHub Pages does): the
   goal is at most 60 kB, for the map geometry, Leaflet and the theme are not fetched again.
3. For every map of the book: its map document and everything it loads (Leaflet, jQuery and the
   shared geometry, first visit), against a naive folium map of the same countries, both served
   the same way in the same run, as ratios naive / book. The naive map is folium as it comes: one
   GeoJson layer of the countries the book's maps draw, straight from the book's
   data/region.geojson (the repository's own copy of the Natural Earth outlines, already cut to
   the region and rounded to 0.01 degree, so the baseline is lighter than a map of the raw 1:50m
   file), with a tooltip and a popup, its geometry inline in its page; it loads the book's local
   Leaflet and jQuery, since its default CDN files cannot be reached offline. It needs nothing
   outside the repository.

It prints figures; it asserts nothing (tests/test_browser.py holds the page budgets).
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

from browser_support import (DESKTOP, WARM_MAP_PAGE_BUDGET_BYTES, BookServer, PageLog,  # noqa: E402
                             launch_chromium, page_budget, wait_for_maps)
from cstobook import toc  # noqa: E402

DRAWN = ("() => document.readyState === 'complete' && "
         "!!document.querySelector('.leaflet-overlay-pane svg path, .leaflet-overlay-pane canvas')")


def kb(n: float) -> str:
    return f"{n / 1000:,.0f} kB"


def load(browser, url: str, kind: str, after: str | None = None) -> tuple[float, list]:
    """One load of a book page ("page") or of a map document alone ("map"): seconds from
    navigation until every map has drawn its vector layers (for a page without maps, until its
    load event), and what it transferred. The cache is cold, or warmed by a visit to `after`."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    if after is not None:
        warm = PageLog(after)
        warm.attach(page)
        page.goto(after, wait_until="load")
        wait_for_maps(page)
        warm.wait_until_quiet(page)
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
    log.wait_until_quiet(page)
    transfers = log.transfers()
    context.close()
    return elapsed, transfers


def measure(browser, server: BookServer, url: str, runs: int, kind: str, after: str | None = None) -> dict:
    times = []
    for _ in range(runs):
        elapsed, transfers = load(browser, url, kind, after)
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


def with_naive_maps(page_html: str, naive: str) -> str:
    """The page with each of its folium maps replaced by the naive map."""
    def replace(match: re.Match) -> str:
        if "leaflet" not in html.unescape(match.group(2)):
            return match.group(0)
        return f'{match.group(1)}srcdoc="{html.escape(naive, quote=True)}"'
    return re.sub(r'(<iframe[^>]*?)srcdoc="([^"]*)"', replace, page_html)


def naive_map_document() -> tuple[str, int, Path]:
    """A folium map as it comes of the countries the book's maps draw, from data/region.geojson."""
    import folium
    import geopandas as gpd

    from cstobook import paths

    source = paths.DATA / "region.geojson"
    region = gpd.read_file(source)
    countries = region.loc[region["layer"] == "country", ["name", "iso3", "geometry"]]
    fmap = folium.Map(tiles=None)
    fmap.default_js = [("leaflet", "../_static/lib/leaflet/leaflet.js"),
                       ("jquery", "../_static/lib/jquery/jquery.min.js")]
    fmap.default_css = [("leaflet_css", "../_static/lib/leaflet/leaflet.css")]
    folium.GeoJson(countries, name="Countries",
                   tooltip=folium.GeoJsonTooltip(fields=["name"]),
                   popup=folium.GeoJsonPopup(fields=["name", "iso3"])).add_to(fmap)
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
    naive, count, source = naive_map_document()
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        # The built book, beside each page with maps the same page with naive maps
        # (`<page>.naive.html`), and each map document alone under maps/: one server for all.
        scratch = Path(scratch) / "html"
        shutil.copytree(args.html, scratch)
        (scratch / "maps").mkdir()
        (scratch / "maps" / "naive.html").write_text(naive, encoding="utf-8")
        documents = book_maps(args.html, pages)
        for page, number, document in documents:
            (scratch / "maps" / f"{Path(page).name}-{number}.html").write_text(document, encoding="utf-8")
        map_pages = list(dict.fromkeys(page for page, _, _ in documents))
        for page in map_pages:
            text = (args.html / f"{page}.html").read_text(encoding="utf-8")
            (scratch / f"{page}.naive.html").write_text(with_naive_maps(text, naive), encoding="utf-8")
        browser = launch_chromium(playwright)
        with BookServer(scratch) as server:
            print(f"1. Pages of the book ({len(pages)}), first visit (cold cache), median of {args.runs} loads. "
                  f"Goal: at most {kb(page_budget(False))} for a page of text, {kb(page_budget(True))} for a "
                  f"page with maps. Beside a page with maps: the same page with naive folium maps (see 3), "
                  f"and the ratio naive / book.")
            print(f"{'page':<30} {'transferred':>12} {'uncompressed':>13} {'requests':>9} {'maps':>5} "
                  f"{'maps drawn':>11}  {'goal':<5} {'naive maps':>11} {'naive/book':>11}")
            for page in pages:
                maps = sum(1 for p, _, _ in documents if p == page)
                figures = measure(browser, server, server.url(page), args.runs, "page")
                drawn = f"{figures['time'] * 1000:,.0f} ms" if maps else "-"
                within = "ok" if figures["encoded"] <= page_budget(bool(maps)) else "OVER"
                comparison = ""
                if maps:
                    naive_page = measure(browser, server, server.url(f"{page}.naive"), args.runs, "page")
                    comparison = f"{kb(naive_page['encoded']):>11} {naive_page['encoded'] / figures['encoded']:>10.1f}x"
                print(f"{page:<30} {kb(figures['encoded']):>12} {kb(figures['raw']):>13} {figures['requests']:>9} "
                      f"{maps:>5} {drawn:>11}  {within:<5} {comparison}")

            print()
            print(f"2. Pages with maps, visited after another page with maps (cache warm), median of {args.runs} "
                  f"loads. Goal: at most {kb(WARM_MAP_PAGE_BUDGET_BYTES)} added. Beside it: the same with "
                  f"naive maps on both pages.")
            print(f"{'page':<30} {'after':<30} {'transferred':>12} {'requests':>9}  {'goal':<5} "
                  f"{'naive maps':>11} {'naive/book':>11}")
            for index, page in enumerate(map_pages):
                before = map_pages[index - 1]  # the last page with maps for the first one
                figures = measure(browser, server, server.url(page), args.runs, "page", after=server.url(before))
                naive_page = measure(browser, server, server.url(f"{page}.naive"), args.runs, "page",
                                     after=server.url(f"{before}.naive"))
                within = "ok" if figures["encoded"] <= WARM_MAP_PAGE_BUDGET_BYTES else "OVER"
                print(f"{page:<30} {before:<30} {kb(figures['encoded']):>12} {figures['requests']:>9}  {within:<5} "
                      f"{kb(naive_page['encoded']):>11} {naive_page['encoded'] / max(figures['encoded'], 1):>10.1f}x")

            print()
            print(f"3. Maps alone (document + Leaflet, jQuery, CSS, shared geometry), first visit, median of "
                  f"{args.runs} loads, against a naive folium map of the same {count} countries from "
                  f"data/{source.name}, geometry inline")
            print(f"{'map':<30} {'transferred':>12} {'uncompressed':>13} {'drawn':>9}   "
                  f"{'naive/book: transferred':>23} {'uncompressed':>13} {'draw time':>10}")
            naive_figures = measure(browser, server, f"{server.base}maps/naive.html", args.runs, "map")
            print(f"{'naive folium map':<30} {kb(naive_figures['encoded']):>12} {kb(naive_figures['raw']):>13} "
                  f"{naive_figures['time'] * 1000:>6,.0f} ms")
            for page, number, _ in documents:
                name = f"{Path(page).name}-{number}"
                figures = measure(browser, server, f"{server.base}maps/{name}.html", args.runs, "map")
                print(f"{name:<30} {kb(figures['encoded']):>12} {kb(figures['raw']):>13} {figures['time'] * 1000:>6,.0f} ms   "
                      f"{naive_figures['encoded'] / figures['encoded']:>22.1f}x "
                      f"{naive_figures['raw'] / figures['raw']:>12.1f}x {naive_figures['time'] / figures['time']:>9.1f}x")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
