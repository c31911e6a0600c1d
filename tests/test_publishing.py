"""Publishing: the GitHub Actions workflow, the sitemap, Open Graph metadata, serving locally,
static fallbacks of the maps, and the bundled third-party files (offline, with their licences)."""
from __future__ import annotations

import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from build_support import ROOT, built_page
from cstobook import toc

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
BASEURL = CONFIG["html"]["baseurl"]
PAGES = toc.documents()
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def map_iframes(built_book: Path, page: str) -> list:
    return [f for f in built_page(built_book, page).find_all("iframe") if "leaflet" in (f.get("srcdoc") or "")]


# --- The workflow ------------------------------------------------------------------------------

def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_workflow_tests_the_book_on_debian_with_chromium():
    jobs = workflow()["jobs"]
    testing = [job for job in jobs.values() if any(s.get("run", "").strip() == ".ci/run" for s in steps(job))]
    assert testing, "no job runs .ci/run (which installs chromium and runs make test)"
    assert "bookworm" in str(testing[0].get("container", "")), "tests run in Debian, where apt-get has chromium"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "chromium" in ci and "make test" in ci


def test_workflow_builds_the_book_and_deploys_it_to_github_pages():
    data = workflow()
    assert "main" in data["on"]["push"]["branches"]
    jobs = data["jobs"]
    builder = next(job for job in jobs.values() if any("make book" in s.get("run", "") for s in steps(job)))
    upload = [s for s in steps(builder) if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    deploy = [(name, job) for name, job in jobs.items()
              if any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in steps(job))]
    assert deploy, "no job uses actions/deploy-pages"
    name, job = deploy[0]
    assert job["permissions"] == {"pages": "write", "id-token": "write"}
    assert job["environment"]["name"] == "github-pages"


def test_the_site_notebooks_and_pdfs_are_published_from_release_tags_only():
    """What readers cite is what they read: the site, the notebooks branch and the PDFs are
    published by a push of a release tag vX.Y.Z, never by a push to main or a pull request."""
    data = workflow()
    assert data["on"]["push"]["tags"] == ["v*"]
    assert "release" not in data["on"], "one run per release: the tag's push"
    publishing = {name: job for name, job in data["jobs"].items() if "needs" in job}
    assert {"deploy", "notebooks", "release-pdf"} <= set(publishing)
    for name, job in publishing.items():
        assert job["if"] == "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')", name


