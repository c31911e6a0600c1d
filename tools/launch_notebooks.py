"""Copy each chapter's notebook of the built book beside its source, for Binder and Colab.

    python tools/launch_notebooks.py BUILT_HTML OUTPUT_ROOT

BUILT_HTML is the book's html folder (_build/html). For every page with code, the build leaves
the executed notebook at _sources/<page>.ipynb, already made to run anywhere (a set-up cell
first, the glued values in its text: _ext/reader_notebooks.py); the page's download button
serves that file. Each one is copied, byte for byte, to OUTPUT_ROOT/<page>.ipynb: the
publishing workflow commits them into the `notebooks` branch, which the book's Binder and Colab
buttons open (_ext/book_publishing.py). So every route serves the same notebook. Prints the paths
written, one a line.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cstobook import toc  # noqa: E402  (the checkout's package, installed or not)


def write_notebooks(html: Path, output: Path, root: Path = ROOT) -> list[Path]:
    written = []
    for document in toc.documents(root):
        executed = html / "_sources" / f"{document}.ipynb"
        if not executed.is_file():
            continue  # a page without code
        target = output / f"{document}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(executed, target)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for path in write_notebooks(Path(argv[0]), Path(argv[1])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
