"""Builds of copies of the book for the integrity tests: copying, incremental and background
builds, which notebooks a build executed, and a copy of the data with hostile text in it."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from conftest import JUPYTER_BOOK, ROOT, build_env, toc_files

if str(ROOT / "_ext") not in sys.path:  # the book's Sphinx extensions, for tests of their parts
    sys.path.insert(0, str(ROOT / "_ext"))

COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "tests", "bench", ".pytest_cache",
                                     "screenshots", "__pycache__", "*.egg-info")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_EXECUTED = re.compile(r"^(?P<path>\S+?)\.(?:md|ipynb): Executed notebook in", re.M)
_FAILED = re.compile(r"^(?P<path>\S+?)\.(?:md|ipynb): WARNING: Executing notebook failed", re.M)


def copy_book(destination: Path, empty_figures: bool = False) -> Path:
    """A copy of the project that builds on its own (its data/, cstobook/ and figures/)."""
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE)
    if empty_figures:  # then figures/ holds exactly what the build writes
        shutil.rmtree(destination / "figures")
        (destination / "figures").mkdir()
    return destination


def build_command(source: Path, output: Path, strict: bool = True) -> list[str]:
    """Jupyter Book's build; strict: warnings are errors (all listed, then exit 1)."""
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

    def failed(self, source: Path) -> set[str]:
        return {Path(m["path"]).relative_to(source).as_posix() for m in _FAILED.finditer(self.log)}


def build(source: Path, output: Path, timeout: float = 1800, strict: bool = True) -> BuildResult:
    """A build of `source` into `output` that keeps what is there (an incremental build, with
    the execution cache of the earlier ones), warnings as errors unless not `strict`."""
    start = time.perf_counter()
    result = subprocess.run(build_command(source, output, strict), capture_output=True, text=True,
                            timeout=timeout, env=build_env(source))
    return BuildResult(result.returncode, _ANSI.sub("", result.stdout + result.stderr), time.perf_counter() - start)


def interrupted_then_resumed(source: Path, output: Path, after_executed: int = 1,
                             timeout: float = 1800) -> tuple[BuildResult, BuildResult]:
    """A clean build killed (SIGKILL to its process group: the harshest interruption, a crash or a
    power cut, with no chance to clean up) as soon as it starts executing the notebook after its
    first `after_executed` ones, then the same build command run again to the end. (A SIGINT a
    second later proved racy: a short notebook could finish first.)"""
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    log_path = output.parent / f"{output.name}-interrupted.log"
    start = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(build_command(source, output), stdout=log, stderr=subprocess.STDOUT,
                                   env=build_env(source), start_new_session=True)
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
    return first, build(source, output, timeout)


@dataclass
class Background:
    """A function run in a thread (a build waits on its subprocess, so two builds use two cores)."""
    function: callable
    args: tuple = ()
    _result: object = None
    _error: BaseException | None = None
    _thread: threading.Thread = field(init=False)

    def __post_init__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            self._result = self.function(*self.args)
        except BaseException as error:  # noqa: BLE001 - handed to the test that waits
            self._error = error

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


_SHARED: dict[str, Background] = {}


def shared_builds(folder: Path) -> dict[str, Background]:
    """The two full builds of copies that the integrity tests share, started together (once per
    test session) so that they run side by side:
    - 'resumed': a copy whose figures/ starts empty, built clean but interrupted after its first
      notebook and run again (its figures and tables must match an ordinary clean build);
    - 'hostile': a copy whose data holds <script>, <img onerror> and JavaScript template payloads."""
    if not _SHARED:
        resumed = copy_book(folder / "resumed", empty_figures=True)
        hostile = copy_book(folder / "hostile")
        add_hostile_text(hostile / "data")
        _SHARED["resumed"] = Background(lambda: (resumed, *interrupted_then_resumed(resumed, folder / "resumed-out")))
        # Not strict: long hostile labels make matplotlib warn that a tight layout failed. A cell
        # that fails still fails the build (_ext/build_integrity.py).
        _SHARED["hostile"] = Background(lambda: (hostile, build(hostile, folder / "hostile-out", strict=False)))
    return _SHARED


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


def notebook_pages(root: Path = ROOT) -> list[str]:
    """Documents of _toc.yml that are notebooks with code."""
    pages = []
    for page in toc_files(root):
        path = next((root / f"{page}{suffix}" for suffix in (".md", ".ipynb") if (root / f"{page}{suffix}").is_file()), None)
        if path is not None and ("{code-cell}" in path.read_text(encoding="utf-8") or path.suffix == ".ipynb"):
            pages.append(page)
    return pages


# --- The hostile pages in a browser (run as `python build_support.py browser-check HTML PAGE...`) ---

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
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

    problems, texts, opened = [], [], 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
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
