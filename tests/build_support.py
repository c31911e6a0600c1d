"""Builds of the book for the tests and the benchmarks: the build command, copies of the project,
incremental, seeded and interrupted builds, which notebooks a build executed, the full builds that
every test (and every pytest-xdist worker) of a session shares, and a copy of the data with
hostile text in it."""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
if str(ROOT / "_ext") not in sys.path:  # the book's Sphinx extensions, for tests of their parts
    sys.path.insert(0, str(ROOT / "_ext"))

from cstobook import notebook, toc  # noqa: E402

COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "tests", "bench", ".pytest_cache",
                                     "screenshots", "__pycache__", "*.egg-info")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXECUTED = re.compile(r"^(?P<path>\S+?)\.(?:md|ipynb): Executed notebook in (?P<seconds>[\d.]+) seconds", re.M)
_FAILED = re.compile(r"^(?P<path>\S+?)\.(?:md|ipynb): WARNING: Executing notebook failed", re.M)


def build_env(source: Path) -> dict[str, str]:
    """Environment of a build of `source`: Sphinx and the kernels import the cstobook beside it, so
    that a copy of the book reads its own data/ and writes its own figures/, not the project's."""
    pythonpath = os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": pythonpath, "PYTHONUNBUFFERED": "1"}


def copy_book(destination: Path, empty_figures: bool = False) -> Path:
    """A copy of the project that builds on its own (its data/, cstobook/ and figures/)."""
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE, symlinks=True)  # references.bib stays a link
    if empty_figures:  # then figures/ holds exactly what the build writes
        shutil.rmtree(destination / "figures")
        (destination / "figures").mkdir()
    return destination


def build_command(source: Path, output: Path, strict: bool = True) -> list[str]:
    """Jupyter Book's build; strict: warnings are errors (all listed, then exit 1), as `make book`."""
    return [str(JUPYTER_BOOK), "build", str(source), "--path-output", str(output), "--keep-going",
            *(["-W", "-n"] if strict else [])]


@dataclass
class BuildResult:
    returncode: int
    log: str
    seconds: float = 0.0

    def executed(self, source: Path) -> set[str]:
        """Documents (paths without suffix, relative to `source`) whose notebook this build
        executed, as myst-nb reports it (a cache hit reads 'Using cached notebook')."""
        return {Path(m["path"]).relative_to(source).as_posix() for m in _EXECUTED.finditer(self.log)}

    def execution_seconds(self, source: Path) -> dict[str, float]:
        return {Path(m["path"]).relative_to(source).as_posix(): float(m["seconds"]) for m in _EXECUTED.finditer(self.log)}

    def failed(self, source: Path) -> set[str]:
        return {Path(m["path"]).relative_to(source).as_posix() for m in _FAILED.finditer(self.log)}


def niced(command: list[str], niceness: int) -> list[str]:
    """The command run at a lower priority (`nice`), when niceness > 0."""
    return ["nice", "-n", str(niceness), *command] if niceness else command


def build(source: Path, output: Path, timeout: float = 1800, strict: bool = True, clean: bool = False,
          seed_cache: Path | None = None, niceness: int = 0, env: dict[str, str] | None = None) -> BuildResult:
    """A build of `source` into `output`, warnings as errors unless not `strict`. By default an
    incremental build, keeping what is there (and the execution cache of the earlier ones).
    clean: a fresh output folder, so that no cache hides a failure. seed_cache: a .jupyter_cache
    to start a clean build from, so that only notebooks whose code or inputs differ from that
    build execute (every page is still read and written afresh). env: variables added to the
    build's environment."""
    if clean or seed_cache is not None:
        shutil.rmtree(output, ignore_errors=True)
    if seed_cache is not None:
        shutil.copytree(seed_cache, output / "_build" / ".jupyter_cache")
    start = time.perf_counter()
    result = subprocess.run(niced(build_command(source, output, strict), niceness), capture_output=True,
                            text=True, timeout=timeout, env=build_env(source) | (env or {}))
    return BuildResult(result.returncode, _ANSI.sub("", result.stdout + result.stderr), time.perf_counter() - start)


