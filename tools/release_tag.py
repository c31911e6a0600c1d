"""Check that a release tag names the edition it publishes: tag `vX.Y.Z` where X.Y.Z is the
version of CITATION.cff, which the foot of every page, How to cite, the PDFs and the Zenodo record
name. The publishing workflow runs it before it builds a tag (.github/workflows/book.yml), so that
the site deployed from a tag is the edition readers cite.

    python tools/release_tag.py v0.4.0      # exit 0, or 1 naming both versions
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def citation_version(citation: Path = ROOT / "CITATION.cff") -> str:
    """The `version:` of CITATION.cff, read without PyYAML (the workflow runs this before it sets
    up the environment); tests/test_publishing.py checks it against cstobook.edition.version()."""
    found = re.search(r"""^version:\s*["']?([^"'\s#]+)""", citation.read_text(encoding="utf-8"), re.M)
    if not found:
        raise SystemExit(f"release_tag: {citation} names no version")
    return found.group(1)


def problem(tag: str, citation: Path = ROOT / "CITATION.cff") -> str | None:
    """Why `tag` may not publish this edition, or None if it may."""
    if not re.fullmatch(r"v\d+\.\d+\.\d+", tag):
        return f"release tags are vX.Y.Z; {tag!r} is not one"
    version = citation_version(citation)
    if tag[1:] != version:
        return (f"tag {tag} but CITATION.cff says version {version}: bump CITATION.cff (and .zenodo.json, "
                f"pyproject.toml, CHANGELOG.md) before tagging, or tag v{version}")
    return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    reason = problem(args[0])
    if reason:
        print(f"release_tag: {reason}", file=sys.stderr)
        return 1
    print(f"release_tag: {args[0]} publishes edition {citation_version()} (CITATION.cff)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
