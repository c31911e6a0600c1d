"""Catalogues that stay cheap to keep (issue 25, item 4): no message of a page's catalogue is longer
than MAX_MESSAGE characters, so that a one-word edit of the English sends a few sentences back to
the translator, not a whole page's worth. A longer paragraph is split in the English chapter (only
paragraph breaks, wording unchanged), and its translation split at the same sentence boundaries.

The exceptions are listed below, each with its reason: a message with a sentence longer than the cap
(a paragraph break inside a sentence would change the wording). The data appendix is held to the cap
too: its messages come from the data package's titles, descriptions and licences (a long description
takes a paragraph break, which Markdown keeps), and the sources of its researched tables are cited,
not written out (cstobook/datapackage_docs.py). An exception that is no longer long, or no longer in its catalogue, fails too: the list shrinks
as the messages are split, and never hides a new long message."""
from __future__ import annotations

import polib
import pytest

from conftest import ROOT
from cstobook import toc

MAX_MESSAGE = 600
MESSAGES = ROOT / "locales" / "ar" / "LC_MESSAGES"

# Long messages that hold a sentence longer than the cap (a list of clauses joined by semicolons,
# which a paragraph break would cut), by page and first words.
ONE_SENTENCE = {
    ("chapters/appendix-methods", "The grid also codes three occasions"),
    ("chapters/literature", "Several works that would belong here"),
    ("chapters/verdict", "Did Russia ever ask?"),
    ("chapters/verdict", "**What would prove it wrong.**"),
    ("chapters/appendix-methods", "**What counts as an occasion.**"),
    ("chapters/appendix-methods", "*An armed attack on a member*"),
    ("chapters/literature", "{cite:t}`kropatcheva_csto_2016` found"),
    ("chapters/mandate", "Not every text could be read in an official copy"),
    ("chapters/mandate", "Since the Protocol of 2010 entered into force"),
    ("chapters/offer", "Against the Russian force massed around Ukraine"),
}


def page_catalogues() -> list[tuple[str, polib.POFile]]:
    return [(document, polib.pofile(str(MESSAGES / f"{document}.po"))) for document in toc.documents()
            if (MESSAGES / f"{document}.po").is_file()]


def long_messages(document: str, catalogue: polib.POFile) -> list[str]:
    return [entry.msgid for entry in catalogue if not entry.obsolete and len(entry.msgid) > MAX_MESSAGE]


def excepted(document: str, msgid: str) -> bool:
    return any(document == page and msgid.startswith(start)
                                              for page, start in ONE_SENTENCE)


def test_there_are_page_catalogues():
    assert len(page_catalogues()) >= 15


@pytest.mark.parametrize("document", toc.documents())
def test_no_message_of_a_page_is_longer_than_the_cap(document):
    """Every message of the page's catalogue has at most MAX_MESSAGE characters (exceptions above)."""
    path = MESSAGES / f"{document}.po"
    if not path.is_file():
        pytest.skip(f"{document} has no catalogue (the pending-translation tests cover that)")
    over = [f"{len(msgid)} characters: {msgid[:80]!r}" for msgid in long_messages(document, polib.pofile(str(path)))
            if not excepted(document, msgid)]
    assert over == [], (f"{document}: split these paragraphs in the English chapter (paragraph breaks only), "
                        "then their translations at the same sentences: " + "; ".join(over))


def test_every_exception_is_still_a_long_message():
    """The list of exceptions only shrinks: each names a message that is still there and still long."""
    found = {document: long_messages(document, catalogue) for document, catalogue in page_catalogues()}
    stale = [(page, start) for page, start in sorted(ONE_SENTENCE)
             if not any(msgid.startswith(start) for msgid in found.get(page, []))]
    assert stale == [], f"no longer long (or gone): remove them from ONE_SENTENCE: {stale}"


def test_the_cap_catches_a_long_message():
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="A sentence. " * 60, msgstr=""))
    catalogue.append(polib.POEntry(msgid="Short.", msgstr=""))
    assert [len(m) for m in long_messages("chapters/x", catalogue)] == [len("A sentence. " * 60)]
    assert not excepted("chapters/x", "A sentence. " * 60)
