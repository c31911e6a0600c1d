"""Reproducible outputs, and a build that survives an interruption.

The session's clean build, of a copy of the project whose figures/ starts empty, is interrupted (as
by a crash) as it starts its second notebook, then run again (build_support._project_build). It must
finish correctly and reuse the notebooks finished before the interruption, and what it writes to
figures/ must be, byte for byte, what git has committed there, which an earlier build wrote (on
another machine, uninterrupted, as `make book` writes figures/): so that a stale committed figure,
a build whose figures depend on the machine, and a resumed build that differs from an
uninterrupted one all fail the tests. Every other test of the built book reads this resumed build:
a page, table or image that an interruption had broken fails there too."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from build_support import ROOT, BuildResult, notebook_pages
from cstobook import toc
from test_book import ERROR_MARKERS


@pytest.fixture(scope="module")
def resumed(resumed_build):
    """(copy, interrupted run, resumed run, its html folder)."""
    return (Path(resumed_build["source"]), BuildResult(**resumed_build["interrupted"]),
            BuildResult(**resumed_build["build"]), Path(resumed_build["html"]))


def test_interrupted_build_runs_again_to_a_correct_book(resumed):
    source, interrupted, again, html = resumed
    notebooks = set(notebook_pages(source))
    done_before = interrupted.executed(source)
    assert interrupted.returncode != 0, "the build was not interrupted (it finished first)"
    assert done_before and done_before < notebooks, sorted(done_before)
    assert again.returncode == 0, again.log[-6000:]
    for page in toc.documents(source):
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


def test_the_resumed_build_writes_the_figures_an_earlier_clean_build_wrote(resumed):
    source = resumed[0]
    figures = written_figures(source)
    assert figures, "the build wrote no figures"
    different = [name for name, data in figures.items()
                 if not (ROOT / "figures" / name).is_file() or (ROOT / "figures" / name).read_bytes() != data]
    assert not different, f"figures differ from those an earlier clean build wrote (figures/): {different}"


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, timeout=60)


@pytest.mark.skipif(shutil.which("git") is None or git("rev-parse", "HEAD").returncode != 0,
                    reason="not a git checkout")
def test_figures_folder_holds_what_the_build_writes(resumed):
    """figures/ must hold exactly the figures a clean build writes, byte for byte, each known to
    git. The rule compares with the working tree, not with the last commit, so that a contributor
    can run the tests before committing; CI tests a fresh clone, where the working tree is the
    commit, so nothing stale or missing can be merged. A figure git does not know would be left
    out of the commit: it fails here already."""
    written = written_figures(resumed[0])
    present = written_figures(ROOT)
    tracked = {Path(name).name for name in git("ls-files", "figures/").stdout.decode().split()}
    problems = [f"figures/{name} is written by the build but missing from figures/: run `make book` and "
                f"commit figures/ with the chapter" for name in sorted(set(written) - set(present))]
    problems += [f"figures/{name} differs from what the build writes: run `make book` and commit the new "
                 f"figures/{name}" for name in sorted(set(written) & set(present)) if written[name] != present[name]]
    problems += [f"figures/{name} is in figures/ but no chapter writes it: `git rm figures/{name}`"
                 for name in sorted(set(present) - set(written))]
    problems += [f"figures/{name} is not known to git: `git add figures/{name}` and commit it with the chapter"
                 for name in sorted(set(written) - tracked)]
    assert not problems, "\n".join(problems)
