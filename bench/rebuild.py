"""Rebuild benchmark of the book, on this machine, on a temporary copy of the project.

    .venv/bin/python bench/rebuild.py [--chapter chapters/armenia] [--profile] [--keep]

Builds the copy clean, then rebuilds it after: no change; a prose-only edit of one chapter; a code
edit of the same chapter; a change to one table. For each it reports the wall time and the
notebooks executed, as the execution cache records them (new records in _build/.jupyter_cache),
and checks the targets: a no-change or prose-only rebuild executes no notebook and takes under 15%
of the clean build; a code edit re-executes exactly that chapter; a table change re-executes
exactly the chapters that read it. --profile then runs the code of the slowest chapter under
cProfile and prints where its time goes. The real chapters are never edited.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from build_support import copy_book, free_text_fields, notebook_pages  # noqa: E402
from build_support import build as build_book  # noqa: E402


def cache_records(book: Path) -> dict[int, str]:
    """pk -> notebook path of every record of the execution cache (jupyter-cache's own report)."""
    from jupyter_cache import get_cache

    folder = book / "_build" / ".jupyter_cache"
    if not folder.exists():
        return {}
    return {record.pk: record.uri for record in get_cache(folder).list_cache_records()}


def build(book: Path) -> dict:
    """One `jupyter-book build`, strict as `make book` runs it: seconds, notebooks executed."""
    before = cache_records(book)
    result = build_book(book, book)
    if result.returncode != 0:
        sys.exit(f"build failed (exit {result.returncode}):\n{result.log[-4000:]}")
    new = {pk: uri for pk, uri in cache_records(book).items() if pk not in before}
    executed = sorted(Path(uri).relative_to(book).with_suffix("").as_posix() for uri in new.values())
    return {"seconds": result.seconds, "executed": executed, "times": result.execution_seconds(book), "log": result.log}


def add_code_cell(text: str) -> str:
    return text.rstrip("\n") + "\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\nbench_edit = 1\n```\n"


def tables_by_readers(book: Path) -> list[tuple[str, set[str]]]:
    import build_integrity

    notebooks = notebook_pages(book)
    readers: dict[str, set[str]] = {}
    for page in notebooks:
        code = "\n".join(c for _, c in build_integrity.code_cells((book / f"{page}.md").read_text(encoding="utf-8")))
        inputs = build_integrity.notebook_inputs(code, book)
        for item in inputs:
            if item.startswith("data/") and item.endswith(".csv"):
                readers.setdefault(item, set()).add(page)
        if build_integrity.ALL_DATA in inputs:
            for other in (book / "data").glob("*.csv"):
                readers.setdefault(f"data/{other.name}", set()).add(page)
    ranked = sorted((len(pages), item) for item, pages in readers.items() if len(pages) < len(notebooks))
    return [(item, readers[item]) for _, item in ranked]


def edit_table(book: Path, item: str) -> bool:
    """Append words to the first free-text cell (a string field that is no key) of a table."""
    import json

    package = json.loads((book / "data" / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if f"data/{r['path']}" == item)
    with (book / item).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows, header = list(reader), reader.fieldnames
    text_fields = free_text_fields(resource)
    # a cell of prose (it holds a space), not a code that a chapter may look up
    row = next((r for r in rows if any(" " in (r.get(f) or "") for f in text_fields)), None)
    if row is None:
        return False
    field = next(f for f in text_fields if " " in (row.get(f) or ""))
    row[field] += " (edited by the benchmark)"
    with (book / item).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return True


def profile_chapter(book: Path, page: str, top: int = 25) -> str:
    """Run a chapter's code cells in this process under cProfile (cwd: the chapter's folder)."""
    import build_integrity
    import matplotlib

    matplotlib.use("Agg")
    cells = build_integrity.code_cells((book / f"{page}.md").read_text(encoding="utf-8"))
    sys.path.insert(0, str(book))
    for name in [m for m in sys.modules if m == "cstobook" or m.startswith("cstobook.")]:
        del sys.modules[name]
    profiler, namespace, report = cProfile.Profile(), {"__name__": "__main__"}, []
    cwd = os.getcwd()
    os.chdir(book / Path(page).parent)
    try:
        for line, code in cells:
            source = "\n".join(row for row in code.splitlines() if not row.lstrip().startswith(("%", "!")))
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                profiler.enable()
                exec(compile(source, f"{page}.md:{line}", "exec"), namespace)  # noqa: S102 - the book's own code
                profiler.disable()
            report.append(f"  cell at line {line:4d}: {time.perf_counter() - start:6.2f} s  "
                          f"{code.strip().splitlines()[0][:70] if code.strip() else ''}")
    finally:
        os.chdir(cwd)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"cstobook|frictionless|geopandas/plotting|folium|savefig|draw|read_csv|import", top)
    return "\n".join(report) + "\n" + out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chapter", help="page to edit (default: the first chapter of _toc.yml that loads a table)")
    parser.add_argument("--profile", action="store_true", help="profile the slowest chapter's code")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="cstobook-bench-"))
    book = copy_book(folder / "book")
    notebooks = notebook_pages(book)
    chapter = args.chapter or next(p for p in notebooks if "load_table(" in (book / f"{p}.md").read_text(encoding="utf-8"))
    path = book / f"{chapter}.md"
    original = path.read_text(encoding="utf-8")
    rows, checks = [], []
    try:
        print(f"Benchmark on a copy in {folder} ({len(notebooks)} notebooks, {os.cpu_count()} cores); edited: {chapter}")
        clean = build(book)
        rows.append(("clean build", clean))
        rows.append(("no change", build(book)))
        path.write_text(original + "\nA sentence added by the benchmark.\n", encoding="utf-8")
        rows.append((f"prose edit of {chapter}", build(book)))
        path.write_text(add_code_cell(original + "\nA sentence added by the benchmark.\n"), encoding="utf-8")
        rows.append((f"code edit of {chapter}", build(book)))
        path.write_text(original, encoding="utf-8")
        rows.append((f"{chapter} restored (cached)", build(book)))
        table = None
        for item, readers in tables_by_readers(book):
            original_table = (book / item).read_bytes()
            if edit_table(book, item):
                table = (item, readers)
                rows.append((f"change to {item}", build(book)))
                (book / item).write_bytes(original_table)
                break

        base = clean["seconds"]
        print(f"\n{'rebuild':48s} {'seconds':>8s} {'of clean':>9s}  notebooks executed")
        for label, row in rows:
            print(f"{label:48s} {row['seconds']:8.1f} {100 * row['seconds'] / base:8.0f}%  "
                  f"{len(row['executed'])}: {', '.join(p.split('/')[-1] for p in row['executed']) or '-'}")

        by_label = dict(rows)
        for label in ("no change", f"prose edit of {chapter}"):
            row = by_label[label]
            checks.append((f"{label}: executes no notebook", row["executed"] == []))
            checks.append((f"{label}: under 15% of the clean build ({100 * row['seconds'] / base:.0f}%)",
                           row["seconds"] < 0.15 * base))
        checks.append((f"code edit: re-executes exactly {chapter}", by_label[f"code edit of {chapter}"]["executed"] == [chapter]))
        if table:
            checks.append((f"change to {item}: re-executes exactly its readers {sorted(readers)}",
                           set(by_label[f"change to {item}"]["executed"]) == readers))
        print()
        for text, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {text}")

        slowest = sorted(clean["times"].items(), key=lambda kv: -kv[1])
        print("\nExecution time per notebook in the clean build:")
        for page, seconds in slowest:
            print(f"  {seconds:6.2f} s  {page}")
        if args.profile and slowest:
            page = slowest[0][0]
            page = page[:-3] if page.endswith(".md") else page
            print(f"\nProfile of {page} (its code cells run in one process, kernel start-up excluded):")
            print(profile_chapter(book, page))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
