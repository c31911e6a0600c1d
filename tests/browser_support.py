"""Serving the built book on 127.0.0.1 and driving Debian's chromium with Playwright.

Shared by the browser and accessibility tests (through fixtures in conftest.py) and by
bench/page_weight.py. The server compresses text files with gzip and lets browsers cache them for
ten minutes, as GitHub Pages does, so that the bytes a page costs a reader are measured the way
they travel.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import mimetypes
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = os.environ.get("CSTOBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # hermetic: any host but the book's server fails to resolve, as it would offline
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Page weight budgets: every page, first visit with an empty cache, with everything it loads from
# the book (styles, scripts, fonts, images, its maps, their Leaflet and shared geometry), as
# transferred with gzip compression of text files. A stock Jupyter Book 1 page costs about 930 kB.
TEXT_PAGE_BUDGET_BYTES = 250_000
MAP_PAGE_BUDGET_BYTES = 350_000
# What a second page with maps adds when the browser's cache holds what the first one loaded.
WARM_MAP_PAGE_BUDGET_BYTES = 60_000
# How long browsers may reuse a file without asking again: GitHub Pages sends max-age=600.
CACHE_SECONDS = 600


def page_budget(has_maps: bool) -> int:
    return MAP_PAGE_BUDGET_BYTES if has_maps else TEXT_PAGE_BUDGET_BYTES

COMPRESSED_SUFFIXES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv", ".geojson",
                       ".ipynb", ".md", ".map", ".ttf"}

# A map-tile request is recognised by its URL: a z/x/y path ending in an image or vector-tile
# suffix (OpenStreetMap, CARTO, Esri, Stadia and the like), or a known tile host.
TILE_PATH = re.compile(r"/\d{1,2}/\d+/\d+(@\dx)?\.(png|jpe?g|webp|pbf|mvt)$", re.IGNORECASE)
TILE_HOSTS = re.compile(r"(^|\.)(tile\.openstreetmap\.org|basemaps\.cartocdn\.com|arcgisonline\.com|"
                        r"tiles\.stadiamaps\.com|tile\.opentopomap\.org)$")


def is_map_tile(url: str) -> bool:
    parts = urlsplit(url)
    return bool(TILE_PATH.search(parts.path) or TILE_HOSTS.search(parts.hostname or ""))


class QuietHTTPServer(http.server.ThreadingHTTPServer):
    """A test server that does not print a traceback when a client hangs up mid-answer (chromium
    drops connections it no longer needs: BrokenPipeError, ConnectionResetError), which looked
    like a failure in a passing run; any other error in a request is still printed."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _BookRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text files gzip-compressed when the browser accepts it. Silent."""

    _compressed: dict[tuple[str, float], bytes] = {}

    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass

    def end_headers(self):
        self.send_header("Cache-Control", f"max-age={CACHE_SECONDS}")
        super().end_headers()

    def do_GET(self):  # noqa: N802
        path = Path(self.translate_path(self.path))
        if (path.is_file() and path.suffix.lower() in COMPRESSED_SUFFIXES
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            key = (str(path), path.stat().st_mtime)
            if key not in self._compressed:
                self._compressed[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
            body = self._compressed[key]
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


class BookServer:
    """The built book (its html folder) served on 127.0.0.1 at a free port, in a thread."""

    def __init__(self, html: Path):
        self.html = Path(html)
        handler = functools.partial(_BookRequestHandler, directory=str(self.html))
        self.httpd = QuietHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "BookServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, page: str) -> str:
        """URL of a document of _toc.yml (path without suffix)."""
        return f"{self.base}{page}.html"

    def is_local(self, url: str) -> bool:
        return url.startswith(self.base) or url.startswith(("about:", "data:", "blob:"))

    def file_for(self, url: str) -> Path | None:
        if not url.startswith(self.base):
            return None
        path = self.html / unquote(urlsplit(url).path.lstrip("/"))
        return path if path.is_file() else None


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make browser` (apt-get install chromium) installs it")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class Transfer:
    url: str
    resource_type: str
    status: int | None
    encoded_bytes: int  # body as transferred (after gzip)
    failure: str | None = None


@dataclass
class PageLog:
    """Everything a page did while it loaded."""

    page: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    responses: list = field(default_factory=list)  # playwright Response objects
    requests: list = field(default_factory=list)  # playwright Request objects

    recording: bool = True
    in_flight: set = field(default_factory=set)  # requests started and not yet finished or failed
    last_activity: float = 0.0  # time.monotonic() of the last request that started or ended

    def attach(self, page) -> None:
        def record(target: list, value) -> None:
            if self.recording:
                target.append(value)

        def started(request) -> None:
            self.in_flight.add(request)
            self.last_activity = time.monotonic()

        def ended(request) -> None:
            self.in_flight.discard(request)
            self.last_activity = time.monotonic()

        page.on("console", lambda m: record(self.console_errors, m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: record(self.page_errors, str(e)))
        page.on("requestfailed", lambda r: record(self.failed, (r.url, r.failure or "")))
        page.on("request", lambda r: record(self.requests, r))
        page.on("response", lambda r: record(self.responses, r))
        page.on("request", started)
        page.on("requestfinished", ended)
        page.on("requestfailed", ended)

    QUIET_MS = 500  # Playwright's own definition of an idle network
    SETTLE_TIMEOUT_MS = 120_000  # generous: a test machine running four workers can be slow

    def wait_until_quiet(self, page, timeout_ms: int = SETTLE_TIMEOUT_MS) -> None:
        """Wait until no request the page made since `attach` has been in flight for half a
        second: Playwright's wait_for_load_state("networkidle"), counted from this log's own
        requests. Playwright's can miss the idle moment for good when a request starts and ends
        before DOMContentLoaded (microsoft/playwright issue 42598), and then waits out its
        timeout on a page that has long finished, as it did once in CI (December 2026)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.in_flight or time.monotonic() - self.last_activity < self.QUIET_MS / 1000:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.page}: still loading after {timeout_ms} ms: "
                                   + ", ".join(sorted(r.url for r in self.in_flight)))
            page.wait_for_timeout(50)  # lets Playwright deliver the page's events meanwhile

    def stop(self) -> None:
        """Stop recording: what the tests do to the page next (axe-core, which re-fetches a
        stylesheet's @import from a wrong base URL; clicks) is not the page's doing."""
        self.recording = False

    def unexpected_failures(self) -> list[tuple[str, str]]:
        return [(url, why) for url, why in self.failed if not is_map_tile(url)]

    def error_responses(self) -> list[tuple[str, int]]:
        return [(r.url, r.status) for r in self.responses if r.status >= 400 and not is_map_tile(r.url)]

    def transfers(self) -> list[Transfer]:
        """Bytes of every request the page made, as transferred; requests answered from the
        browser's memory cache (the same file twice) are counted once, like on the wire."""
        seen, out = set(), []
        for request in self.requests:
            if request.url.startswith(("data:", "about:", "blob:")) or request.url in seen:
                continue
            seen.add(request.url)
            response = request.response() if request.failure is None else None
            size = request.sizes()["responseBodySize"] if response is not None else 0
            out.append(Transfer(request.url, request.resource_type, response.status if response else None,
                                max(size, 0), request.failure))
        return out


def map_frames(page) -> list:
    """The frames of a page that hold a Leaflet map (folium maps are srcdoc iframes)."""
    frames = []
    for frame in page.frames:
        if frame is page.main_frame:
            continue
        try:
            if frame.evaluate("() => !!document.querySelector('.leaflet-container')"):
                frames.append(frame)
        except Exception:  # a frame that went away while loading
            continue
    return frames


# Maps wait, each in an inert <template>, until the reader nears them (_ext/page_head.py,
# lazy_maps): drawn now, as a reader who scrolls down draws them; how many the page holds.
DRAW_LAZY_MAPS_JS = """() => {
  const waiting = document.querySelectorAll('.cstobook-map template').length;
  if (waiting && !window.cstobookDrawMaps) throw new Error(`${waiting} maps wait and nothing draws them`);
  if (waiting) window.cstobookDrawMaps();
  return waiting;
}"""


def wait_for_maps(page, timeout_ms: int = 20_000) -> list:
    """Draw every map of the page that waits for the reader (lazy_maps), then wait until every
    map iframe has drawn its vector layers; return the frames."""
    page.evaluate(DRAW_LAZY_MAPS_JS)
    expected = page.evaluate("() => [...document.querySelectorAll('iframe')].filter("
                             "f => (f.getAttribute('srcdoc') || '').includes('leaflet')).length")
    page.wait_for_function(
        """(n) => [...document.querySelectorAll('iframe')]
              .filter(f => (f.getAttribute('srcdoc') || '').includes('leaflet'))
              .every(f => f.contentDocument && f.contentDocument.querySelector('.leaflet-overlay-pane svg path, .leaflet-overlay-pane canvas'))
              && n >= 0""", arg=expected, timeout=timeout_ms, polling=50)
    frames = map_frames(page)
    assert len(frames) == expected, f"{expected} map iframes in the page, {len(frames)} Leaflet maps drawn"
    return frames


def slug(page: str) -> str:
    return page.replace("/", "__")


# Colours as the browser computes them, composited over what lies beneath, and WCAG contrast.
COLOUR_JS = r"""
window.__cstobook = (() => {
  function parse(c) {
    let m = c.match(/^rgba?\(([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = c.match(/^color\(srgb ([^)]+)\)/);
    if (m) {
      const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    return [0, 0, 0, 0];
  }
  function background(el) {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let rgb = [255, 255, 255];
    for (const c of layers.reverse()) rgb = rgb.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
    return rgb;
  }
  function luminance(rgb) {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  function textContrast(el) {
    const bg = background(el);
    const c = parse(getComputedStyle(el).color);
    const fg = bg.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
    return contrast(fg, bg);
  }
  function describe(el) {
    return el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '')
      + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  }
  return {parse, background, luminance, contrast, textContrast, describe};
})();
"""


# --- One visit per page and mode: load, screenshot, measure everything, close -------------------

# Points inside features that open a popup, largest features first, for real mouse clicks.
POPUP_TARGETS_JS = """() => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)
                                  .map(k => window[k]);
  const out = [];
  const hasPopup = l => !!(l.getPopup && l.getPopup()) ||
      Object.values(l._eventParents || {}).some(p => p.getPopup && p.getPopup());
  for (const map of maps) map.eachLayer(layer => {
    if (!layer._path || !hasPopup(layer)) return;
    const r = layer._path.getBoundingClientRect();
    if (r.width < 3 || r.height < 3) return;
    for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
      const x = r.left + r.width * i / 10, y = r.top + r.height * j / 10;
      if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) continue;
      if (document.elementFromPoint(x, y) === layer._path) {
        out.push({x, y, area: r.width * r.height}); return;
      }
    }
  });
  return out.sort((a, b) => b.area - a.area).slice(0, 6);
}"""

VISIBLE_LEGENDS_JS = """() => [...document.querySelectorAll('[class*="legend"]')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
                        && r.top < innerHeight && r.left < innerWidth; })
  .map(e => e.innerText.trim()).filter(t => t.length > 0)"""

GROUND_AND_FILLS_JS = """() => {
  const hex = rgb => '#' + rgb.map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  const ground = window.__cstobook.background(document.querySelector('.leaflet-container'));
  const fills = new Set();
  for (const path of document.querySelectorAll('.leaflet-overlay-pane path')) {
    const style = getComputedStyle(path);
    if (style.fill === 'none' || path.getAttribute('fill') === 'none') continue;
    const c = window.__cstobook.parse(style.fill);
    const a = c[3] * parseFloat(style.fillOpacity || '1');
    if (a <= 0) continue;
    fills.add(hex(ground.map((v, i) => c[i] * a + v * (1 - a))));
  }
  return [hex(ground), [...fills]];
}"""

# Outlines (polygon layers) each map drew from the shared geometry file, and any drawn from an
# outline carried inline in the map's own document.
OUTLINES_FROM_SHARED_FILE_JS = """() => {
  let drawn = 0, inline = 0;
  for (const key of Object.keys(window)) {
    const map = window[key];
    if (!key.startsWith('map_') || !(map instanceof L.Map)) continue;
    map.eachLayer(layer => {
      const feature = layer.feature;
      if (!feature || !layer._path || !/Polygon/.test(feature.geometry.type)) return;
      if (feature.properties.shared_geometry) drawn++; else inline++;
    });
  }
  return {drawn, inline};
}"""

CLOSE_POPUPS_JS = """() => Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)
  .forEach(k => window[k].closePopup())"""


@dataclass
class MapCheck:
    drawn: int  # SVG paths and canvases in the overlay pane
    legends: list[str]  # text of each visible legend
    popup: str  # text of the popup that a mouse click on a feature opened, "" if none
    title: str  # the iframe's title (its accessible name)
    ground: str = ""  # the map's own background (#rrggbb): what shows where tiles would be
    fills: list[str] = field(default_factory=list)  # distinct area fills as seen over the ground


# The page's language and direction, and where its language switch leads (if it is shown).
LANGUAGE_JS = """() => {
  const root = document.documentElement, link = document.querySelector('a.cstobook-language-switch');
  const box = link && link.getBoundingClientRect();
  return {lang: root.lang, dir: root.dir || getComputedStyle(root).direction,
          switch: link ? link.href : null, switch_visible: !!box && box.width > 0 && box.height > 0
                  && box.bottom > 0 && box.right > 0 && box.left < innerWidth};
}"""


@dataclass
class Visit:
    """What one page did and showed in one mode. Pages are closed after their visit."""

    name: str
    mode: str
    log: PageLog
    transfers: list[Transfer] = field(default_factory=list)
    maps: list[MapCheck] = field(default_factory=list)
    outlines: list[dict] = field(default_factory=list)  # desktop: per map, OUTLINES_FROM_SHARED_FILE_JS
    sidebar: list[str] = field(default_factory=list)  # visible sidebar links, without fragment
    axe: list[dict] = field(default_factory=list)  # axe-core violations (desktop and dark)
    overflow: dict = field(default_factory=dict)  # phone: sideways scrolling
    theme: str = ""
    legibility: list[str] = field(default_factory=list)  # dark: what is hard to read
    squeezed: list[str] = field(default_factory=list)  # desktop: table cells of long text, too narrow
    running_text: str = ""  # desktop: the article's text outside captions, code and notes
    blocks: list[dict] = field(default_factory=list)  # desktop: the article's first blocks, in order
    figures: list[dict] = field(default_factory=list)  # every mode: article images as rendered
    cards: list[dict] = field(default_factory=list)  # phone and dark: rows of filterable tables
    language: dict = field(default_factory=dict)  # every mode: the page's lang and dir, and its language switch


def check_map(page, frame) -> MapCheck:
    drawn = frame.evaluate("() => document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length"
                           " + document.querySelectorAll('.leaflet-overlay-pane canvas').length")
    legends = frame.evaluate(VISIBLE_LEGENDS_JS)
    frame.evaluate(COLOUR_JS)
    ground, fills = frame.evaluate(GROUND_AND_FILLS_JS)
    element = frame.frame_element()
    title = element.get_attribute("title") or ""
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    popup = ""
    for point in frame.evaluate(POPUP_TARGETS_JS):
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        try:
            frame.wait_for_selector(".leaflet-popup-content", state="visible", timeout=2000)
        except Exception:  # noqa: BLE001 - a feature without popup under the cursor: try the next
            continue
        popup = frame.evaluate("() => document.querySelector('.leaflet-popup-content').innerText.trim()")
        frame.evaluate(CLOSE_POPUPS_JS)
        break
    return MapCheck(drawn, legends, popup, title, ground, fills)


# A table cell holding a paragraph must be wide enough to read: at desktop width, a cell of at
# least LONG_CELL_CHARACTERS characters is at least MIN_LONG_CELL_WIDTH px wide (about 16 characters
# a line), not a column one or two words wide beside a column that will not wrap.
LONG_CELL_CHARACTERS = 300
MIN_LONG_CELL_WIDTH = 120
SQUEEZED_JS = """([chars, width]) => [...document.querySelectorAll('article table td')]
  .filter(td => td.textContent.trim().length >= chars && td.getBoundingClientRect().width < width)
  .slice(0, 5).map(td => {
    const table = td.closest('table');
    return `${Math.round(td.getBoundingClientRect().width)} px wide, ${td.textContent.trim().length} characters, in `
         + `"${(table.caption ? table.caption.textContent : table.id).trim().slice(0, 60)}"`; })"""

SIDEBAR_JS = """() => [...document.querySelectorAll('nav.bd-docs-nav a.reference')]
  .filter(a => a.getBoundingClientRect().width > 0).map(a => a.href.split('#')[0])"""


# Running text: what a reader reads as prose and table cells, without captions (which may name the
# files behind a figure), code, the BibTeX of the cite page, or the page's scripts.
RUNNING_TEXT_JS = """() => {
  const article = document.querySelector('article').cloneNode(true);
  article.querySelectorAll('figcaption, caption, pre, code, .cell_input, script, style, '
                           + '.cstobook-cite-this, .headerlink').forEach(e => e.remove());
  return article.innerText;
}"""

# The article's first blocks (headings, paragraphs, figures, admonitions, quotes), top to bottom.
BLOCKS_JS = """() => [...document.querySelectorAll(
    'article h1, article h2, article p, article figure, article blockquote, article .admonition')]
  .filter(e => e.getBoundingClientRect().height > 0).slice(0, 12).map(e => ({
    tag: e.tagName.toLowerCase(), cls: e.className || '', top: e.getBoundingClientRect().top + scrollY,
    text: (e.innerText || '').trim().slice(0, e.tagName === 'FIGURE' ? 2000 : 80),
    img: !!e.querySelector('img')}))"""

# Images that load as the reader nears them (loading="lazy"), loaded now; resolves once all have.
LOAD_LAZY_IMAGES_JS = """async () => {
  const lazy = [...document.querySelectorAll('img[loading="lazy"]')];
  lazy.forEach(img => { img.loading = 'eager'; });
  await Promise.all(lazy.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done); })));
}"""

# Images of the article as rendered: natural and CSS widths (px per figure inch follows from the
# image's own dpi).
FIGURES_JS = """() => [...document.querySelectorAll('article img')]
  .filter(img => img.naturalWidth > 0)
  .map(img => ({src: img.currentSrc || img.src, natural: img.naturalWidth,
                rendered: img.getBoundingClientRect().width, viewport: innerWidth}))"""

# Rows of filterable tables: how each is laid out, and the column names shown before its cells.
CARDS_JS = """() => [...document.querySelectorAll('.cstobook-filter tbody tr')].slice(0, 3).map(tr => {
  const box = tr.getBoundingClientRect();
  return {display: getComputedStyle(tr).display, width: box.width, viewport: innerWidth,
          labels: [...tr.cells].map(td => getComputedStyle(td, '::before').content.replace(/^"|"$/g, '')),
          colour: getComputedStyle(tr.closest('.cstobook-filter')).color};
})"""


# axe-core's rules whose outcome depends on the colours of a page: in the dark colour scheme, only
# the style sheet's colours change, so the other rules (the page's structure, names, ARIA, language)
# would find in dark what they find in light; colour contrast is most of axe's time on a long page.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def run_axe(page, rules: tuple[str, ...] | None = None) -> list[dict]:
    """axe-core on the page and, through its frame messaging, inside every map iframe: every rule,
    or only `rules`."""
    from axe_playwright_python.base import AXE_SCRIPT

    for frame in page.frames:
        frame.evaluate(AXE_SCRIPT)
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": list(rules)}
    results = page.evaluate("async (options) => await axe.run(document, options)", options)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [", ".join(map(str, n["target"])) + " " + n["html"][:160] for n in v["nodes"][:4]]}
            for v in results["violations"]]


OVERFLOW_JS = """() => {
  window.scrollTo(10000, window.scrollY);
  const scrolled = window.scrollX;
  window.scrollTo(0, window.scrollY);
  const width = document.documentElement.clientWidth;
  const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    return false; };
  const wide = [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1 && !clipped(e); })
    .slice(0, 8).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')
                         + ' "' + (e.textContent || '').trim().slice(0, 50) + '"');
  return {scrolled, scroll_width: document.documentElement.scrollWidth, width, wide};
}"""


def has_transparency(path: Path) -> bool:
    if path.suffix.lower() == ".svg":
        return True  # drawn over whatever lies beneath
    from PIL import Image

    with Image.open(path) as image:
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            return image.convert("RGBA").getextrema()[3][0] < 250
    return False


def dark_mode_problems(page, frames, server: BookServer) -> list[str]:
    """Charts, tables and maps that a reader could not read in dark mode."""
    page.evaluate(COLOUR_JS)
    problems = []
    # Charts: an image with transparent parts must sit on a light card, or its dark ink vanishes.
    for image in page.evaluate("() => [...document.querySelectorAll('article img')]"
                               ".map(img => ({src: img.src, bg: window.__cstobook.background(img)}))"):
        file = server.file_for(image["src"])
        if file is not None and has_transparency(file):
            if page.evaluate("(rgb) => window.__cstobook.luminance(rgb)", image["bg"]) < 0.7:
                problems.append(f"image {file.name} is transparent and shown on a dark background")
    # Tables: all their text (cells, captions, links) at least 4.5:1 against its background (WCAG AA).
    for what, ratio in page.evaluate("""() => [...document.querySelectorAll('article table, article table *')]
        .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => [window.__cstobook.describe(e), window.__cstobook.textContrast(e)])
        .filter(([_, c]) => c < 4.5).slice(0, 5)"""):
        problems.append(f"table text {what}: contrast {ratio:.2f}")
    # Maps: a light map, and legends and controls readable.
    for number, frame in enumerate(frames, start=1):
        frame.evaluate(COLOUR_JS)
        if frame.evaluate("() => window.__cstobook.luminance(window.__cstobook.background("
                          "document.querySelector('.leaflet-container')))") < 0.7:
            problems.append(f"map {number}: dark map background")
        for what, ratio in frame.evaluate("""() => [...document.querySelectorAll(
                '[class*="legend"], [class*="legend"] *, .leaflet-control, .leaflet-control *')]
            .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => [window.__cstobook.describe(e), window.__cstobook.textContrast(e)])
            .filter(([_, c]) => c < 4.5).slice(0, 5)"""):
            problems.append(f"map {number}: {what}: contrast {ratio:.2f}")
    return problems


class BookBrowser:
    """One chromium for the session. `visit(page, mode)` loads a page of the book once per mode
    (each in a fresh browser context, so with a cold cache), saves a screenshot in `screenshots`
    (the whole page at phone width, the first screen at desktop width), measures everything the
    tests assert, and closes it:

    - "desktop": 1280 px, light: errors, requests and their bytes, maps (layers, outlines, legend,
      a popup opened by a real click), sidebar links, axe-core (every rule);
    - "phone": 390 px: sideways scrolling, the sidebar as opened by its toggle button;
    - "dark": 1280 px, dark colour scheme: legibility of charts, tables and maps, axe-core's
      colour rules (COLOUR_RULES).
    """

    MODES = {
        "desktop": {"viewport": DESKTOP, "color_scheme": "light"},
        "phone": {"viewport": PHONE, "color_scheme": "light", "is_mobile": True, "has_touch": True},
        "dark": {"viewport": DESKTOP, "color_scheme": "dark"},
    }

    def __init__(self, browser, server: BookServer, screenshots: Path):
        self.browser = browser
        self.server = server
        self.screenshots = Path(screenshots)
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self._visits: dict[tuple[str, str], Visit] = {}

    def screenshot_path(self, name: str, mode: str) -> Path:
        return self.screenshots / f"{slug(name)}-{mode}.jpg"

    def visit(self, name: str, mode: str = "desktop") -> Visit:
        key = (name, mode)
        if key not in self._visits:
            context = self.browser.new_context(**self.MODES[mode])
            # every map drawn as the page is read (lazy_maps), its iframe there before the page's
            # load event, as a reader who scrolls through the page draws them all
            context.add_init_script("window.cstobookDrawMapsAtOnce = true;")
            try:
                self._visits[key] = self._measure(context.new_page(), name, mode)
            finally:
                context.close()
        return self._visits[key]

    def _measure(self, page, name: str, mode: str) -> Visit:
        visit = Visit(name, mode, PageLog(name))
        visit.log.attach(page)
        page.goto(self.server.url(name), wait_until="load")
        frames = wait_for_maps(page)
        visit.log.wait_until_quiet(page)
        # What the reader's visit loads, before the test's own screenshot (which can make
        # chromium re-evaluate a <picture> and start, then abort, another rendering's request)
        visit.log.stop()
        visit.transfers = visit.log.transfers()
        # then every chart, as a reader who scrolls down loads them, for the screenshot and the
        # figures' measurements
        page.evaluate(LOAD_LAZY_IMAGES_JS)
        self._screenshot(page, self.screenshot_path(name, mode), full_page=mode in self.FULL_PAGE_MODES)
        visit.theme = page.evaluate("() => document.documentElement.dataset.theme")
        visit.figures = page.evaluate(FIGURES_JS)
        visit.cards = page.evaluate(CARDS_JS)
        visit.language = page.evaluate(LANGUAGE_JS)
        if mode == "desktop":
            visit.axe = run_axe(page)
            visit.sidebar = page.evaluate(SIDEBAR_JS)
            visit.squeezed = page.evaluate(SQUEEZED_JS, [LONG_CELL_CHARACTERS, MIN_LONG_CELL_WIDTH])
            visit.outlines = [frame.evaluate(OUTLINES_FROM_SHARED_FILE_JS) for frame in frames]
            visit.maps = [check_map(page, frame) for frame in frames]
            visit.running_text = page.evaluate(RUNNING_TEXT_JS)
            visit.blocks = page.evaluate(BLOCKS_JS)
        elif mode == "dark":
            visit.axe = run_axe(page, COLOUR_RULES)
            visit.legibility = dark_mode_problems(page, frames, self.server)
        elif mode == "phone":
            visit.overflow = page.evaluate(OVERFLOW_JS)
            page.locator("button.primary-toggle:visible").first.click()
            page.wait_for_function(f"() => ({SIDEBAR_JS})().length > 0", timeout=5000)
            visit.sidebar = page.evaluate(SIDEBAR_JS)
        return visit

    # JPEG, since a full page of the longest chapters took seconds to encode as PNG (13 MB); a JPEG
    # is at most 65,500 px tall, so the bibliography on a phone is shown down to there.
    JPEG_MAX_PX = 65_500  # libjpeg's largest dimension
    # The whole page at phone width, as most readers read it; the first screen at desktop width,
    # light and dark: painting and encoding every page whole at 1280 px took chromium some 110 s of
    # CPU per suite (2026-12-06), for a record the tests do not read.
    FULL_PAGE_MODES = ("phone",)

    def _screenshot(self, page, path: Path, full_page: bool = True) -> None:
        if not full_page:
            page.screenshot(path=path, type="jpeg", quality=80)
            return
        size = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        clip = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], self.JPEG_MAX_PX)}
        # the bibliography's full page takes chromium long to paint and encode (over 30 s, Playwright's
        # default, on a busy machine): the shot is a record for readers of the suite, not a measure
        page.screenshot(path=path, full_page=True, clip=clip, type="jpeg", quality=80, timeout=180_000)

    def new_page(self, mode: str = "desktop"):
        """A fresh page in its own context, for a test that navigates (e.g. to the search page)."""
        return self.browser.new_context(**self.MODES[mode]).new_page()
