"""A first build fails only for reasons inside the book (_ext/build_integrity.py): matplotlib's font
cache is ready before any chapter executes, whether it is missing or names a font file that has
gone; a cell that prints to stderr fails the build with the text it printed; and a failed chapter
is executed again by the next build, never served from the execution cache.

These build a scratch book of one chapter with the book's build extension (seconds, no full build)."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from build_support import COPY_NICENESS, JUPYTER_BOOK, ROOT, _ANSI, niced

EXT = ROOT / "_ext"
pytestmark = pytest.mark.slow  # each test builds a scratch book or a font cache: tens of seconds

FRONT_MATTER = """\
    ---
    file_format: mystnb
    kernelspec:
      name: python3
      display_name: Python 3
    ---
"""

# A chapter whose kernel reports on stderr any rebuild of matplotlib's font cache it has to make
# (matplotlib logs it at INFO; on a busy machine it also prints a notice on stderr after 5 s, which
# is what failed first builds): with `stderr_output: error`, such a rebuild fails the build.
FONT_CHAPTER = FRONT_MATTER + """\
    # A chart

    ```{code-cell} ipython3
    import logging, sys
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO)
    font_log = logging.getLogger("matplotlib.font_manager")
    font_log.setLevel(logging.INFO)
    font_log.addHandler(handler)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    font_manager.findfont("DejaVu Sans", rebuild_if_missing=True)
    plt.figure().savefig("chart.png")
    ```
    """

# A chapter that prints to stderr while a flag file exists beside it (its code never changes, so
# only the build's own bookkeeping can make it execute again).
FLAKY_CHAPTER = FRONT_MATTER + """\
    # A flaky chapter

    ```{code-cell} ipython3
    import pathlib, sys
    if pathlib.Path("flaky.flag").exists():
        print("Something outside the book went wrong: transient notice", file=sys.stderr)
    print("done")
    ```
    """


def scratch_book(folder: Path, chapter: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(textwrap.dedent(f"""\
        title: Scratch
        only_build_toc_files: true
        execute:
          execute_notebooks: cache
          raise_on_error: false
          stderr_output: error
        sphinx:
          local_extensions:
            build_integrity: {EXT}
        """), encoding="utf-8")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: chapter\n", encoding="utf-8")
    (folder / "intro.md").write_text("# Scratch\n\nA scratch book.\n", encoding="utf-8")
    (folder / "chapter.md").write_text(textwrap.dedent(chapter), encoding="utf-8")
    return folder


def build(book: Path, mplconfig: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLCONFIGDIR": str(mplconfig), "PYTHONUNBUFFERED": "1"}
    # at the shared builds' lower priority: these tests start first, beside the project's build,
    # which every test of the built book waits for (tests/conftest.py, start_rank)
    result = subprocess.run(niced([str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going"], COPY_NICENESS),
                            capture_output=True, text=True, timeout=600, env=env)
    result.log = _ANSI.sub("", result.stdout + result.stderr)
    return result


def font_cache(mplconfig: Path) -> Path:
    caches = list(mplconfig.glob("fontlist-v*.json"))
    assert len(caches) == 1, caches
    return caches[0]


def warm(mplconfig: Path) -> str:
    """build_integrity.warm_font_cache in a fresh process with this cache folder."""
    code = "import build_integrity; print(build_integrity.warm_font_cache())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MPLCONFIGDIR": str(mplconfig), "PYTHONPATH": str(EXT)})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def kernel_rebuilds(mplconfig: Path) -> bool:
    """Whether a fresh process (as a chapter's kernel) rebuilds the font cache when it draws."""
    code = ("import logging; logging.basicConfig(level=logging.INFO)\n"
            "from matplotlib import font_manager\n"
            "font_manager.findfont('DejaVu Sans', rebuild_if_missing=True)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MPLCONFIGDIR": str(mplconfig)})
    assert result.returncode == 0, result.stderr
    return "generated new fontManager" in result.stderr or "Rebuilding cache" in result.stderr


def name_a_gone_font_file(mplconfig: Path, folder: Path) -> str:
    """Point the cache's DejaVu Sans at a font file that then disappears (a venv or font package
    removed or moved since the cache was written)."""
    cache = font_cache(mplconfig)
    fonts = json.loads(cache.read_text(encoding="utf-8"))
    gone = str(folder / "removed-since" / "DejaVuSans.ttf")
    entries = [font for font in fonts["ttflist"] if font["name"] == "DejaVu Sans" and font["style"] == "normal"
               and font["weight"] == 400]
    assert entries, "the cache lists DejaVu Sans"
    for font in entries:
        font["fname"] = gone
    cache.write_text(json.dumps(fonts), encoding="utf-8")
    return gone


