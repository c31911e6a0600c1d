"""Lighthouse on every page of both editions, served locally with gzip, against a stock page shell.

    .venv/bin/python bench/lighthouse.py [--html _build/html] [--runs 3] [--pages index,ar/index]
                                                                        (or: make bench-lighthouse)

For every page of _toc.yml in the English edition and in the Arabic one (`ar/`), Lighthouse
(bench/lighthouse/package.json: pinned, with its lock file, to a version that runs on Node 20) on
Debian's chromium (CHROME_PATH, /usr/bin/chromium unless set), with its default mobile preset:
simulated slow 4G (150 ms round trip, 1.6 Mbps) and a CPU four times slower. The built book is
served on 127.0.0.1 as GitHub Pages serves it, text gzip-compressed (tests/browser_support.py's
server). Each page is measured --runs times (3 by default) and each figure is the median of its
runs: performance score, first contentful paint, largest contentful paint, total blocking time,
cumulative layout shift, the bytes and requests on the critical path (Lighthouse's critical
request chains: what the browser must fetch before it can paint, the page included), what the
page transfers in all, and the accessibility, best-practices and SEO scores.

The baseline is a stock Jupyter Book 1 page shell: a one-page book built with this environment's
jupyter-book and its default configuration, a page of plain text, served the same way.

Lighthouse simulates the slow connection from one observed load (Lantern): a busy machine moves
the figures, so measure on an idle one and read medians. Environment variables cut a run short
for a quick look: CSTOBOOK_LIGHTHOUSE_RUNS (runs per page), CSTOBOOK_LIGHTHOUSE_PAGES (pages,
comma-separated, as in _toc.yml, `ar/` before a page of the Arabic edition), CSTOBOOK_LIGHTHOUSE_STOCK=0
(no baseline), CSTOBOOK_LIGHTHOUSE_KEEP=FOLDER (keep each run's Lighthouse report there, as JSON, to
read what a figure is made of: long tasks, requests). It prints figures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import BookServer  # noqa: E402
from cstobook import toc  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run "
                # hermetic, as the browser tests: only the local server resolves
                "--host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def chain_requests(chains: dict) -> list[dict]:
    """Every request of Lighthouse's critical request chains (a tree), once."""
    found = []
    for node in chains.values():
        found.append(node["request"])
        found.extend(chain_requests(node.get("children", {})))
    return found


def run_once(url: str, out: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
                    f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    if report.get("runtimeError"):
        raise RuntimeError(f"{url}: {report['runtimeError']}")
    critical = chain_requests(audits["critical-request-chains"].get("details", {}).get("chains", {}))
    return {
        **{name: round(100 * report["categories"][name]["score"]) for name in CATEGORIES},
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "critical_kb": sum(r.get("transferSize", 0) for r in critical) / 1000,
        "critical_requests": len(critical),
        "total_kb": audits["total-byte-weight"]["numericValue"] / 1000,
    }


def blocking_in_head(page: Path) -> int:
    """Style sheets and scripts of the page's head that hold its first paint: every linked style
    sheet, and every script file loaded without defer, async or type=module."""
    head = page.read_text(encoding="utf-8").split("</head>")[0]
    sheets = re.findall(r"<link\b[^>]*\brel=\"stylesheet\"[^>]*>", head)
    scripts = [tag for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", head)
               if not re.search(r"\b(defer|async)\b|type=\"module\"", tag)]
    return len(sheets) + len(scripts)


def report_path(work: Path, url: str, run: int) -> Path:
    """Where a run's report is written: in CSTOBOOK_LIGHTHOUSE_KEEP, named after the page, if set."""
    keep = os.environ.get("CSTOBOOK_LIGHTHOUSE_KEEP")
    if not keep:
        return work / "report.json"
    Path(keep).mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", url.split("://", 1)[-1].split("/", 1)[-1] or "index")
    return Path(keep) / f"{name}.{run + 1}.json"


def measure(url: str, runs: int, work: Path, page: Path) -> dict:
    results = [run_once(url, report_path(work, url, run)) for run in range(runs)]
    return {**{key: statistics.median(r[key] for r in results) for key in results[0]},
            "blocking": blocking_in_head(page)}


def stock_shell(folder: Path) -> Path:
    """A stock Jupyter Book 1 page: a one-page book, default configuration, a page of text."""
    folder.mkdir(parents=True)
    (folder / "_config.yml").write_text("title: A stock page\nauthor: Bench\n"
                                        "execute:\n  execute_notebooks: 'off'\n", encoding="utf-8")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    paragraph = textwrap.fill("The Collective Security Treaty Organization binds its members to "
                              "assist one another against aggression. " * 6)
    (folder / "index.md").write_text("# A page of text\n\n" + "\n\n".join([paragraph] * 8) + "\n",
                                     encoding="utf-8")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jupyter_book), "build", str(folder), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    return folder / "_build" / "html"


HEADER = (f"{'page':34} {'perf':>4} {'FCP s':>6} {'LCP s':>6} {'TBT ms':>6} {'CLS':>6} "
          f"{'crit kB':>7} {'crit rq':>7} {'block':>5} {'all kB':>6} {'a11y':>4} {'bp':>4} {'seo':>4}")


def row(name: str, m: dict) -> str:
    return (f"{name:34} {m['performance']:4.0f} {m['fcp']:6.2f} {m['lcp']:6.2f} {m['tbt']:6.0f} "
            f"{m['cls']:6.3f} {m['critical_kb']:7.1f} {m['critical_requests']:7.0f} {m['blocking']:5.0f} "
            f"{m['total_kb']:6.0f} {m['accessibility']:4.0f} {m['best-practices']:4.0f} {m['seo']:4.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CSTOBOOK_LIGHTHOUSE_RUNS", 3)))
    parser.add_argument("--pages", default=os.environ.get("CSTOBOOK_LIGHTHOUSE_PAGES", ""))
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: `make bench-lighthouse` installs it (npm ci in bench/lighthouse)")
    if not (args.html / "index.html").is_file():
        sys.exit(f"{args.html} holds no built book: `make book` first")
    documents = toc.documents()
    pages = ([p.strip() for p in args.pages.split(",") if p.strip()] if args.pages
             else documents + [f"ar/{d}" for d in documents])
    print(f"Lighthouse {subprocess.run([str(LIGHTHOUSE), '--version'], capture_output=True, text=True).stdout.strip()}, "
          f"mobile preset, median of {args.runs} run(s) per page; the book served with gzip\n")
    print(HEADER)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with BookServer(args.html) as server:
            for page in pages:
                print(row(page, measure(server.url(page), args.runs, work, args.html / f"{page}.html")), flush=True)
        if os.environ.get("CSTOBOOK_LIGHTHOUSE_STOCK", "1") != "0":
            stock = stock_shell(work / "stock")
            with BookServer(stock) as server:
                print(row("stock Jupyter Book 1 page", measure(server.url("index"), args.runs, work,
                                                              stock / "index.html")))
    print("\nperf, a11y, bp, seo: Lighthouse scores; crit kB, crit rq: bytes (as transferred) and requests "
          "on the critical path; block: style sheets and scripts in the head that hold first paint; all kB: the page's whole transfer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