def build_translation(source: Path, output: Path, language: str = "ar", timeout: float = 1800) -> BuildResult:
    """The edition in `language` of a book already built into `output` (tools/build_edition.py,
    strict), published into <output>/_build/html/<language>/ as `make book` does."""
    command = [sys.executable, str(source / "tools" / "build_edition.py"), language,
               "--source", str(source), "--path-output", str(output)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=build_env(source))
    return BuildResult(result.returncode, _ANSI.sub("", result.stdout + result.stderr), time.perf_counter() - start)


def interrupted_then_resumed(source: Path, output: Path, after_executed: int = 1, timeout: float = 1800,
                             niceness: int = 0) -> tuple[BuildResult, BuildResult]:
    """A clean build killed (SIGKILL to its process group: the harshest interruption, a crash or a
    power cut, with no chance to clean up) as soon as it starts executing the notebook after its
    first `after_executed` ones, then the same build command run again to the end. (A SIGINT a
    second later proved racy: a short notebook could finish first.)"""
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    log_path = output.parent / f"{output.name}-interrupted.log"
    start = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(niced(build_command(source, output), niceness), stdout=log,
                                   stderr=subprocess.STDOUT, env=build_env(source), start_new_session=True)
        try:
            while process.poll() is None and time.perf_counter() - start < timeout:
                text = log_path.read_text(errors="replace")
                if len(_EXECUTED.findall(_ANSI.sub("", text))) >= after_executed and \
                        text.count("Executing notebook using") > after_executed:
                    os.killpg(process.pid, signal.SIGKILL)
                    break
                time.sleep(0.2)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    first = BuildResult(process.returncode, _ANSI.sub("", log_path.read_text(errors="replace")),
                        time.perf_counter() - start)
    return first, build(source, output, timeout, niceness=niceness)


@functools.lru_cache(maxsize=None)
def built_page(html: Path, page: str):
    """The built page `page` (a document of _toc.yml, in an edition's folder if any) of the html
    folder `html`, parsed once per test process: tests read it and never change it (many tests
    look through every page)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup((html / f"{page}.html").read_text(encoding="utf-8"), "html.parser")


def notebook_pages(root: Path = ROOT) -> list[str]:
    """Documents of _toc.yml that are notebooks with code."""
    pages = []
    for page in toc.documents(root):
        path = toc.source_file(page, root)
        if path is not None and (path.suffix == ".ipynb" or "{code-cell}" in path.read_text(encoding="utf-8")):
            pages.append(page)
    return pages


# --- Full builds shared by the whole test session -----------------------------------------------
# Two full builds execute every notebook: the project's (strict, clean: the `built_book` that most
# tests read), and a copy with hostile text in its data. The project's build is of a copy whose
# figures/ starts empty, killed as it starts its second notebook and run again to the end, as after
# a crash: a resumed build must be the clean build, so the whole suite reads the book it made, and
# the figures it wrote must be those committed (tests/test_reproducible.py). Each build is claimed
# by the first pytest process that collects a test needing it (with pytest-xdist, the first worker),
# run there in the background from the start of the session, and its result written to a folder
# all workers share; every test that needs it waits for that result. The hostile copy runs at a
# lower priority, so that the project's build, which most tests wait for, comes first and the copy
# fills the time those tests take.

COPY_NICENESS = 5  # also of the slow tests that start beside the project's build (tests/conftest.py)


def _project_build(folder: Path) -> dict:
    """Both editions, as `make book` builds them, of a copy of the project whose figures/ starts
    empty: the English build interrupted after its first notebook and run again, then the Arabic
    from its cache. The build log holds both runs of the English build and the Arabic's."""
    source = copy_book(folder / "book", empty_figures=True)
    interrupted, result = interrupted_then_resumed(source, folder / "out")
    log = result.log
    if result.returncode == 0:
        translation = build_translation(source, folder / "out")
        result = BuildResult(translation.returncode, result.log + "\n" + translation.log,
                             result.seconds + translation.seconds)
        log = result.log
    html = folder / "out" / "_build" / "html"
    if html.is_dir():
        html.joinpath("build.log").write_text(interrupted.log + "\n" + log)
    return {"source": str(source), "interrupted": asdict(interrupted), "build": asdict(result), "html": str(html)}


