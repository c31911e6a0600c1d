"""`make catalogues` merges the English text into the Arabic catalogues without rewrapping them:
a message that did not change keeps its lines byte for byte, so a diff shows only real changes
(tools/build_edition.py, merge_catalogue)."""
from __future__ import annotations

import difflib
import shutil
import sys
from pathlib import Path

import polib
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import build_edition  # noqa: E402

CATALOGUES = sorted((ROOT / "locales" / "ar" / "LC_MESSAGES").rglob("*.po"))
SAMPLE = ROOT / "locales" / "ar" / "LC_MESSAGES" / "chapters" / "verdict.po"


def write_template(path: Path, msgids: list[str]) -> Path:
    """A page's template as Sphinx's gettext builder writes it: the English messages, untranslated."""
    template = polib.POFile(wrapwidth=79)
    template.metadata = {"Content-Type": "text/plain; charset=utf-8"}
    for msgid in msgids:
        template.append(polib.POEntry(msgid=msgid, msgstr=""))
    template.save(str(path))
    return path


def english(catalogue: Path) -> list[str]:
    return [entry.msgid for entry in polib.pofile(str(catalogue)) if not entry.obsolete]


def entry_lines(text: str, msgid: str) -> range:
    """The line numbers (0-based) of the block of `text` that holds the entry `msgid`."""
    blocks, start = [], 0
    lines = text.splitlines()
    for number, line in enumerate(lines + [""]):
        if not line.strip():
            blocks.append(range(start, number))
            start = number + 1
    for block in blocks:
        entry = polib.pofile("\n".join(lines[i] for i in block) + "\n")
        if any(e.msgid == msgid for e in entry):
            return block
    raise AssertionError(f"no entry {msgid!r}")


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_committed_catalogues_are_in_polibs_form(catalogue):
    """Saving a catalogue with polib at width 76 reproduces it (the form every tool keeps)."""
    text = catalogue.read_text(encoding="utf-8")
    assert polib.pofile(str(catalogue), wrapwidth=build_edition.CATALOGUE_WIDTH).__unicode__() == text


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_merge_without_english_change_leaves_the_catalogue_byte_identical(tmp_path, catalogue):
    copy = shutil.copy(catalogue, tmp_path / "page.po")
    template = write_template(tmp_path / "page.pot", english(catalogue))
    assert build_edition.merge_catalogue(Path(copy), template, "ar") == "unchanged"
    assert Path(copy).read_bytes() == catalogue.read_bytes()


def test_one_changed_message_changes_only_its_lines(tmp_path):
    copy = Path(shutil.copy(SAMPLE, tmp_path / "page.po"))
    before = copy.read_text(encoding="utf-8")
    messages = english(SAMPLE)
    # a long translated message (wrapped over several lines), its English edited by one word
    target = next(m for m in messages if len(m) > 200 and " the " in m
                  and polib.pofile(str(SAMPLE)).find(m).translated())
    changed = target.replace(" the ", " this ", 1)
    write_template(tmp_path / "page.pot", [changed if m == target else m for m in messages])

    assert build_edition.merge_catalogue(copy, tmp_path / "page.pot", "ar") == "updated"
    after = copy.read_text(encoding="utf-8")
    merged = polib.pofile(str(copy))
    entry = merged.find(changed)
    assert entry is not None and entry.fuzzy and entry.previous_msgid == target
    assert entry.msgstr == polib.pofile(str(SAMPLE)).find(target).msgstr  # the old translation, to revise
    assert merged.find(target) is None

    old_block, new_block = entry_lines(before, target), entry_lines(after, changed)
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        assert all(i in old_block for i in range(a1, a2)), f"lines {a1}-{a2} outside the changed message"
        assert all(i in new_block for i in range(b1, b2)), f"lines {b1}-{b2} outside the changed message"


def test_new_message_comes_in_untranslated_and_nothing_else_moves(tmp_path):
    copy = Path(shutil.copy(SAMPLE, tmp_path / "page.po"))
    before = copy.read_text(encoding="utf-8")
    added = "A sentence a contributor has just written, which no catalogue holds yet."
    write_template(tmp_path / "page.pot", english(SAMPLE) + [added])

    assert build_edition.merge_catalogue(copy, tmp_path / "page.pot", "ar") == "updated"
    after = copy.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))
    entry = polib.pofile(str(copy)).find(added)
    assert entry is not None and not entry.translated() and not entry.fuzzy


def test_new_page_gets_a_catalogue_in_polibs_form(tmp_path):
    template = write_template(tmp_path / "page.pot", ["A new chapter", "In brief"])
    catalogue = tmp_path / "ar" / "new.po"
    assert build_edition.merge_catalogue(catalogue, template, "ar") == "created"
    text = catalogue.read_text(encoding="utf-8")
    assert polib.pofile(str(catalogue), wrapwidth=build_edition.CATALOGUE_WIDTH).__unicode__() == text
    assert [e.msgid for e in polib.pofile(str(catalogue))] == ["A new chapter", "In brief"]
    assert build_edition.merge_catalogue(catalogue, template, "ar") == "unchanged"


def test_a_new_chapters_citation_line_comes_in_translated_from_another_chapters(tmp_path):
    """How to cite (a page translated in full) gets a citation line per chapter. A new chapter's
    line is written from another chapter's translated line, its title (in English while its own
    translation is pending) and its address put in: an Arabic reference to the Arabic page, not
    a fuzzy guess and not the English line. A line that differs in more than its chapter (another
    version, say) comes in as itself, for a translator."""
    from cstobook import citing, edition

    catalogue = ROOT / "locales" / "ar" / "LC_MESSAGES" / "chapters" / "how-to-cite.po"
    copy = Path(shutil.copy(catalogue, tmp_path / "page.po"))
    line = citing.apa(f"{edition.site()}chapters/new-topic.html", "A new chapter, 2022–2025")
    other = (f"{edition.authors()}. ({edition.year()}). Another chapter. In *{edition.title()}* "
             f"(Version 9.9.9). Retrieved [date of access], from <{edition.site()}chapters/other.html>")
    write_template(tmp_path / "page.pot", english(catalogue) + [line, other])
    assert build_edition.merge_catalogue(copy, tmp_path / "page.pot", "ar") == "updated"
    merged = polib.pofile(str(copy))
    entry = merged.find(line)
    assert not entry.fuzzy and entry.msgstr != line
    assert "A new chapter, 2022–2025" in entry.msgstr and "/ar/chapters/new-topic.html>" in entry.msgstr
    assert "الإصدار" in entry.msgstr and "Retrieved" not in entry.msgstr
    assert merged.find(other).msgstr == other
    assert [e.msgid for e in merged.fuzzy_entries()] == []
