"""Shared fixtures: one clean build of the book per test session, in a temporary folder."""
from __future__ import annotations

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


def build_book(source: Path, output: Path) -> subprocess.CompletedProcess:
    """A clean build (fresh output folder, so no cache hides a failure) with warnings as errors."""
    shutil.rmtree(output, ignore_errors=True)
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(source), "--path-output", str(output), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=1800)


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