def _hostile_build(folder: Path) -> dict:
    """A copy whose data holds <script>, <img onerror> and JavaScript template payloads. Not
    strict: long hostile labels make matplotlib warn that a tight layout failed. A cell that
    fails still fails the build (_ext/build_integrity.py). The charts are drawn (the pages show
    the notebooks' renderings) but their files are not written: the pages' text is what is tested,
    and the copy's figures/ keeps the committed ones."""
    source = copy_book(folder / "book")
    add_hostile_text(source / "data")
    result = build(source, folder / "out", strict=False, niceness=COPY_NICENESS,
                   env={notebook.FIGURE_FILES_VARIABLE: "0"})
    return {"source": str(source), "build": asdict(result), "html": str(folder / "out" / "_build" / "html")}


SHARED_BUILDS = {"book": _project_build, "hostile": _hostile_build}


def _claimer_alive(folder: Path) -> bool:
    """Whether the process that claimed a shared build still runs (yes while it is claiming)."""
    try:
        pid = int((folder / "claimed-by").read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, PermissionError):
        return True
    except ProcessLookupError:
        return False
    return True


class SharedBuilds:
    """The shared builds of one session, in `root` (a folder every worker sees)."""

    def __init__(self, root: Path):
        self.root = root
        self._threads: list[threading.Thread] = []

    def _folder(self, name: str) -> Path:
        return self.root / f"shared-{name}"

    def start(self, name: str) -> None:
        """Run the build `name` in the background, unless another process has claimed it."""
        folder = self._folder(name)
        try:
            folder.mkdir(parents=True)  # atomic: exactly one process creates it
        except FileExistsError:
            return
        (folder / "claimed-by").write_text(str(os.getpid()))

        def run():
            try:
                outcome = SHARED_BUILDS[name](folder)
            except BaseException as error:  # noqa: BLE001 - reported to every test that waits
                outcome = {"error": f"{type(error).__name__}: {error}"}
            partial = folder / "result.json.partial"
            partial.write_text(json.dumps(outcome))
            partial.rename(folder / "result.json")  # atomic: a waiter reads it whole or not at all

        thread = threading.Thread(target=run, name=f"shared build {name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def result(self, name: str, timeout: float = 3600) -> dict:
        """The outcome of the build `name` (started here if nobody has), once it is done."""
        self.start(name)
        folder = self._folder(name)
        deadline = time.monotonic() + timeout
        while not (folder / "result.json").is_file():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the shared build {name!r} did not finish in {timeout:.0f} s ({folder})")
            if not _claimer_alive(folder) and not (folder / "result.json").is_file():
                raise RuntimeError(f"the process that ran the shared build {name!r} has ended without a result")
            time.sleep(0.5)
        outcome = json.loads((folder / "result.json").read_text())
        if "error" in outcome:
            raise RuntimeError(f"the shared build {name!r} could not run: {outcome['error']}")
        return outcome

    def wait(self) -> None:
        """Wait for the builds started here: other workers may be waiting for them."""
        for thread in self._threads:
            thread.join()


# --- Hostile text -------------------------------------------------------------------------------

MARKER = "cstobookXSS"
PAYLOADS = (
    f"<script>window.{MARKER}=1</script>",
    f'<img src=x onerror="window.{MARKER}=2">',
    f"${{window.{MARKER}=3}}",     # runs inside a JavaScript template literal (folium's popups, tooltips)
    f"`+(window.{MARKER}=4)+`",   # breaks out of one
)
PAYLOAD = " " + " ".join(PAYLOADS)
_KEY_LIKE = re.compile(r"(^|_)(id|iso3|date|source_id)$")


def free_text_fields(resource: dict, rows: list[dict] | None = None) -> list[str]:
    """String fields that hold free text: not keys, not constrained to a list or a pattern, and
    (given the rows) not codes, i.e. some value holds a space."""
    schema = resource.get("schema", {})
    keys = set(schema.get("primaryKey", []))
    for foreign in schema.get("foreignKeys", []):
        keys.update([foreign["fields"]] if isinstance(foreign["fields"], str) else foreign["fields"])
    return [f["name"] for f in schema.get("fields", [])
            if f.get("type", "string") == "string" and f["name"] not in keys and not _KEY_LIKE.search(f["name"])
            and not {"enum", "pattern"} & set(f.get("constraints", {}))
            and (rows is None or any(re.search(r"\s", row.get(f["name"]) or "") for row in rows))]


def add_hostile_text(data: Path) -> dict[str, list[str]]:
    """Append the payloads to every free-text cell of every table, to the names and notes of the
    map's features, and to the titles and descriptions of the data package. Returns the fields
    changed per table."""
    import csv
    import io

    package_path = data / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    changed = {}
    for resource in package["resources"]:
        path = data / resource["path"]
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                rows, header = list(reader), list(reader.fieldnames or [])
            fields = free_text_fields(resource, rows)
            for row in rows:
                for name in fields:
                    if row.get(name):
                        row[name] += PAYLOAD
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            path.write_text(out.getvalue(), encoding="utf-8")
            changed[resource["name"]] = fields
        elif path.suffix == ".geojson":
            geo = json.loads(path.read_text(encoding="utf-8"))
            for feature in geo["features"]:
                for name in ("name", "status_note"):
                    if feature["properties"].get(name):
                        feature["properties"][name] += PAYLOAD
            path.write_text(json.dumps(geo), encoding="utf-8")
            changed[resource["name"]] = ["name", "status_note"]
        for key in ("title", "description"):
            if resource.get(key):
                resource[key] += PAYLOAD
        for item in resource.get("schema", {}).get("fields", []):
            if item.get("description"):
                item["description"] += PAYLOAD
    package_path.write_text(json.dumps(package, indent=2, ensure_ascii=False), encoding="utf-8")
    return changed


# --- The hostile pages in a browser (run as `python build_support.py browser-check HTML PAGE...`) ---

OPEN_POPUPS_AND_TOOLTIPS = """() => {
  let opened = 0;
  for (const key of Object.keys(window)) {
    const map = window[key];
    if (!key.startsWith('map_') || !map || typeof map.eachLayer !== 'function') continue;
    map.eachLayer(layer => {
      if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened++; }
      if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened++; }
    });
  }
  return opened;
}"""


def browser_check(html: Path, pages: list[str]) -> dict:
    """Load each page from file:// in chromium, open every map popup and tooltip, and report
    script errors, dialogs and any side effect of the payloads (window.cstobookXSS)."""
    from playwright.sync_api import sync_playwright

    from browser_support import launch_chromium

    problems, texts, opened = [], [], 0
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name in pages:
                page = browser.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                page.on("dialog", lambda dialog, errors=errors: (errors.append(f"dialog: {dialog.message}"),
                                                                 dialog.dismiss()))
                page.goto((html / f"{name}.html").as_uri(), wait_until="load")
                page.wait_for_timeout(300)
                for frame in page.frames[1:]:
                    frame.wait_for_load_state("load")
                    opened += frame.evaluate(OPEN_POPUPS_AND_TOOLTIPS)
                page.wait_for_timeout(300)
                for frame in page.frames:
                    effect = frame.evaluate(f"() => window.{MARKER} === undefined ? null : window.{MARKER}")
                    if effect is not None:
                        problems.append(f"{name}: a payload ran (window.{MARKER}={effect}) in {frame.url[:40]}")
                for frame in page.frames[1:]:
                    texts.append(frame.evaluate(
                        "() => Array.from(document.querySelectorAll('.leaflet-popup-content, .leaflet-tooltip'))"
                        ".map(e => e.textContent).join(' ')"))
                problems += [f"{name}: script error: {error}" for error in errors]
                page.close()
        finally:
            browser.close()
    return {"problems": problems, "opened": opened, "popup_text": " ".join(texts)}


if __name__ == "__main__" and sys.argv[1:2] == ["browser-check"]:
    print(json.dumps(browser_check(Path(sys.argv[2]), sys.argv[3:])))