def test_warming_builds_a_missing_font_cache_so_kernels_do_not(tmp_path):
    mplconfig = tmp_path / "mpl"
    mplconfig.mkdir()
    assert kernel_rebuilds(mplconfig)  # the trap: an empty cache is built by the first kernel
    empty = tmp_path / "mpl-empty"
    empty.mkdir()
    assert warm(empty) == "ready"
    font_cache(empty)
    assert not kernel_rebuilds(empty)


def test_warming_rebuilds_a_cache_that_names_a_font_file_that_is_gone(tmp_path):
    mplconfig = tmp_path / "mpl"
    mplconfig.mkdir()
    warm(mplconfig)
    gone = name_a_gone_font_file(mplconfig, tmp_path)
    assert kernel_rebuilds(mplconfig)  # the trap: the kernel finds the file gone and rebuilds
    name_a_gone_font_file(mplconfig, tmp_path)
    assert warm(mplconfig).startswith("rebuilt")
    assert gone not in font_cache(mplconfig).read_text(encoding="utf-8")
    assert not kernel_rebuilds(mplconfig)


def test_first_build_passes_with_an_empty_font_cache(tmp_path):
    mplconfig = tmp_path / "mpl"
    mplconfig.mkdir()
    result = build(scratch_book(tmp_path / "book", FONT_CHAPTER), mplconfig)
    assert result.returncode == 0, result.log[-4000:]
    assert "stderr was found" not in result.log


def test_first_build_passes_with_a_cache_naming_a_font_file_that_is_gone(tmp_path):
    mplconfig = tmp_path / "mpl"
    mplconfig.mkdir()
    warm(mplconfig)
    name_a_gone_font_file(mplconfig, tmp_path)
    result = build(scratch_book(tmp_path / "book", FONT_CHAPTER), mplconfig)
    assert result.returncode == 0, result.log[-4000:]
    assert "font cache rebuilt" in result.log


def test_stderr_fails_the_build_with_its_text_and_the_chapter_runs_again_next_build(tmp_path):
    book = scratch_book(tmp_path / "book", FLAKY_CHAPTER)
    mplconfig = tmp_path / "mpl"
    mplconfig.mkdir()
    (book / "flaky.flag").write_text("", encoding="utf-8")
    failed = build(book, mplconfig)
    assert failed.returncode != 0
    assert re.search(r"chapter.md:\d+: ERROR: stderr was found in the cell outputs of cell \d+:", failed.log)
    assert "transient notice" in failed.log.split("stderr was found", 1)[1]  # the text, in the error

    again = build(book, mplconfig)  # the cause persists: the chapter runs again and fails again
    assert "Executing notebook" in again.log and "Using cached notebook" not in again.log
    assert again.returncode != 0

    (book / "flaky.flag").unlink()  # the cause outside the book is gone
    fixed = build(book, mplconfig)
    assert "Executing notebook" in fixed.log and "Using cached notebook" not in fixed.log, fixed.log[-3000:]
    assert fixed.returncode == 0, fixed.log[-4000:]
    page = (book / "_build" / "html" / "chapter.html").read_text(encoding="utf-8")
    assert "stderr" not in page.split('class="cell_output', 1)[1] and "done" in page

    cached = build(book, mplconfig)  # a passing chapter is cached as before
    assert cached.returncode == 0 and "Executing notebook" not in cached.log


def test_a_raising_cell_is_executed_again_by_the_next_build(tmp_path):
    book = scratch_book(tmp_path / "book", FLAKY_CHAPTER.replace(
        'print("Something outside the book went wrong: transient notice", file=sys.stderr)',
        'raise RuntimeError("transient failure")'))
    mplconfig = tmp_path / "mpl"
    mplconfig.mkdir()
    (book / "flaky.flag").write_text("", encoding="utf-8")
    failed = build(book, mplconfig)
    assert failed.returncode != 0 and "transient failure" in failed.log
    (book / "flaky.flag").unlink()
    fixed = build(book, mplconfig)
    assert "Executing notebook" in fixed.log and "Using cached notebook" not in fixed.log
    assert fixed.returncode == 0, fixed.log[-4000:]
