"""Shared fixtures: the full builds every test of a session shares (build_support.SharedBuilds),
and the built book served and opened in chromium.

`make test` runs the suite on four pytest-xdist workers (`-n 4`) on two cores: a worker spends
most of its time waiting for a build, a notebook or chromium, each a process of its own, so four
keep two cores busy where two left them idle. Each full build runs once per session, in whichever
worker needs it first. The tests that share an expensive fixture of their own run on one worker:
those of one incrementally built copy, of the PDF, and, in the browser and accessibility tests,
those of one page (its three visits); see `pytest_xdist_make_scheduler`. The long chains of work
start first (see `pytest_collection_modifyitems`)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from build_support import ROOT, SharedBuilds  # noqa: F401 - ROOT is imported from here by the tests
from cstobook import toc

PAGES = toc.edition_documents()   # every page of every edition

# Fixture -> the shared build it waits for (started in this order: the project's first).
BUILD_OF_FIXTURE = {"built_book": "book", "built_source": "book", "resumed_build": "book", "hostile_build": "hostile"}
# Test files whose tests share an expensive fixture of their own, by the name of that fixture.
FILES_SHARING_A_FIXTURE = {"tests/test_incremental_builds.py": "warm_copy", "tests/test_pdf.py": "pdf_book"}
# Browser tests share a page's visits (one per mode, see browser_support.BookBrowser): the tests
# of one page run on one worker, and the pages spread over the workers, each with its chromium.
# (Measured: the browser and accessibility tests on one worker ran the suite in 13 min; on
# separate workers, each visiting every page, in 17.7 min.)
FILES_SHARING_PAGE_VISITS = ("tests/test_browser.py", "tests/test_accessibility.py")
# The long chains of work after the project's build, started as soon as it is done so that none
# is left running alone at the end: an incrementally built copy and its four rebuilds, the PDF, a
# build with a failing cell, the chapters run in each reader's environment. (The tests of the
# hostile copy come last among those of a full build, in file order: the copy builds at a lower
# priority, see build_support.COPY_NICENESS.)
CHAIN_HEADS = {"warm_copy", "pdf_book"}
CHAIN_TESTS = ("tests/test_book.py::test_failing_cell_fails_the_build_and_names_the_chapter",
               "tests/test_reuse.py::test_setup_cell_on_colab_keeps_its_packages_and_restarts_only_when_it_must",
               "tests/test_reuse.py::test_binder_image_runs_the_sampled_chapters_from_their_downloaded_notebooks",
               "tests/test_reuse.py::test_downloaded_notebooks_run_in_a_bare_jupyter_from_an_empty_folder")


def needs_full_build(item) -> bool:
    return any(name in item.fixturenames for name in BUILD_OF_FIXTURE)


def start_rank(item) -> int:
    """0: slow tests that need no full build (scratch books, fresh environments): started first,
    they keep the cores busy while the shared builds run and every other worker waits for them
    (measured: with the chains first, the four workers all waited and a core idled for a minute);
    1: heads of the long chains after the build; 2: other tests of a full build; 3: the rest
    (quick ones)."""
    if needs_full_build(item):
        return 1 if CHAIN_HEADS & set(item.fixturenames) or item.nodeid.startswith(CHAIN_TESTS) else 2
    return 0 if item.get_closest_marker("slow") else 3


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Tests are run in the order of start_rank (a stable sort); those that need a full build are
    marked `full_build` (`make check` leaves them out)."""
    items.sort(key=start_rank)
    for item in items:
        if needs_full_build(item):
            item.add_marker(pytest.mark.full_build)


def page_of(nodeid: str) -> str | None:
    """The page of _toc.yml a browser test is parametrized with ('...[chapters/x]' or
    '...[chapters/x-dark]'), if any."""
    parameters = nodeid.partition("[")[2].removesuffix("]")
    pages = [page for page in PAGES if parameters == page or parameters.startswith(f"{page}-")]
    return max(pages, key=len, default=None)


def pytest_xdist_make_scheduler(config, log):
    """With `-n`: each test is scheduled on its own, as `--dist load` does, except that the tests
    of FILES_SHARING_A_FIXTURE go to one worker per fixture, so that it is made once, and the
    browser tests of a page to one worker. Work is handed out in the order of the collection (no
    reordering by the size of a group). (xdist's own `--dist loadgroup` does not group on pytest
    9, whose node ids it cannot amend.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class FixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::", 1)[0]
            if file in FILES_SHARING_A_FIXTURE:
                return FILES_SHARING_A_FIXTURE[file]
            if file in FILES_SHARING_PAGE_VISITS:
                page = page_of(nodeid)
                return f"visits of {page}" if page else nodeid
            return nodeid

    return FixtureScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def shared_builds(request, tmp_path_factory):
    """Starts, at the first test, every full build a collected test needs."""
    base = tmp_path_factory.getbasetemp()
    builds = SharedBuilds(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)
    for fixture, name in BUILD_OF_FIXTURE.items():
        if any(fixture in item.fixturenames for item in request.session.items):
            builds.start(name)
    yield builds
    builds.wait()


@pytest.fixture(scope="session")
def built_book(shared_builds) -> Path:
    """The html folder of a clean, strict build of the project (warnings are errors), interrupted
    once and run again (build_support._project_build)."""
    outcome = shared_builds.result("book")
    result = outcome["build"]
    if result["returncode"] != 0:
        pytest.fail(f"the book build failed (exit {result['returncode']}):\n{result['log'][-6000:]}")
    return Path(outcome["html"])


@pytest.fixture(scope="session")
def built_source(built_book, shared_builds) -> Path:
    """The copy of the project that `built_book` was built from: its figures/ holds what the build
    wrote (the project's own figures/ is left as committed)."""
    return Path(shared_builds.result("book")["source"])


@pytest.fixture(scope="session")
def resumed_build(built_book, shared_builds) -> dict:
    """The project's build as two runs: the one interrupted, and the one run again to the end."""
    return shared_builds.result("book")


@pytest.fixture(scope="session")
def hostile_build(shared_builds) -> dict:
    return shared_builds.result("hostile")


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
