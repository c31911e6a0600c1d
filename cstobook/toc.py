"""The book's table of contents, read in one place: every walk over _toc.yml uses this module."""
from __future__ import annotations

from pathlib import Path

import yaml

from cstobook import paths


def _entries(root: Path) -> dict:
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def _files(entries: list[dict]) -> list[str]:
    """Files of toc entries in reading order, each chapter's sections after it."""
    return [f for entry in entries for f in [entry["file"], *_files(entry.get("sections", []))]]


def documents(root: Path = paths.ROOT) -> list[str]:
    """Every document of _toc.yml in reading order, the root page first, as paths without suffix."""
    toc = _entries(root)
    return [toc["root"]] + [f for part in toc.get("parts", []) for f in _files(part.get("chapters", []))]


def part(caption: str, root: Path = paths.ROOT) -> list[str]:
    """The documents of the part of _toc.yml with this caption, in reading order."""
    toc = _entries(root)
    chapters = next((p["chapters"] for p in toc.get("parts", []) if p.get("caption") == caption), None)
    if chapters is None:
        raise KeyError(f"_toc.yml has no part captioned {caption!r}")
    return _files(chapters)


def source_file(document: str, root: Path = paths.ROOT) -> Path | None:
    """The source of a document (MyST .md or .ipynb), or None."""
    return next((root / f"{document}{suffix}" for suffix in (".md", ".ipynb")
                 if (root / f"{document}{suffix}").is_file()), None)


def edition_documents(root: Path = paths.ROOT) -> list[str]:
    """Every page of every edition, as paths in the published site: the English pages, then each
    translation's (in its folder, cstobook.i18n.EDITION_FOLDERS)."""
    from cstobook import i18n

    english = documents(root)
    return english + [f"{i18n.EDITION_FOLDERS[language]}{page}" for language in i18n.LANGUAGES for page in english]
