"""Check every link the book gives readers, without building or executing it (`make linkcheck`).

The links: every `url` of data/references.bib (which the bibliography and every table's source
links use: those are raw HTML written by cstobook.tables, which Sphinx's linkcheck builder never
sees), every address in a table of data/ and in data/datapackage.json, every address written in a
page's source (index.md, chapters/*.md), and, when a build is there (_build/html), every external
link of its pages. Known false positives (sites that refuse robots but serve readers) are listed
once, in tools/linkcheck-ignore.txt.

Each address is asked for with HEAD (GET where a server refuses HEAD), a few at a time, and falls
in one of three groups: live (a status below 400), dead (the server answered 4xx or 5xx: 404 Not
Found, 410 Gone ...), or unreachable (no answer: the host's name does not resolve, the
connection is refused or times out; on a machine without internet every host is unreachable, and
the report says so rather than calling the links dead).

    python tools/linkcheck.py                       # report on stdout; exit 1 if a link is dead
    python tools/linkcheck.py --report report.md    # also write the report as Markdown
    python tools/linkcheck.py URL ...               # check these addresses only

Exit status: 0 when no link is dead, 1 when one is (unreachable hosts alone do not fail it unless
--strict), 2 on a usage error. .github/workflows/linkcheck.yml runs it weekly and keeps one issue
listing the dead links.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import csv
import html.parser
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "tools" / "linkcheck-ignore.txt"
USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) csto-ukraine-book-linkcheck "
              "(+https://github.com/csto-ukraine-book/csto-ukraine-book)")
_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+")
_BIB_URL = re.compile(r"^\s*url\s*=\s*[{\"](?P<url>[^}\"]+)[}\"]", re.M | re.I)
_BIB_KEY = re.compile(r"^@\w+\s*\{\s*(?P<key>[^,\s]+)\s*,", re.M)


# --- Collecting the links ---------------------------------------------------------------------

def clean(url: str) -> str:
    """An address as found in text: without trailing punctuation of the sentence around it."""
    url = url.strip()
    while url and url[-1] in ".,;:)":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def bibliography_urls(path: Path) -> dict[str, set[str]]:
    """url -> where it is cited ("references.bib: KEY")."""
    text = path.read_text(encoding="utf-8")
    found: dict[str, set[str]] = defaultdict(set)
    keys = [(m.start(), m.group("key")) for m in _BIB_KEY.finditer(text)]
    for match in _BIB_URL.finditer(text):
        key = next((k for start, k in reversed(keys) if start < match.start()), "?")
        url = re.sub(r"\\([_%&#$])", r"\1", match.group("url").strip())  # BibTeX escapes
        found[url].add(f"{path.name}: {key}")
    return found


def table_urls(folder: Path) -> dict[str, set[str]]:
    """url -> where it is written ("data/TABLE.csv row N", "data/datapackage.json")."""
    found: dict[str, set[str]] = defaultdict(set)
    for table in sorted(folder.glob("*.csv")):
        with table.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                for cell in row:
                    for url in _URL.findall(cell):
                        found[clean(url)].add(f"data/{table.name} row {number}")
    package = folder / "datapackage.json"
    if package.is_file():
        for url in _URL.findall(json.dumps(json.loads(package.read_text(encoding="utf-8")), ensure_ascii=False)):
            found[clean(url)].add("data/datapackage.json")
    return found


def page_source_urls(root: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for page in [root / "index.md", *sorted((root / "chapters").glob("*.md"))]:
        if page.is_file() and not page.name.startswith("_"):
            for url in _URL.findall(page.read_text(encoding="utf-8")):
                found[clean(url)].add(str(page.relative_to(root)))
    return found


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.hrefs.append(href)


def built_page_urls(site: Path) -> dict[str, set[str]]:
    """Every external link of the built pages (the tables' source links included), if built."""
    found: dict[str, set[str]] = defaultdict(set)
    for page in sorted(site.rglob("*.html")) if site.is_dir() else []:
        if page.name in ("search.html", "genindex.html") or "_static" in page.parts:
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for url in parser.hrefs:
            found[url].add(f"_build/html/{page.relative_to(site)}")
    return found


def collect(root: Path = ROOT, built: bool = True) -> dict[str, set[str]]:
    """Every address the book gives, with where each is found."""
    found: dict[str, set[str]] = defaultdict(set)
    parts = [bibliography_urls(root / "data" / "references.bib"), table_urls(root / "data"), page_source_urls(root)]
    if built:
        parts.append(built_page_urls(root / "_build" / "html"))
    for part in parts:
        for url, places in part.items():
            found[url] |= places
    return dict(found)


def ignored_patterns(path: Path = IGNORE_FILE) -> list[re.Pattern]:
    """The known false positives: one regular expression per line (matched at the start of an
    address), `#` starting a comment."""
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [re.compile(line) for line in lines if line]


# --- Checking them ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    url: str
    state: str    # "live", "dead" or "unreachable"
    detail: str   # the status ("404 Not Found") or why no answer came


def check(url: str, timeout: float = 15.0) -> Result:
    import requests

    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    try:
        with requests.Session() as session:
            response = session.head(url, headers=headers, timeout=timeout, allow_redirects=True)
            if response.status_code >= 400:  # many servers refuse HEAD (405, 403, 501): ask with GET
                response = session.get(url, headers=headers, timeout=timeout, allow_redirects=True, stream=True)
                response.close()
    except requests.exceptions.ConnectionError as error:
        text = str(error)
        if "Name or service not known" in text or "NameResolution" in text or "getaddrinfo" in text \
                or "Temporary failure in name resolution" in text:
            return Result(url, "unreachable", "the host's name does not resolve")
        if "refused" in text.lower():
            return Result(url, "unreachable", "connection refused")
        return Result(url, "unreachable", f"no connection ({type(error).__name__})")
    except requests.exceptions.Timeout:
        return Result(url, "unreachable", f"no answer within {timeout:g} s")
    except requests.exceptions.RequestException as error:
        return Result(url, "unreachable", f"{type(error).__name__}: {error}"[:200])
    detail = f"{response.status_code} {response.reason or ''}".strip()
    return Result(url, "live" if response.status_code < 400 else "dead", detail)


def check_all(urls, workers: int = 8, timeout: float = 15.0) -> list[Result]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return sorted(pool.map(lambda u: check(u, timeout), sorted(set(urls))), key=lambda r: r.url)


def report(results: list[Result], places: dict[str, set[str]], ignored: int = 0) -> str:
    """The report, in Markdown (the issue the weekly workflow keeps shows it as it is)."""
    by_state: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_state[result.state].append(result)
    lines = [f"Checked {len(results)} addresses ({ignored} known false positives skipped, "
             f"tools/linkcheck-ignore.txt): {len(by_state['live'])} live, {len(by_state['dead'])} dead, "
             f"{len(by_state['unreachable'])} unreachable.", ""]
    for state, title in (("dead", "Dead links (the server answered with an error)"),
                         ("unreachable", "Unreachable hosts (no answer: name not resolved, refused or timed out)")):
        if by_state[state]:
            lines += [f"## {title}", ""]
            for result in by_state[state]:
                where = "; ".join(sorted(places.get(result.url, ())))[:300]
                lines.append(f"- {result.url} — {result.detail}" + (f" (in {where})" if where else ""))
            lines.append("")
    if results and len(by_state["unreachable"]) == len(results):
        lines.append("Every host was unreachable: this machine is probably offline; no link is known to be dead.")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="*", help="check these addresses instead of the book's")
    parser.add_argument("--report", type=Path, help="write the report (Markdown) to this file too")
    parser.add_argument("--ignore-file", type=Path, default=IGNORE_FILE)
    parser.add_argument("--no-built", action="store_true", help="leave out the links of _build/html")
    parser.add_argument("--timeout", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--strict", action="store_true", help="unreachable hosts fail it too")
    args = parser.parse_args(argv)
    places = {url: set() for url in args.urls} if args.urls else collect(ROOT, built=not args.no_built)
    patterns = ignored_patterns(args.ignore_file)
    urls = [url for url in places if not any(p.match(url) for p in patterns)]
    results = check_all(urls, workers=args.workers, timeout=args.timeout)
    text = report(results, places, ignored=len(places) - len(urls))
    print(text, end="")
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    dead = any(r.state == "dead" for r in results)
    unreachable = any(r.state == "unreachable" for r in results)
    return 1 if dead or (args.strict and unreachable) else 0


if __name__ == "__main__":
    sys.exit(main())