def test_a_release_tag_must_name_the_version_of_citation_cff(tmp_path):
    """The foot of every page, How to cite and the PDFs name the version of CITATION.cff; the
    workflow checks, before it tests and builds a tag, that the tag is that version."""
    sys.path.insert(0, str(ROOT / "tools"))
    import release_tag

    from cstobook import edition

    assert release_tag.citation_version() == edition.version()
    assert release_tag.problem(f"v{edition.version()}") is None
    assert "CITATION.cff says version" in release_tag.problem("v0.0.1")
    assert release_tag.problem(edition.version()) is not None  # no leading v
    other = tmp_path / "CITATION.cff"
    other.write_text('cff-version: 1.2.0\nversion: "9.8.7"\n', encoding="utf-8")
    assert release_tag.problem("v9.8.7", other) is None and release_tag.problem(f"v{edition.version()}", other)
    assert subprocess.run([sys.executable, str(ROOT / "tools" / "release_tag.py"), "v0.0.1"],
                          capture_output=True).returncode == 1
    book = workflow()["jobs"]["book"]
    runs = [s.get("run", "") for s in steps(book)]
    check = next(s for s in steps(book) if "tools/release_tag.py" in s.get("run", ""))
    assert check["run"] == 'python3 tools/release_tag.py "$GITHUB_REF_NAME"'
    assert check["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert runs.index(check["run"]) < runs.index(".ci/run"), "checked before anything is built"


def test_a_weekly_workflow_runs_the_same_steps_on_a_fresh_runner():
    weekly = yaml.safe_load((WORKFLOW.parent / "weekly.yml").read_text(encoding="utf-8"))
    on = weekly.get("on", weekly.get(True))
    assert on["schedule"] and "workflow_dispatch" in on
    assert weekly["permissions"] == {}
    book = workflow()["jobs"]["book"]
    (job,) = weekly["jobs"].values()
    assert job["container"] == book["container"] and job["runs-on"] == book["runs-on"]
    runs = [s["run"] for s in steps(job) if "run" in s]
    assert runs == [s["run"] for s in steps(book) if "run" in s and "release_tag" not in s["run"]]
    assert not any("pages" in str(s.get("uses", "")) for s in steps(job)), "nothing is published"


def test_dependabot_proposes_updates_of_the_actions_and_the_pins():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    assert all(update["schedule"]["interval"] == "weekly" for update in ecosystems.values())


def test_workflow_publishes_the_notebooks_for_the_launch_buttons():
    jobs = workflow()["jobs"]
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "tools/launch_notebooks.py _build/html" in text
    pushing = [job for job in jobs.values() if any("git push" in s.get("run", "") for s in steps(job))]
    assert pushing and pushing[0]["permissions"] == {"contents": "write"}


# --- Sitemap, Open Graph, serving ----------------------------------------------------------------

def test_sitemap_lists_every_page_at_its_published_address(built_book):
    tree = ET.parse(built_book / "sitemap.xml")
    urls = {loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert {f"{BASEURL}{page}.html" for page in PAGES} <= urls
    assert all(url.startswith(BASEURL) for url in urls)
    assert not [url for url in urls if url.endswith(("search.html", "genindex.html"))]


@pytest.mark.parametrize("page", PAGES)
def test_page_has_open_graph_metadata(built_book, page):
    document = built_page(built_book, page)
    meta = {tag["property"]: tag["content"] for tag in document.find_all("meta", property=True)}
    assert meta.get("og:url") == f"{BASEURL}{page}.html"
    assert meta.get("og:title")
    assert meta.get("og:site_name") == CONFIG["title"]
    assert len(meta.get("og:description", "")) > 40
    image = meta.get("og:image", "")
    assert image.startswith(BASEURL) and (built_book / image[len(BASEURL):]).is_file()
    assert meta.get("og:image:alt")
    assert document.find("link", rel="canonical")["href"] == f"{BASEURL}{page}.html"


def test_make_serve_serves_the_built_book_locally():
    dry_run = subprocess.run(["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert re.search(r"http\.server --directory _build/html --bind 127\.0\.0\.1 \d+", dry_run), dry_run


@pytest.mark.parametrize("page", PAGES)
def test_page_names_its_favicon(built_book, page):
    """A page links its icon, so browsers do not ask for a /favicon.ico that does not exist."""
    icon = built_page(built_book, page).find("link", rel="icon")
    assert icon is not None and ((built_book / page).parent / icon["href"]).is_file()


# --- Static fallbacks of the maps ----------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_every_map_links_its_static_image_in_figures(built_book, page):
    """Every interactive map also exists as a static image in figures/, linked from the figure that
    holds the map (for print, slides, citation, and readers without JavaScript)."""
    for number, frame in enumerate(map_iframes(built_book, page), start=1):
        figure = frame.find_parent("figure")
        assert figure is not None, f"map {number} is not in a figure"
        images = [Path(a["href"]).name for a in figure.find_all("a", href=True)
                  if "_downloads/" in a["href"] and a["href"].endswith((".png", ".svg"))]
        in_figures = [name for name in images if (ROOT / "figures" / name).is_file()]
        assert in_figures, f"map {number}: its figure links no image of figures/ ({images})"
        for name in in_figures:
            served = next((built_book / page).parent / a["href"] for a in figure.find_all("a", href=True)
                          if a["href"].endswith("/" + name))
            assert served.is_file() and served.stat().st_size > 10_000


# --- Offline: bundled files and their licences ---------------------------------------------------

THIRD_PARTY = re.compile(r"^(https?:)?//", re.IGNORECASE)


@pytest.mark.parametrize("page", PAGES)
def test_pages_and_maps_load_no_script_style_or_font_from_elsewhere(built_book, page):
    """Scripts, styles, fonts and images of the page and of its maps are the book's own files."""
    document = built_page(built_book, page)
    documents = [document] + [BeautifulSoup(html.unescape(f["srcdoc"]), "html.parser")
                              for f in document.find_all("iframe") if f.get("srcdoc")]
    foreign = []
    for doc in documents:
        for tag in doc.find_all(["script", "link", "img", "iframe", "source"]):
            url = tag.get("src") or (tag.get("href") if tag.name == "link" and "stylesheet" in (tag.get("rel") or [])
                                     or tag.name == "link" and "preload" in (tag.get("rel") or []) else None)
            if url and THIRD_PARTY.match(url):
                foreign.append(url)
        for style in doc.find_all("style"):
            foreign += [u for u in re.findall(r"url\(['\"]?([^'\")]+)", style.get_text()) if THIRD_PARTY.match(u)]
    assert foreign == []


def test_bundled_third_party_files_are_listed_with_their_licences():
    lib = ROOT / "_static" / "lib"
    readme = (lib / "README.md").read_text(encoding="utf-8")
    for folder in sorted(p for p in lib.iterdir() if p.is_dir()):
        assert f"`{folder.name}/`" in readme, f"_static/lib/README.md does not list {folder.name}/"
        assert list(folder.glob("LICENSE*")), f"{folder} has no LICENSE file"
    notices = (ROOT / "THIRD-PARTY-NOTICES.md").read_text(encoding="utf-8")
    for bundled in ("Leaflet", "jQuery", "topojson-client", "Font Awesome", "Bootstrap", "pydata-sphinx-theme",
                    "sphinx-book-theme"):
        assert bundled in notices, f"THIRD-PARTY-NOTICES.md does not name {bundled}"


def test_every_file_a_map_loads_is_in_the_book(built_book):
    for page in PAGES:
        for frame in map_iframes(built_book, page):
            document = BeautifulSoup(html.unescape(frame["srcdoc"]), "html.parser")
            for tag in document.find_all(["script", "link"]):
                url = tag.get("src") or tag.get("href")
                if url:
                    assert ((built_book / page).parent / url).resolve().is_file(), f"{page}: {url}"


# Icons every page shows (magnifying glass, sun, moon, half circle, bars, GitHub) and some the
# theme draws from its style sheet (the "on this page" toggle, the note admonition).
ICONS_SHOWN = {0xF002: "magnifying-glass", 0xF185: "sun", 0xF186: "moon", 0xF042: "circle-half-stroke",
               0xF0C9: "bars", 0xF09B: "github", 0xF107: "angle-down", 0xF05A: "circle-info"}


def test_icon_fonts_keep_the_icons_the_book_shows_and_little_else(built_book):
    """The theme's Font Awesome fonts are cut down to the icons the pages use (280 kB to a few kB),
    and every one of those icons, and of the icons the style sheets draw, is still in a font."""
    import sys

    from fontTools.ttLib import TTFont

    sys.path.insert(0, str(ROOT / "_ext"))
    from book_publishing import ICON_FONTS, used_icon_codepoints

    fonts = sorted((built_book / "_static" / ICON_FONTS).glob("*.woff2"))
    assert {f.name for f in fonts} >= {"fa-solid-900.woff2", "fa-brands-400.woff2"}
    glyphs = set()
    for font in fonts:
        assert font.stat().st_size < 10_000, f"{font.name} is {font.stat().st_size:,} bytes"
        glyphs |= set(TTFont(font).getBestCmap())
    used = used_icon_codepoints(built_book)
    assert set(ICONS_SHOWN) <= used
    missing = {hex(c) for c in used - glyphs}
    assert missing == set(), f"icons used but in no font: {missing}"
    catalogue = (built_book / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert ".fa-github:before" in catalogue and ".fa-anchor:before" not in catalogue


def test_search_scripts_load_on_the_search_page_only(built_book):
    """The search index is for the search page; the search field of every page leads there."""
    for page in PAGES:
        assert "searchindex.js" not in (built_book / f"{page}.html").read_text(encoding="utf-8"), page
    assert "searchindex.js" in (built_book / "search.html").read_text(encoding="utf-8")


EDITION_PAGES = [*PAGES, *(f"ar/{page}" for page in PAGES)]


@pytest.mark.parametrize("page", EDITION_PAGES)
def test_first_paint_waits_for_one_style_sheet_and_no_script(built_book, page):
    """The head holds first paint as little as it can (_ext/page_head.py; `make bench-lighthouse`
    measures it): one style sheet, the edition's own (the Arabic edition's right-to-left rules in
    the Arabic one only), and no script file without defer; no preload takes bandwidth from it
    but the Arabic edition's text face (over http: from disk chromium refuses a font preload)."""
    soup = built_page(built_book, page)
    head = soup.head
    # the launch menu's logos load when the menu opens
    logos = soup.find_all("img", src=re.compile(r"_static/images/logo_"))
    assert all(logo.get("loading") == "lazy" for logo in logos), logos
    sheets = [link["href"] for link in head.find_all("link", rel="stylesheet")]
    assert len(sheets) == 1 and re.search(r"_static/styles/book\.css\?v=[0-9a-f]{12}$", sheets[0]), sheets
    blocking = [s["src"] for s in head.find_all("script", src=True)
                if not (s.has_attr("defer") or s.has_attr("async") or s.get("type") == "module")]
    assert blocking == []
    assert head.find("link", rel="preload") is None  # the Arabic face is preloaded by a script
    # Bootstrap's script (the header's menus and tooltips) waits for the reader's first gesture
    assert soup.find("script", src=re.compile(r"scripts/bootstrap\.js")) is None
    assert any("scripts/bootstrap.js" in (s.string or "") and "Dropdown" in (s.string or "")
               for s in soup.find_all("script", src=False))
    assert ("NotoNaskhArabic" in str(head)) == page.startswith("ar/")
    sheet = (built_book / page).parent / sheets[0].split("?")[0]
    rules = sheet.read_text(encoding="utf-8")
    assert ('html[dir="rtl"]' in rules) == page.startswith("ar/")
    # the rules the theme's scripts need at run time stay: dark mode, dropdowns, search, copy buttons
    for kept in ("html[data-theme=dark]", ".dropdown-menu.show", "#pst-search-dialog", ".copybtn"):
        assert kept in rules, kept


@pytest.mark.parametrize("page", EDITION_PAGES)
def test_maps_wait_for_the_reader_in_boxes_of_their_size(built_book, page):
    """A page with maps does not draw them at load (_ext/page_head.py, lazy_maps): each map's
    iframe is inert in a <template>, in a box as tall as the map, with a button in the edition's
    language that draws it, and the page has the lines that draw maps as the reader nears them;
    no map iframe stands outside its box."""
    from cstobook import i18n

    soup = built_page(built_book, page)
    frames = soup.find_all("iframe", srcdoc=re.compile("leaflet"))
    boxes = soup.select("div.cstobook-map")
    assert len(boxes) == len(frames), (len(boxes), len(frames))
    label = i18n.edition_words("show_map", "ar" if page.startswith("ar/") else "en")
    for number, box in enumerate(boxes, start=1):
        template = box.find("template", recursive=False)
        frame = template.find("iframe", recursive=False) if template else None
        assert frame is not None and "leaflet" in frame.get("srcdoc", ""), f"map {number}: no iframe in a template"
        height = re.fullmatch(r"height:(\d+)px", box["style"])
        assert height and frame["height"].removesuffix("px") == height.group(1), (box["style"], frame["height"])
        assert box.find("button", recursive=False).get_text(strip=True) == label
    if boxes:
        assert "window.cstobookDrawMaps" in str(soup.find_all("script"))


def test_workflows_pass_zizmor():
    """The ecosystem's security audit of GitHub Actions (every workflow and dependabot.yml) finds nothing: every action pinned to a
    commit, no checkout leaving its token where an uploaded artifact could carry it, no
    permission a job does not need (zizmor, pinned in requirements.txt, offline)."""
    zizmor = Path(sys.executable).with_name("zizmor")
    assert zizmor.is_file(), "zizmor is missing: make setup installs requirements.txt"
    result = subprocess.run([str(zizmor), "--offline", "--no-progress", str(ROOT / ".github")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "No findings" in result.stdout + result.stderr, result.stdout[-4000:]


@pytest.mark.parametrize("workflow_file", sorted((ROOT / ".github" / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version_named(workflow_file):
    uses = re.findall(r"uses:\s*(\S+)(.*)", workflow_file.read_text(encoding="utf-8"))
    assert uses
    for action, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.search(r"#\s*v\d+\.\d+\.\d+", rest), f"{action}: name the version in a comment"


def test_charts_load_lazily_but_the_landing_pages_headline_figure():
    """A chart loads as the reader nears it; the landing page's headline figure, on its first
    screen, loads with the page. Logos are no charts; a phone layout's <source> follows its <img>."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from book_publishing import load_charts_lazily

    body = ('<p>x</p><img alt="a" src="../_images/a.webp"/><img alt="logo" src="../_static/logo.svg"/>'
            '<picture><source srcset="../_images/b.phone.webp"/><img alt="b" src="../_images/b.webp"/></picture>'
            '<img alt="c" src="_images/c.webp"/>')
    chapter = BeautifulSoup(load_charts_lazily(body), "html.parser")
    assert {img["alt"]: img.get("loading") for img in chapter.find_all("img")} == {
        "a": "lazy", "logo": None, "b": "lazy", "c": "lazy"}
    landing = BeautifulSoup(load_charts_lazily(body, headline_first=True), "html.parser")
    assert {img["alt"]: img.get("loading") for img in landing.find_all("img")} == {
        "a": None, "logo": None, "b": "lazy", "c": "lazy"}
    assert [img["alt"] for img in landing.find_all("img", fetchpriority="high")] == ["a"]
