"""Shared fixtures: one clean build of the book per test session, in a temporary folder."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def toc_files(root: Path = ROOT) -> list[str]:
    """Every document of _toc.yml, root first, as paths without suffix."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return files


def build_env(source: Path) -> dict[str, str]:
    """Environment of a build of `source`: Sphinx and the kernels import the cstobook beside it, so
    that a copy of the book reads its own data/ and writes its own figures/, not the project's."""
    pythonpath = os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": pythonpath, "PYTHONUNBUFFERED": "1"}


def build_book(source: Path, output: Path, seed_cache: Path | None = None) -> subprocess.CompletedProcess:
    """A clean build (fresh output folder, so no cache hides a failure) with warnings as errors.
    `seed_cache`: a .jupyter_cache to start from, so that only notebooks whose code or inputs
    differ from that build execute (every page is still read and written afresh)."""
    shutil.rmtree(output, ignore_errors=True)
    if seed_cache is not None:
        shutil.copytree(seed_cache, output / "_build" / ".jupyter_cache")
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(source), "--path-output", str(output), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=1800, env=build_env(source))


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("book")
    result = build_book(ROOT, output)
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"the book build failed (exit {result.returncode}):\n{log[-6000:]}")
    html = output / "_build" / "html"
    html.joinpath("build.log").write_text(log)
    return html


# --- The built book in a real browser (Debian's chromium, driven by Playwright) -----------------

@pytest.fixture(scope="session")
def book_server(built_book):
    """The built book served on 127.0.0.1 (text gzip-compressed, as on GitHub Pages)."""
    from browser_support import BookServer

    with BookServer(built_book) as server:
        yield server


@pytest.fixture(scope="session")
def book_browser(book_server):
    """One chromium for the whole session; each page is visited once per mode (desktop, phone,
    dark) and screenshotted into screenshots/. Never skipped: without chromium the tests fail and
    say how to install it."""
    from playwright.sync_api import sync_playwright

    from browser_support import BookBrowser, launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield BookBrowser(browser, book_server, ROOT / "screenshots")
        browser.close()
