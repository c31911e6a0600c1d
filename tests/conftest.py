"""Shared fixtures: the full builds every test of a session shares (build_support.SharedBuilds),
and the built book served and opened in chromium.

`make test` runs the suite on two pytest-xdist workers (`-n 2`). Each full build runs once per
session, in whichever worker needs it first; the tests of a file that share an expensive fixture
of their own (one chromium, one incrementally built copy) run on one worker (see
`pytest_xdist_make_scheduler`)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from build_support import ROOT, SharedBuilds  # noqa: F401 - ROOT is imported from here by the tests

# Fixture -> the shared build it waits for (started in this order: the project's first).
BUILD_OF_FIXTURE = {"built_book": "book", "resumed_build": "resumed", "hostile_build": "hostile"}
# Test files whose tests share an expensive fixture of their own, by the name of that fixture.
# (Measured: the browser and accessibility tests on one worker, sharing their page visits, ran the
# suite in 13 min; on separate workers, each visiting every page, in 17.7 min.)
FILES_SHARING_A_FIXTURE = {"tests/test_browser.py": "book_browser", "tests/test_accessibility.py": "book_browser",
                           "tests/test_incremental_builds.py": "warm_copy", "tests/test_pdf.py": "pdf_book"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Tests that need no full build run first, while the builds run; those that need one are
    marked `full_build` (`make check` leaves them out)."""
    items.sort(key=lambda item: any(name in item.fixturenames for name in BUILD_OF_FIXTURE))
    for item in items:
        if any(name in item.fixturenames for name in BUILD_OF_FIXTURE):
            item.add_marker(pytest.mark.full_build)


def pytest_xdist_make_scheduler(config, log):
    """With `-n`: each test is scheduled on its own, as `--dist load` does, except that the tests
    of FILES_SHARING_A_FIXTURE go to one worker per fixture, so that it is made once. (xdist's
    own `--dist loadgroup` does not group on pytest 9, whose node ids it cannot amend.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return FILES_SHARING_A_FIXTURE.get(nodeid.split("::", 1)[0], nodeid)

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
    """The html folder of a clean, strict build of the project (warnings are errors)."""
    outcome = shared_builds.result("book")
    result = outcome["build"]
    if result["returncode"] != 0:
        pytest.fail(f"the book build failed (exit {result['returncode']}):\n{result['log'][-6000:]}")
    return Path(outcome["html"])


@pytest.fixture(scope="session")
def resumed_build(shared_builds) -> dict:
    return shared_builds.result("resumed")


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
