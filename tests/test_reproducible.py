"""Reproducible outputs, and a build that survives an interruption.

A second clean build, of a copy of the project whose figures/ starts empty, is interrupted (as by
a crash) as it starts its second notebook, then run again. It must finish correctly, reuse
the notebooks finished before the interruption, and write the same figures, byte for byte, and
the same tables as the session's ordinary clean build; and what it writes to figures/ must be what
git has committed there, so that a stale committed figure fails the tests."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from build_support import notebook_pages, shared_builds
from conftest import ROOT, toc_files
from test_book import ERROR_MARKERS


@pytest.fixture(scope="module")
def resumed(built_book, tmp_path_factory):
    """(copy, interrupted run, resumed run, its html folder)."""
    folder = tmp_path_factory.getbasetemp() / "integrity"
    folder.mkdir(exist_ok=True)
    source, interrupted, again = shared_builds(folder)["resumed"].result()
    return source, interrupted, again, folder / "resumed-out" / "_build" / "html"


def test_interrupted_build_runs_again_to_a_correct_book(resumed):
    source, interrupted, again, html = resumed
    notebooks = set(notebook_pages(source))
    done_before = interrupted.executed(source)
    assert interrupted.returncode != 0, "the build was not interrupted (it finished first)"
    assert done_before and done_before < notebooks, sorted(done_before)
    assert again.returncode == 0, again.log[-6000:]
    for page in toc_files(source):
        path = html / f"{page}.html"
        assert path.is_file(), f"{page} missing after the interrupted build was run again"
        text = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text()
        assert not [marker for marker in ERROR_MARKERS if marker in text], page
    # The execution cache kept each notebook finished before the interruption, and nothing else.
    assert again.executed(source) == notebooks - done_before


def test_execution_cache_is_whole_after_the_interruption(resumed):
    """Every notebook has one valid cache record, and a further build executes nothing."""
    from jupyter_cache import get_cache

    source, _, _, html = resumed
    cache = get_cache(html.parent / ".jupyter_cache")
    records = cache.list_cache_records()
    assert len(records) == len(notebook_pages(source))
    for record in records:
        cache.get_cache_bundle(record.pk)  # raises if the stored notebook is missing or broken


def written_figures(source) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((source / "figures").iterdir()) if path.is_file()}


def test_two_clean_builds_write_byte_identical_figures(resumed):
    source = resumed[0]
    figures = written_figures(source)
    assert figures, "the build wrote no figures"
    different = [name for name, data in figures.items()
                 if not (ROOT / "figures" / name).is_file() or (ROOT / "figures" / name).read_bytes() != data]
    assert not different, f"figures differ between two clean builds: {different}"


@pytest.mark.parametrize("page", toc_files())
def test_two_clean_builds_show_identical_tables_and_images(resumed, built_book, page):
    def parts(html_file):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        return ([str(table) for table in soup.find_all("table")],
                [img.get("src") for img in soup.find_all("img")])

    tables, images = parts(resumed[3] / f"{page}.html")
    first_tables, first_images = parts(built_book / f"{page}.html")
    assert tables == first_tables, f"{page}: the tables differ between two clean builds"
    assert images == first_images, f"{page}: the images (named by their content) differ between two clean builds"


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("git") is None or git("rev-parse", "HEAD").returncode != 0,
                    reason="not a git checkout")
def test_committed_figures_are_what_the_build_writes(resumed):
    """Compare git's committed bytes (HEAD) with the figures a clean build writes: a figure the
    build writes differently, or does not write at all, is stale. Commit figures/ with the
    chapters that write them."""
    written = written_figures(resumed[0])
    listed = git("ls-tree", "--name-only", "HEAD", "figures/").stdout.decode().split()
    committed = {name.split("/", 1)[1] for name in listed}
    problems = [f"figures/{name} is written by the build but not committed" for name in sorted(set(written) - committed)]
    problems += [f"figures/{name} is committed but no chapter writes it" for name in sorted(committed - set(written))]
    for name in sorted(set(written) & committed):
        if git("cat-file", "blob", f"HEAD:figures/{name}").stdout != written[name]:
            problems.append(f"figures/{name}: the committed file differs from what the build writes")
    assert not problems, "\n".join(problems)
