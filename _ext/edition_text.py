"""The marks a page's HTML needs where its text changes direction: Arabic table cells in a page of
another language, English left untranslated in a translated page, and runs of Latin words inside
the Arabic text of a right-to-left page (isolated in <bdi>). Pure functions of the page's body,
applied by the editions extension (editions.py) as each page is written."""
from __future__ import annotations

import html
import re

UNTRANSLATED_CLASS = "cstobook-untranslated"


_ARABIC_CELL = re.compile(r'<td(?P<attributes>(?![^>]*\blang=)[^>]*)>(?P<text>[^<]*)</td>')
_FIRST_STRONG = re.compile(r"[A-Za-z\u00c0-\u024f\u0400-\u04ff\u0600-\u06ff]")


def mark_arabic_cells(body: str) -> str:
    """Table cells whose text is Arabic (its first letter is), in a page of another language, say
    so (lang="ar" dir="rtl"): screen readers then read them as Arabic, and the PDF sets them in
    the Arabic face (see PRINT_RULES)."""
    def mark(match):
        first = _FIRST_STRONG.search(html.unescape(match["text"]))
        if first is None or not "\u0600" <= first[0] <= "\u06ff":
            return match[0]
        return f'<td{match["attributes"]} lang="ar" dir="rtl">{match["text"]}</td>'
    return _ARABIC_CELL.sub(mark, body)


_UNTRANSLATED_TAG = re.compile(r'(<[a-z][a-z0-9]*\b[^>]*\bclass="[^"]*\b' + UNTRANSLATED_CLASS + r'\b[^"]*")')


def mark_english(body: str) -> str:
    return _UNTRANSLATED_TAG.sub(r'\1 lang="en" dir="ltr"', body)


# A run of Latin (or Cyrillic) words inside Arabic text: names, URLs, file names, sizes, glosses,
# author-year groups; its closing full stop or comma stays in the Arabic sentence. A bracketed
# group of Latin words inside the run belongs to it (a source's title such as "Armed forces
# personnel, total (MS.MIL.TOTL.P1), as exported by ..." or "GDP (current US$)"), so that the
# title is not cut into runs that change places; a bracket that opens or closes Arabic text does not.
# A number glued to the first letter belongs to the run too ("24.kg", "1:50m"): left outside, it
# would stand on the wrong side of the letters.
_RUN_CHARACTERS = r"[\w.,:;/?=&%#'’+~@\-–—]"
_LATIN_GROUP = r"\([^()\u0600-\u06ff]*[A-Za-z0-9][^()\u0600-\u06ff]*\)"
_LATIN_RUN = re.compile(rf"(?:[0-9][0-9.,:/\-]*)?[A-Za-z\u00c0-\u024f\u0400-\u04ff]{_RUN_CHARACTERS}*"
                        rf"(?:[ \u00a0]+(?:{_LATIN_GROUP}{_RUN_CHARACTERS}*|"
                        rf"{_RUN_CHARACTERS}*[A-Za-z0-9\u00c0-\u024f\u0400-\u04ff]{_RUN_CHARACTERS}*))*",
                        re.UNICODE)
_OWN_DIRECTION = {"script", "style", "pre", "code", "kbd", "samp", "bdi", "math", "svg", "textarea", "var"}


def _in_own_direction(string) -> bool:
    for parent in string.parents:
        if parent.name in _OWN_DIRECTION:
            return True
        if parent.get("dir") == "ltr" or (parent.get("lang") and not parent.get("lang", "").startswith("ar")):
            return True
    return False


def isolate_latin_runs(body: str) -> str:
    """Each Latin run inside the Arabic text of a right-to-left page set in <bdi>, so that a URL,
    a file name, a size, a bracketed gloss or a group of citations keeps its order when the line
    wraps, and the Arabic around it keeps its own (the Unicode bidirectional algorithm would
    otherwise join neighbouring runs through the punctuation between them)."""
    from bs4 import BeautifulSoup, NavigableString

    if not _LATIN_RUN.search(body):
        return body
    soup = BeautifulSoup(body, "html.parser")
    for string in list(soup.find_all(string=True)):
        if type(string) is not NavigableString or not _LATIN_RUN.search(string) or _in_own_direction(string):
            continue
        text, pieces, at = str(string), [], 0
        for match in _LATIN_RUN.finditer(text):
            run = match[0].rstrip(".,:;،")
            if not run:
                continue
            pieces.append(text[at:match.start()])
            bdi = soup.new_tag("bdi")
            bdi.string = run
            pieces.append(bdi)
            at = match.start() + len(run)
        pieces.append(text[at:])
        for piece in pieces:
            if piece == "":
                continue
            string.insert_before(piece)
        string.extract()
    return str(soup)
