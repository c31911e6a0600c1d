"""Every Arabic catalogue has the book's header: its title (as CITATION.cff gives it), where to
report a problem, the language team "Arabic", and none of the boilerplate gettext tools leave
("SOME DESCRIPTIVE TITLE", "FIRST AUTHOR", "Project name not set"). `make catalogues` writes a new
catalogue with that header and brings back one a translator's editor rewrote, changing nothing
but the header entry (tools/build_edition.py, canonical_header)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polib
import pytest
import yaml

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import build_edition  # noqa: E402

CATALOGUES = sorted((ROOT / "locales" / "ar" / "LC_MESSAGES").rglob("*.po"))
BOILERPLATE = ("SOME DESCRIPTIVE TITLE", "FIRST AUTHOR", "Project name not set", "EMAIL@ADDRESS",
               "ORGANIZATION", "LL@li.org", "VERSION", "FULL NAME", "YEAR-MO-DA")


def assert_canonical_header(catalogue: polib.POFile, name: str) -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert catalogue.metadata.get("Project-Id-Version") == citation["title"], name
    assert catalogue.metadata.get("Language-Team") == "Arabic", name
    assert catalogue.metadata.get("Language") == "ar", name
    assert catalogue.metadata.get("Report-Msgid-Bugs-To", "").startswith(citation["repository-code"]), name
    head = catalogue.header + "\n" + "\n".join(f"{k}: {v}" for k, v in catalogue.metadata.items())
    for words in BOILERPLATE:
        assert words not in head, f"{name}: the header still says {words!r}"
    assert catalogue.header == build_edition.CATALOGUE_HEADER_COMMENT, name


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 19


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT / "locales")))
def test_every_catalogue_has_the_books_header(catalogue):
    assert_canonical_header(polib.pofile(str(catalogue), wrapwidth=76), catalogue.name)


def test_a_new_catalogue_gets_the_books_header(tmp_path):
    template = polib.POFile(wrapwidth=79)
    template.metadata = {"Content-Type": "text/plain; charset=utf-8"}
    for msgid in ("A new chapter", "In brief"):
        template.append(polib.POEntry(msgid=msgid, msgstr=""))
    template.save(str(tmp_path / "page.pot"))
    catalogue = tmp_path / "ar" / "new.po"
    assert build_edition.merge_catalogue(catalogue, tmp_path / "page.pot", "ar") == "created"
    assert_canonical_header(polib.pofile(str(catalogue), wrapwidth=76), "new.po")


def test_a_header_an_editor_rewrote_comes_back_and_nothing_else_changes(tmp_path):
    sample = ROOT / "locales" / "ar" / "LC_MESSAGES" / "chapters" / "verdict.po"
    copy = Path(shutil.copy(sample, tmp_path / "page.po"))
    edited = polib.pofile(str(copy), wrapwidth=76)
    edited.header = "SOME DESCRIPTIVE TITLE.\nFIRST AUTHOR <EMAIL@ADDRESS>, 2026."
    edited.metadata["Project-Id-Version"] = "Project name not set"
    edited.metadata["Language-Team"] = "ar <LL@li.org>"
    edited.save()
    template = polib.POFile(wrapwidth=79)
    for entry in polib.pofile(str(sample)):
        if not entry.obsolete:
            template.append(polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgstr=""))
    template.save(str(tmp_path / "page.pot"))
    assert build_edition.merge_catalogue(copy, tmp_path / "page.pot", "ar") == "updated"
    assert copy.read_text(encoding="utf-8") == sample.read_text(encoding="utf-8")
