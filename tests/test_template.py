"""The chapter template, copied as CONTRIBUTING.md says into a scratch copy of the book and added
to _toc.yml as an argument chapter (its translation listed as pending), passes every test of
`make check` (tests/test_incremental_builds.py also builds it strictly, as part of the whole book)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from build_support import COPY_NICENESS, ROOT, build_env, copy_book, niced

pytestmark = pytest.mark.slow  # executes the chapter, then runs the fast tests again: a minute or two

CHAPTER = "chapters/my-topic"


def test_template_passes_the_fast_tests_in_a_scratch_book(tmp_path):
    book = copy_book(tmp_path / "book")
    shutil.copytree(ROOT / "tests", book / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", book / "pyproject.toml")
    # the guide's steps: copy the template, add it to _toc.yml, list its translation as pending
    shutil.copy(book / "chapters" / "_template.md", book / f"{CHAPTER}.md")
    toc_path = book / "_toc.yml"
    contents = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    next(p for p in contents["parts"] if p["caption"] == "The argument")["chapters"].append({"file": CHAPTER})
    toc_path.write_text(yaml.safe_dump(contents, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with (book / "locales" / "ar" / "pending.txt").open("a", encoding="utf-8") as pending:
        pending.write(f"{CHAPTER}\n")

    env = {**build_env(book), "CSTOBOOK_BOOK_BUILD": "1", "MPLBACKEND": "Agg"}
    # run the chapter as the build does (in its folder), which writes its figures into figures/
    # (this test and its subprocesses run at the shared builds' lower priority: it starts first,
    # beside the project's build, which every test of the built book waits for; tests/conftest.py)
    executed = subprocess.run(niced([sys.executable, "-m", "jupytext", "--to", "ipynb", "--execute",
                                     "--output", str(tmp_path / "my-topic.ipynb"), f"{CHAPTER}.md"], COPY_NICENESS),
                              cwd=book, env=env, capture_output=True, text=True, timeout=600)
    assert executed.returncode == 0, executed.stdout[-3000:] + executed.stderr[-3000:]
    written = sorted(p.name for p in (book / "figures").glob("template_contingents*"))
    assert "template_contingents.phone.png" in written, written

    # a repository of its own, as a contributor's clone (some tests ask git what it ignores)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org",
                                                     "commit", "-q", "-m", "scratch"]):
        subprocess.run(["git", *command], cwd=book, check=True, capture_output=True)
    # in one process: beside `make test`'s other work, a second worker adds only its own start and
    # collection (measured: 52 s of CPU on two workers, 36 s on one)
    tests = subprocess.run(niced([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                  "-m", "not full_build and not slow"], COPY_NICENESS),
                           cwd=book, env={k: v for k, v in env.items() if k != "CSTOBOOK_BOOK_BUILD"},
                           capture_output=True, text=True, timeout=1200)
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-3000:]
