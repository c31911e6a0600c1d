"""The Arabic edition: its catalogues (complete where a page is translated in full, nothing fuzzy,
the glossary's terms), and its built pages (right to left, the language switch and hreflang to the
same page in the other edition, notices on pages translated in part, numbers resolved in
translated text, the Arabic web font, one sitemap for both editions).

The browser tests (test_browser.py, test_accessibility.py) visit the Arabic pages as they visit the
English ones."""
from __future__ import annotations

import html
import re
import sys
import unicodedata
from urllib.parse import urljoin

import polib
import pytest
from bs4 import BeautifulSoup

from build_support import ROOT, built_page

from cstobook import edition, i18n, toc

PAGES = toc.documents()
LANGUAGE = "ar"
FOLDER = i18n.EDITION_FOLDERS[LANGUAGE]
ARABIC_LETTER = re.compile(i18n.SCRIPTS[LANGUAGE])
MESSAGES = i18n.LOCALES / LANGUAGE / "LC_MESSAGES"
PENDING = i18n.pending_pages(LANGUAGE)  # pages whose translation is pending: shown in English, with a notice


def catalogue(name: str) -> polib.POFile:
    path = MESSAGES / f"{name}.po"
    assert path.is_file(), f"{path.relative_to(i18n.ROOT)} is missing: run `make catalogues`"
    return polib.pofile(str(path))


def untranslated_or_fuzzy(po: polib.POFile) -> list[str]:
    return [e.msgid[:80] for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


# --- Catalogues ----------------------------------------------------------------------------------

# The names catalogue holds every source's name, of pending pages too: its rule is
# test_arabic_register.test_names_catalogue_is_complete (the names translated pages show).
@pytest.mark.parametrize("name", [*i18n.PAGES_IN_FULL, *(domain for domain in i18n.DOMAINS if domain != "names")])
def test_pages_translated_in_full_have_no_untranslated_or_fuzzy_message(name):
    """A page the edition calls translated is translated in every message, and so is every
    catalogue of what code writes: a changed English message shows up here, not as silent English."""
    assert untranslated_or_fuzzy(catalogue(name)) == []


def test_no_catalogue_holds_a_fuzzy_message():
    """A fuzzy message is a guess by the merge tool after an English change; Sphinx does not show
    it, so the reader would see English while the catalogue looks translated."""
    fuzzy = {path.relative_to(MESSAGES).as_posix(): [e.msgid[:60] for e in polib.pofile(str(path)).fuzzy_entries()]
             for path in sorted(MESSAGES.rglob("*.po"))}
    assert {name: found for name, found in fuzzy.items() if found} == {}


def test_every_page_has_a_catalogue():
    missing = [page for page in PAGES if not (MESSAGES / f"{page}.po").is_file() and page not in PENDING]
    assert missing == [], "run `make catalogues`"


def test_pending_pages_are_pages_of_the_book_not_translated_in_full():
    """locales/ar/pending.txt names documents of _toc.yml (a page removed from the book must leave
    it too), none of them a page the edition says is translated in full."""
    assert [page for page in PENDING if page not in PAGES] == []
    assert [page for page in PENDING if page in i18n.PAGES_IN_FULL] == []


def test_pending_list_reads_pages_and_ignores_comments(tmp_path, monkeypatch):
    (tmp_path / LANGUAGE).mkdir()
    (tmp_path / LANGUAGE / i18n.PENDING_FILE).write_text(
        "# a comment\nchapters/one\n\n  chapters/two.md   # its author writes no Arabic\nchapters/one\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    assert i18n.pending_pages(LANGUAGE) == ("chapters/one", "chapters/two")


def test_translations_keep_the_roles_of_the_english():
    """A translated message keeps every role of its English ({glue:text}, {ref}, {cite:p} ...)
    with the same target, so that numbers, links and citations survive the translation. (It may
    add one: the data appendix's download list, which a directive writes as links, is translated
    with {download} roles.)"""
    from collections import Counter

    role = re.compile(r"\{[\w:-]+\}`(?:[^`<]*<)?([^`>]+)>?`")
    broken = []
    for path in sorted(MESSAGES.rglob("*.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            lost = Counter(role.findall(entry.msgid)) - Counter(role.findall(entry.msgstr))
            if lost:
                broken.append(f"{path.name}: {sorted(lost)} lost from {entry.msgid[:60]!r}")
    assert broken == []


# The book's own translations, noted in one wording (chapters/arabic-edition.md, "Conventions"):
# a quotation the book translated into Arabic says (الترجمة من عمل الكتاب); the article's own Arabic,
# quoted where the English gives the book's translation, says (وترجمته في الطبعة الإنجليزية من عمل الكتاب).
BOOKS_TRANSLATION = re.compile(r"\b(translations? ours|our translations?)\b")
BOOKS_TRANSLATION_AR = "من عمل الكتاب"
RETIRED_WORDINGS = ("الترجمة لنا", "الترجمات لنا", "ترجمتنا", "من عملنا", "ترجمة الكتاب عن")


def test_the_books_own_translations_are_noted_in_one_wording():
    """Every message whose English says "translation ours" (or "our translation") says so in the
    edition's one wording, and no message keeps a wording the edition retired."""
    departures = []
    for path in sorted(MESSAGES.rglob("*.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            noted = BOOKS_TRANSLATION.search(entry.msgid)
            if (noted and BOOKS_TRANSLATION_AR not in entry.msgstr) or any(w in entry.msgstr for w in RETIRED_WORDINGS):
                departures.append(f"{path.name}: {entry.msgstr[:80]!r}")
    assert departures == []


def test_arabic_text_names_an_author_in_arabic_before_the_citation():
    """{cite:t} would set the author's Latin name in the Arabic sentence: the Arabic names the
    author in Arabic script and cites with {cite:p} after the name (chapters/arabic-edition.md)."""
    found = [f"{path.name}: {entry.msgstr[:80]!r}" for path in sorted(MESSAGES.rglob("*.po"))
             for entry in polib.pofile(str(path)).translated_entries() if "{cite:t}" in entry.msgstr]
    assert found == []


def test_translations_use_the_glossary():
    """Where an English message names an organisation, body, force, person or place of the
    glossary, its translation uses the glossary's Arabic for it."""
    assert i18n.glossary_departures(LANGUAGE) == []


def test_glossary_has_one_rendering_per_term():
    terms = i18n.glossary(LANGUAGE)
    assert not terms["english"].duplicated().any()
    assert terms["arabic"].map(lambda text: bool(ARABIC_LETTER.search(text))).all()


# --- Built pages -----------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_arabic_page_is_right_to_left_and_links_the_english_one(built_book, page):
    """The Arabic page is lang="ar" dir="rtl"; its switch leads to the same page in English, and
    that page's switch back to it; both carry the same hreflang alternates."""
    arabic, english = built_page(built_book, FOLDER + page), built_page(built_book, page)
    assert (arabic.html.get("lang"), arabic.html.get("dir")) == ("ar", "rtl")
    assert english.html.get("lang") == "en" and english.html.get("dir") in (None, "ltr")
    for soup, here, there in ((arabic, FOLDER + page, page), (english, page, FOLDER + page)):
        switch = soup.select_one("a.cstobook-language-switch")
        assert switch is not None, f"{here}: no language switch"
        target = urljoin(f"http://book/{here}.html", switch["href"])
        assert target == f"http://book/{there}.html", f"{here}: the switch leads to {target}"
        alternates = {link["hreflang"]: link["href"] for link in soup.find_all("link", rel="alternate", hreflang=True)}
        assert alternates["en"].endswith(f"/{page}.html") and alternates["ar"].endswith(f"/{FOLDER}{page}.html")
        assert alternates["x-default"] == alternates["en"]


@pytest.mark.parametrize("page", PAGES)
def test_arabic_page_is_translated_at_least_in_title_headings_and_summary(built_book, page):
    """Every Arabic page has an Arabic title and headings; its "In brief" box is Arabic; a page
    not translated in full says so in Arabic, with a link to the English page, and what is still
    English is marked lang="en" dir="ltr"."""
    soup = built_page(built_book, FOLDER + page)
    article = soup.find("article")
    if page in PENDING:  # the English text under a notice that its translation is pending
        notice = article.select_one(".cstobook-translation-notice")
        assert notice is not None and i18n.edition_words("pending", LANGUAGE) in notice.get_text()
        assert urljoin(f"http://book/{FOLDER}{page}.html", notice.find("a")["href"]) == f"http://book/{page}.html"
        assert all((e.get("lang"), e.get("dir")) == ("en", "ltr") for e in article.select(".cstobook-untranslated"))
        return
    headings = [h.get_text(" ", strip=True) for h in article.find_all(["h1", "h2", "h3"])]
    assert headings and all(ARABIC_LETTER.search(h) for h in headings), headings
    for box in article.select(".in-brief"):
        for paragraph in box.find_all("p"):
            assert ARABIC_LETTER.search(paragraph.get_text()), paragraph.get_text()[:80]
            assert "cstobook-untranslated" not in paragraph.get("class", [])
    notice = article.select_one(".cstobook-translation-notice")
    if page in i18n.PAGES_IN_FULL:
        assert notice is None
        assert article.select(".cstobook-untranslated") == []
    else:
        assert notice is not None and ARABIC_LETTER.search(notice.get_text())
        link = notice.find("a")
        assert urljoin(f"http://book/{FOLDER}{page}.html", link["href"]) == f"http://book/{page}.html"
        for english in article.select(".cstobook-untranslated"):
            assert (english.get("lang"), english.get("dir")) == ("en", "ltr")


@pytest.mark.parametrize("page", [page for page in PAGES if page in i18n.PAGES_IN_FULL])
def test_numbers_in_translated_text_are_those_of_the_english(built_book, page):
    """Glued numbers resolve inside translated messages: the bold figures of each "In brief" and
    overview are the same in both editions (a glue role that failed would leave a gap)."""
    def figures(soup):
        return sorted(strong.get_text() for strong in soup.find("article").select("p strong")
                      if re.fullmatch(r"[\d.,]+", strong.get_text()))
    assert figures(built_page(built_book, FOLDER + page)) == figures(built_page(built_book, page))


def test_the_edition_page_lists_the_pages_whose_translation_is_pending(built_book):
    for folder, language in (("", "en"), (FOLDER, LANGUAGE)):
        article = built_page(built_book, f"{folder}chapters/arabic-edition").find("article")
        text = article.get_text(" ", strip=True)
        if not PENDING:
            assert i18n.edition_words("pending_none", language) in text
            continue
        assert i18n.edition_words("pending_list", language) in text
        listed = article.select_one("ul.cstobook-pending-translations")
        hrefs = [urljoin(f"http://book/{folder}chapters/arabic-edition.html", a["href"]) for a in listed.find_all("a")]
        assert hrefs == [f"http://book/{folder}{page}.html" for page in PENDING]


def test_each_edition_keeps_only_its_own_claims_register(built_book):
    """The register is written once per edition; the Arabic page shows the Arabic one (each
    claim with an Arabic verdict and evidence), the English page the English one."""
    claims = __import__("cstobook.data", fromlist=["load_table"]).load_table("claims")
    arabic = built_page(built_book, f"{FOLDER}chapters/verdict")
    english = built_page(built_book, "chapters/verdict")
    assert english.select('.cstobook-edition[lang="ar"]') == []
    assert arabic.select('.cstobook-edition[lang="en"]') == []
    register = arabic.select_one('.cstobook-edition[lang="ar"]')
    assert register is not None and register.get("dir") == "rtl"
    # a copy: the parsed page is shared by the tests of this process, and its isolates are unwrapped below
    register = BeautifulSoup(str(register), "html.parser").select_one('.cstobook-edition[lang="ar"]')
    verdicts = {i18n.translate(verdict, LANGUAGE) for verdict in claims["verdict"].unique()}
    assert all(ARABIC_LETTER.search(v) for v in verdicts), verdicts
    for isolate in register.find_all("bdi"):  # Latin runs isolated in Arabic text read as the text they hold
        isolate.unwrap()
    register.smooth()
    rows = {}
    for row in register.find_all("tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
        if cells and cells[0] in set(claims["claim_id"]):
            rows[cells[0]] = cells
    assert set(rows) == set(claims["claim_id"])
    for claim in claims.itertuples():
        cells = rows[claim.claim_id]
        assert i18n.translate(claim.verdict, LANGUAGE) in cells, claim.claim_id
        assert i18n.translate(claim.evidence_summary, LANGUAGE) in cells, claim.claim_id


def test_one_sitemap_lists_both_editions(built_book):
    from xml.etree import ElementTree

    locations = {loc.text for loc in ElementTree.parse(built_book / "sitemap.xml").getroot().iter()
                 if loc.tag.endswith("}loc")}
    for page in PAGES:
        assert any(url.endswith(f"/{page}.html") and f"/{FOLDER}" not in url for url in locations), page
        assert any(url.endswith(f"/{FOLDER}{page}.html") for url in locations), page
    assert not (built_book / FOLDER / "sitemap.xml").exists()


def test_arabic_font_is_served_by_the_site_and_covers_its_text(built_book):
    """The edition's own Arabic font (cut to its characters, WOFF2) has a glyph for every Arabic
    letter on its pages, so no page falls back to whatever the reader's system has."""
    from fontTools.ttLib import TTFont

    import editions

    text = "".join((built_book / f"{FOLDER}{page}.html").read_text(encoding="utf-8") for page in PAGES)
    letters = {ord(c) for c in text if ARABIC_LETTER.match(c)}
    fonts = sorted((built_book / FOLDER / "_static" / "fonts").glob("*.woff2"))
    assert len(fonts) == len(editions.ARABIC_FONTS), fonts
    for path in fonts:
        cmap = set(TTFont(path).getBestCmap())
        assert letters - cmap == set(), path.name
        assert path.stat().st_size < 60_000, f"{path.name}: {path.stat().st_size} bytes"
    assert not list(built_book.rglob("_static/fonts/*.ttf")), "the font's sources are not published"


# --- Glued values, the page's frame, figure numbers (issue 20) ------------------------------------

ENGLISH_DATE_WORDS = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October"
                                r"|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# what the edition marks as a run in another script: it keeps its own direction
ISOLATED = "bdi, [dir=ltr], code, kbd, pre, samp, script, style, .math, [lang]:not([lang|=ar])"


def arabic_text(element) -> str:
    """The text of an element of an Arabic page less its isolated runs (a copy: the page is shared)."""
    from bs4 import BeautifulSoup

    copy = BeautifulSoup(str(element), "html.parser")
    for run in copy.select(ISOLATED):
        run.decompose()
    return copy.get_text(" ")


def test_glued_values_localise_to_arabic():
    """Dates glued into translated prose come out with the edition's month and day names, and a
    glued phrase, list or name from the glued catalogue: no English word of a glued value reaches
    an Arabic sentence."""
    assert i18n.localised_glued_value("Wednesday 13 April 2022", LANGUAGE) == "الأربعاء 13 أبريل 2022"
    assert i18n.localised_glued_value("May 2021", LANGUAGE) == "مايو 2021"
    assert i18n.localised_glued_value("11 January", LANGUAGE) == "11 يناير"
    assert i18n.localised_glued_value("only Belarus", LANGUAGE) == "بيلاروسيا وحدها"
    translated = {entry.msgid for entry in catalogue("glued").translated_entries()}
    for english in translated:
        assert not re.search("[A-Za-z]", i18n.localised_glued_value(english, LANGUAGE)), english


def test_every_glued_text_value_has_an_arabic_form(built_book):
    """Every text value the chapters glue (as the clean build executed them) has an Arabic form
    without Latin letters: its dates spelled in Arabic, or the glued catalogue's translation."""
    values = i18n.glued_text_values(built_book.parent / "jupyter_execute")
    assert values
    english = [v for v in values if re.search("[A-Za-z]", i18n.localised_glued_value(v, LANGUAGE))]
    assert english == [], "translate them in locales/ar/LC_MESSAGES/glued.po (make catalogues)"


# Counts glued into Arabic sentences (issue 20): Arabic needs the noun after a number to agree with
# it, and has no form after the digits for 0, 1 and 2. A glued count is therefore in a label form
# (after «عددها», «عدد الأعضاء», «قوامها», a colon, in brackets after a label: «خاطئ» (0)); or before a counted noun in the form its
# value needs (i18n.counted_form); or, when it is 3 or more, next to a partitive «من»/«منها» or
# before a range's «و»; or, when it is 11 or more, a quantity whose noun the sentence has named.
GLUE_ROLE = re.compile(r"\{glue:text\}`(?P<key>[^`:]+)(?::[^`]*)?`")
COUNT_LABEL = re.compile(r"(?:عدد\w*(?: [^\s،؛.:()]+){0,8}|قوام\w*|قدره|مجموعه|من أصل|:|\()\s*$")
PARTITIVE = re.compile(r"\s*(?:من|منها|منهم)(?!\w)")
PARTITIVE_BEFORE = re.compile(r"(?<!\w)(?:منها|منهم)\s*$")
RANGE = re.compile(r"\s*و\{glue:text\}")
NOUN_FORMS = {form: noun for noun, forms in i18n.COUNTED_NOUNS.items() for form in (noun, *forms)}


def glued_counts(executed) -> dict[tuple[str, str], int]:
    """(page, key) -> every whole count a chapter glued (not years, shares or figures), from the
    <page>.glue.json myst-nb writes beside each executed notebook."""
    import ast
    import json

    counts = {}
    for file in sorted(executed.rglob("*.glue.json")):
        page = file.relative_to(executed).as_posix().removesuffix(".glue.json")
        for key, output in json.loads(file.read_text(encoding="utf-8")).items():
            plain = output.get("data", {})
            if set(plain) != {"text/plain"} or "year" in key:
                continue
            value = ast.literal_eval(plain["text/plain"])
            if isinstance(value, str) and re.fullmatch(r"\d{1,3}(,\d{3})*", value):
                value = int(value.replace(",", ""))
            if isinstance(value, int) and not isinstance(value, bool):
                counts[page, key] = value
    return counts


def counts_out_of_agreement(executed) -> list[str]:
    """Each glued count of an Arabic message that is neither in a label form nor followed by a
    noun in the form its value needs, with its page, key, value and the words around it."""
    counts = glued_counts(executed)
    found = []
    for path in sorted(MESSAGES.glob("chapters/*.po")) + [MESSAGES / "index.po"]:
        page = path.relative_to(MESSAGES).as_posix().removesuffix(".po")
        for entry in polib.pofile(str(path)).translated_entries():
            for role in GLUE_ROLE.finditer(entry.msgstr):
                value = counts.get((page, role["key"]))
                if value is None:
                    continue
                before, after = entry.msgstr[:role.start()], entry.msgstr[role.end():]
                next_word = re.match(r" ?([\u0621-\u064a\u064b-\u0652]*)", after)[1]
                if next_word in NOUN_FORMS:
                    agrees = next_word == i18n.counted_form(value, NOUN_FORMS[next_word])
                else:
                    partitive = PARTITIVE.match(after) or PARTITIVE_BEFORE.search(before) or RANGE.match(after)
                    agrees = bool(COUNT_LABEL.search(before) or value >= 11 or (value >= 3 and partitive))
                if not agrees:
                    found.append(f"{page}: {role['key']} = {value} in «…{before[-40:]}[{value}]{after[:30]}…»")
    return found


def test_counted_nouns_agree_with_their_numbers():
    """The form of a noun after digits follows the number's last two digits; 0, 1 and 2 have none."""
    assert [i18n.counted_form(n, "يوم") for n in (0, 1, 2, 3, 10, 11, 99, 100, 103, 113, 2000)] == \
        [None, None, None, "أيام", "أيام", "يومًا", "يومًا", "يوم", "أيام", "يومًا", "يوم"]
    assert i18n.counted_form(131582, "طن") == "طنًا" and i18n.counted_form(20, "دبابة") == "دبابة"


def test_glued_counts_in_arabic_sentences_agree_or_are_labels(built_book):
    """No glued count stands bare after a noun in an Arabic sentence («خاطئ» في 0, صوّت معها 1):
    each is in a label form or before a noun that agrees with it, for the values the chapters
    glued in the clean build."""
    assert glued_counts(built_book.parent / "jupyter_execute")
    assert counts_out_of_agreement(built_book.parent / "jupyter_execute") == []


@pytest.mark.parametrize("page", PAGES)
def test_arabic_translated_text_has_no_english_date_or_glued_word(built_book, page):
    """The translated text of every Arabic page (its In-brief box, and the whole article of a page
    translated in full) names no English month or weekday outside the runs the edition isolates:
    glued dates come out in Arabic."""
    article = built_page(built_book, FOLDER + page).find("article")
    parts = [article] if page in i18n.PAGES_IN_FULL else article.select(".in-brief")
    for part in parts:
        assert ENGLISH_DATE_WORDS.findall(arabic_text(part)) == [], page


@pytest.mark.parametrize("page", ["index", "chapters/verdict"])
def test_arabic_page_frame_is_arabic(built_book, page):
    """Figure numbers («الشكل»), search, buttons, footer and the previous/next links are in
    Arabic: no English word of the themes' frame outside the article."""
    soup = built_page(built_book, FOLDER + page)
    frame = [word for word in i18n.FURNITURE if i18n.translate(word, LANGUAGE, "edition") == word]
    assert frame == [], f"untranslated in edition.po: {frame}"
    texts = [soup.select_one(selector) for selector in (".bd-header-article", ".bd-footer-content", ".prev-next-area")]
    for part in filter(None, texts):
        words = re.findall(r"[A-Za-z]{3,}", arabic_text(part))
        assert set(words) <= {"Binder", "Colab", "ipynb", "pdf", "md"}, words
    search = soup.select_one("input[type=search]")
    assert search is not None and ARABIC_LETTER.search(search["placeholder"])
    for number in soup.select("article .caption-number"):
        assert not re.search("[A-Za-z]", number.get_text()), number.get_text()
        assert number.get_text().startswith(("الشكل", "الجدول")), number.get_text()


def test_a_pending_neighbour_in_the_previous_next_links_is_marked_as_english(monkeypatch):
    """A page whose translation is pending (a contributor's new chapter) is named by its English
    title in its neighbours' previous/next links: marked as English, which the frame test above
    and a screen reader take as such (a walk-through of the guide found it bare)."""
    from types import SimpleNamespace

    import reader_edition

    relations = {"chapters/verdict": ["index", "chapters/literature", "chapters/new-topic"]}
    app = SimpleNamespace(env=SimpleNamespace(collect_relations=lambda: relations),
                          config=SimpleNamespace(language=LANGUAGE))
    monkeypatch.setattr(i18n, "pending_pages", lambda language="ar": ("chapters/new-topic",))
    context = {"prev": {"link": "literature.html", "title": "الحالة في الأدبيات"},
               "next": {"link": "new-topic.html", "title": "A new chapter"}}
    reader_edition.mark_pending_neighbours(app, "chapters/verdict", "page.html", context, None)
    assert context["next"]["title"] == '<span lang="en" dir="ltr">A new chapter</span>'
    assert context["prev"]["title"] == "الحالة في الأدبيات"
    from bs4 import BeautifulSoup

    assert re.findall(r"[A-Za-z]{3,}", arabic_text(BeautifulSoup(context["next"]["title"], "html.parser"))) == []


def test_arabic_edition_styles_mirror_previous_next_and_set_no_italics():
    from cstobook.paths import ROOT

    rtl = (ROOT / "_static" / "rtl.css").read_text(encoding="utf-8")
    assert re.search(r'html\[dir="rtl"\] \.prev-next-area a\.left-prev \{ float: right; \}', rtl)
    assert "scaleX(-1)" in rtl
    book = (ROOT / "_static" / "cstobook.css").read_text(encoding="utf-8")
    assert ":lang(ar) { font-style: normal !important; }" in book


def test_arabic_how_to_cite_gives_arabic_references_and_the_arabic_pdf(built_book):
    """The Arabic edition is citable in Arabic from its own page: APA-style references to its own
    addresses, BibTeX with `language`, its own PDF offered and the English one labelled."""
    from pybtex.database import parse_string

    from cstobook import edition

    soup = built_page(built_book, FOLDER + "chapters/how-to-cite")
    article = soup.find("article")
    site = edition.site() + FOLDER
    pdfs = [a["href"] for a in article.find_all("a", href=True) if a["href"].endswith(".pdf")]
    assert any(href.endswith(edition.pdf_name("ar")) for href in pdfs), pdfs
    english_pdf = next(a for a in article.find_all("a", href=True) if a["href"].endswith(edition.pdf_name()))
    assert "الإنجليزية" in english_pdf.get_text()
    references = [li.get_text(" ", strip=True) for li in article.find_all("li") if site in li.get_text()]
    chapters = [d for d in toc.documents()[1:] if d != "chapters/how-to-cite"]
    assert len(references) == len(chapters)
    for reference in references:
        assert ARABIC_LETTER.search(reference) and "الإصدار" in reference and "Retrieved" not in reference
    bibtex = "\n\n".join(pre.get_text() for pre in article.find_all("pre") if "language" in pre.get_text())
    entries = parse_string(bibtex, "bibtex").entries
    assert entries["csto_ukraine_book_ar"].fields["url"] == site
    pending = {edition.chapter_key(d) + "_ar": d for d in i18n.pending_pages(LANGUAGE)}
    for key, entry in entries.items():
        assert entry.fields["language"] == "arabic" and entry.fields["url"].startswith(site)
        if key in pending:  # a page whose translation is pending is shown, and titled, in English
            assert entry.fields["title"] == edition.chapter_title(pending[key]), key
        else:
            assert ARABIC_LETTER.search(entry.fields["title"]), key
    assert {entry.fields["url"] for entry in entries.values()} >= {f"{site}{d}.html" for d in chapters}


# Renderings an editor rejected, with the glossary's own (locales/ar/glossary.csv)
REJECTED = {"ملكية عامة": "في الملك العام (public domain; ملكية عامة is state property)",
            "قابل للتنفيذ": "قابل للتشغيل (executable)",
            "فهارس رسائل": "ملفات الترجمة (catalogues)", "فهارس الرسائل": "ملفات الترجمة (catalogues)",
            "افتح قضية": "أبلغ عن مشكلة (Open issue)",
            "سان بطرسبرغ": "سانت بطرسبرغ", "بطرسبورغ": "سانت بطرسبرغ",
            "الكازاخية": "الكازاخستانية", "الكازاخي ": "الكازاخستاني ",
            "القضية في الأدبيات": "الحالة في الأدبيات (the case)"}


def test_catalogues_use_no_rejected_rendering():
    """The copy-edit holds: no catalogue uses a rendering the editor rejected, and the Joint Staff
    is always هيئة الأركان المشتركة."""
    found = []
    for path in sorted(MESSAGES.rglob("*.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            found += [(path.name, bad, good) for bad, good in REJECTED.items() if bad in entry.msgstr]
            if re.search(r"(?<!هيئة )(?<!ل)الأركان المشتركة", entry.msgstr):
                found.append((path.name, "الأركان المشتركة", "هيئة الأركان المشتركة"))
    assert found == []
    glossary = i18n.glossary(LANGUAGE).set_index("english")["arabic"]
    assert glossary["Joint Staff"] == "هيئة الأركان المشتركة" and glossary["public domain"] == "في الملك العام"


def test_no_bibtex_markup_in_any_translation():
    """BibTeX's quotation marks (``...'') and escapes never reach an Arabic page."""
    found = [(path.name, entry.msgstr[:60]) for path in sorted(MESSAGES.rglob("*.po"))
             for entry in polib.pofile(str(path)).translated_entries()
             if re.search(r"``|''|\\[&%_$#]|\{\\", entry.msgstr)]
    assert found == []


def test_latin_runs_in_arabic_text_are_isolated():
    """A URL, a file name, a gloss or a group of citations inside an Arabic sentence is set in
    <bdi>, a number glued to its first letter included ("24.kg", "1:50m"), its closing punctuation
    left to the sentence; code and English blocks are left alone."""
    import sys

    from cstobook.paths import ROOT

    sys.path.insert(0, str(ROOT / "_ext"))
    import edition_text

    html = edition_text.isolate_latin_runs('<p>وصفت Reuters الأمر (Reuters 2022; TASS 2022). انظر https://example.org/a/b. '
                                       'الملف data/claims.csv (16 كيلوبايت) عن 24.kg 2024 بمقياس 1:50m في 24 فبراير</p>'
                                       '<p lang="en">As it was</p><pre>x = 1</pre>')
    assert html == ('<p>وصفت <bdi>Reuters</bdi> الأمر (<bdi>Reuters 2022; TASS 2022</bdi>). انظر '
                    '<bdi>https://example.org/a/b</bdi>. الملف <bdi>data/claims.csv</bdi> (16 كيلوبايت) '
                    'عن <bdi>24.kg 2024</bdi> بمقياس <bdi>1:50m</bdi> في 24 فبراير</p>'
                    '<p lang="en">As it was</p><pre>x = 1</pre>')



def test_each_citation_of_a_group_is_one_isolated_unit_in_arabic_order():
    """A bracketed group of citations in the Arabic edition: each citation whole in one <bdi>
    (not "Leeds" and "et al" apart, nor "n.d" and its full stop), separated by the Arabic comma,
    so that a group wrapping over lines keeps its order; other editions keep their separators."""
    import sys

    from cstobook.paths import ROOT

    sys.path.insert(0, str(ROOT / "_ext"))
    import bibliography_editions
    import edition_text

    def cite(key, text):
        return f'<a class="reference internal" href="references.html#{key}">{text}</a>'

    body = (f'<p>قال ذلك [{cite("id1", "Kanunnikova, n.d.")}, {cite("id2", "Leeds <em>et al.</em>, 2000")}, '
            f'{cite("id3", "24.kg, 2025")}]. وأيضًا [{cite("id4", "TASS, 2022")}].</p>')
    arabic = edition_text.isolate_latin_runs(bibliography_editions.citation_groups_as_units(body, "ar"))
    assert arabic == ('<p>قال ذلك [' + "، ".join([cite("id1", "<bdi>Kanunnikova, n.d.</bdi>"),
                                                       cite("id2", "<bdi>Leeds <em>et al.</em>, 2000</bdi>"),
                                                       cite("id3", "<bdi>24.kg, 2025</bdi>")])
                      + f']. وأيضًا [{cite("id4", "<bdi>TASS, 2022</bdi>")}].</p>')
    assert bibliography_editions.citation_groups_as_units(body, "en").count(", <a") == 2


def test_a_bracketed_latin_group_stays_in_its_run():
    """A source's title with a bracketed code or gloss is one run, not runs that change places; a
    bracket around Arabic text stays Arabic punctuation."""
    import sys

    from cstobook.paths import ROOT

    sys.path.insert(0, str(ROOT / "_ext"))
    import edition_text

    html = edition_text.isolate_latin_runs('<p>البنك الدولي: Armed forces personnel, total (MS.MIL.TOTL.P1), as exported by '
                                       'Our World in Data; البنك الدولي: GDP (current US$) (NY.GDP.MKTP.CD). '
                                       '(الحقل CONTINENT في ناتشورال إيرث) وNatural Earth (ناتشورال إيرث)</p>')
    assert html == ('<p>البنك الدولي: <bdi>Armed forces personnel, total (MS.MIL.TOTL.P1), as exported by Our World '
                    'in Data</bdi>; البنك الدولي: <bdi>GDP (current US$) (NY.GDP.MKTP.CD)</bdi>. (الحقل <bdi>CONTINENT</bdi> '
                    'في ناتشورال إيرث) و<bdi>Natural Earth</bdi> (ناتشورال إيرث)</p>')

@pytest.mark.parametrize("page", PAGES)
def test_no_latin_word_outside_isolated_runs_in_arabic_text(built_book, page):
    """No Latin word in the Arabic running text of a page translated in full, nor of any In-brief
    box, outside the runs the edition isolates (<bdi>, lang="en", code): a mixed line keeps its
    order at any width."""
    article = built_page(built_book, FOLDER + page).find("article")
    parts = [article] if page in i18n.PAGES_IN_FULL else article.select(".in-brief")
    for part in parts:
        found = re.findall(r"[A-Za-z]{2,}", arabic_text(part))
        assert found == [], f"{page}: {found[:8]} in {latin_contexts(part)[:3]}"


def latin_contexts(element) -> list[str]:
    """Where Latin words stand outside isolated runs: each text's enclosing tags, for the report."""
    from bs4 import BeautifulSoup

    copy = BeautifulSoup(str(element), "html.parser")
    for run in copy.select(ISOLATED):
        run.decompose()
    return [" > ".join(f"{p.name}{p.attrs}"[:80] for p in reversed(list(text.parents)[:4])) + f": {text[:60]!r}"
            for text in copy.find_all(string=re.compile(r"[A-Za-z]{2,}"))]


# --- How much of each page is Arabic -------------------------------------------------------------
# The share of a page's letters, outside the runs the edition isolates (ISOLATED: names, URLs,
# glosses, code) and the bibliography's entries (sources listed in their own languages), that are
# Arabic; the words of its maps count too: their legends, layer names, popups, tooltips and titles.
ARABIC_SHARE = 0.95
UNTRANSLATED_CLASS = "cstobook-untranslated"  # English left untranslated, as _ext/editions.py marks it
BIBLIOGRAPHY_ENTRIES = ".citation, .footnote"  # sphinxcontrib-bibtex's entries, in their own languages
ARABIC_LETTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# What a map document shows readers beyond its HTML (its legend): the HTML of popups and tooltips
# (folium writes it in JavaScript template literals), the layer control's names, the GeoJSON
# properties a layer shows (label, popup) and the slider's labels and title.
MAP_TEMPLATE_LITERAL = re.compile(r"`((?:[^`\\]|\\.)*)`", re.S)
MAP_LAYER_NAMES = re.compile(r"overlays\s*:\s*\{(.*?)\}", re.S)
MAP_JSON_TEXT = re.compile(r'"(?:label|popup)"\s*:\s*("(?:[^"\\]|\\.)*")')
MAP_JSON_KEY = re.compile(r'("(?:[^"\\]|\\.)*")\s*:')
MAP_SLIDER_TITLE = re.compile(r"<label for=\"[^\"]*\">([^<]*?):\s*'")


def letters(text: str) -> tuple[int, int]:
    """(Arabic letters, all letters) of `text`."""
    every = [c for c in text if unicodedata.category(c).startswith("L")]
    return sum(1 for c in every if ARABIC_LETTERS.match(c)), len(every)


def outside_isolated_runs(markup: str) -> str:
    """The text of `markup` less its isolated runs and bibliography entries. What the edition marks
    as not translated (lang="en" dir="ltr" on a whole message or output) is no isolated run: it counts."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for untranslated in soup.select(f".{UNTRANSLATED_CLASS}"):
        del untranslated["lang"], untranslated["dir"]
    for run in soup.select(f"{ISOLATED}, {BIBLIOGRAPHY_ENTRIES}"):
        run.decompose()
    return soup.get_text(" ")


def map_texts(srcdoc: str) -> list[str]:
    """The texts a map document (an iframe's srcdoc) shows readers, as HTML fragments."""
    import json

    from bs4 import BeautifulSoup

    document = BeautifulSoup(srcdoc, "html.parser")
    scripts = "\n".join(script.get_text() for script in document.find_all("script"))
    for element in document.find_all(["script", "style"]):
        element.decompose()
    texts = [str(document.body or document)]
    # folium's own code in template literals interpolates (${...}); the book's escaped texts never do
    texts += [literal for literal in MAP_TEMPLATE_LITERAL.findall(scripts) if "${" not in literal]
    texts += [json.loads(key) for block in MAP_LAYER_NAMES.findall(scripts) for key in MAP_JSON_KEY.findall(block)]
    texts += [json.loads(value) for value in MAP_JSON_TEXT.findall(scripts)]
    texts += MAP_SLIDER_TITLE.findall(scripts)
    return texts


def arabic_share(article) -> tuple[int, int]:
    """(Arabic letters, all letters) of a page's article outside its isolated runs, with its maps'
    titles and the texts their documents show."""
    texts = [outside_isolated_runs(str(article))]
    for frame in article.find_all("iframe"):
        texts.append(frame.get("title", ""))
        texts += [outside_isolated_runs(text) for text in map_texts(frame.get("srcdoc", ""))]
    counts = [letters(text) for text in texts]
    return sum(arabic for arabic, _ in counts), sum(every for _, every in counts)


def test_arabic_share_counts_letters_outside_isolated_runs_and_inside_maps():
    """The measure itself: isolated runs and bibliography entries are left out; a map's legend,
    popups, tooltips, layer names and title are counted."""
    from bs4 import BeautifulSoup

    srcdoc = html.escape(
        '<html><body><details class="cstobook-legend"><summary>مفتاح</summary></details>'
        '<script>var p = $(`<div>Popup in English</div>`)[0]; t.bindTooltip(`<div>تلميح <bdi>Reuters</bdi></div>`);'
        'var code = `${handleObject(feature.properties)}`;'
        'var l = {base_layers : {}, overlays : {"Layer" : g,},};'
        'x_add({"features": [{"properties": {"label": "\\u0628\\u0644\\u062f", "popup": "<b>Land</b>"}}]});'
        "box.innerHTML = '<label for=\"t_range\">Members on: ' + s;</script></body></html>")
    article = BeautifulSoup(f'<article><p>نص عربي <bdi>Sky News Arabia</bdi> <span lang="en">English</span></p>'
                            f'<p class="cstobook-untranslated" lang="en" dir="ltr">Not yet</p>'
                            f'<div class="citation">Reuters. A source.</div>'
                            f'<iframe title="خريطة" srcdoc="{srcdoc}"></iframe></article>', "html.parser").article
    arabic, every = arabic_share(article)
    # Arabic: نص عربي (6), خريطة (5), مفتاح (5), تلميح (5), بلد (3); Latin: Not yet (6), Popup in
    # English (14), Layer (5), Land (4), Members on (9)
    assert (arabic, every) == (24, 24 + 38)


@pytest.mark.parametrize("page", [page for page in PAGES if page in i18n.PAGES_IN_FULL])
def test_pages_translated_in_full_are_arabic_outside_isolated_runs(built_book, page):
    """On every page the edition translates in full, at least 95% of the letters outside isolated
    Latin runs (names, URLs, glosses, code) and the bibliography's entries are Arabic, the words of
    the page's maps (legends, popups, tooltips, layer names, titles) included."""
    arabic, every = arabic_share(built_page(built_book, FOLDER + page).find("article"))
    assert every and arabic / every >= ARABIC_SHARE, (
        f"{page}: {arabic / every:.1%} of {every:,} letters are Arabic (at least {ARABIC_SHARE:.0%} needed)")


def data_appendix_shown(monkeypatch, language: str) -> BeautifulSoup:
    """The HTML the data appendix's cell shows in a build of the book (not its Markdown), as
    `language`'s edition keeps it."""
    from cstobook import datapackage_docs, notebook

    monkeypatch.setenv(notebook.BOOK_BUILD_VARIABLE, "1")
    shown = []
    monkeypatch.setattr(datapackage_docs, "display", shown.append)
    datapackage_docs.show_all()
    markup = "".join(item._repr_html_() for item in shown if hasattr(item, "_repr_html_"))
    return BeautifulSoup(i18n.one_edition(markup, language), "html.parser")


def data_appendix_tables(monkeypatch, language: str) -> list:
    """The tables of fields of the data appendix, as `language`'s edition keeps them."""
    return data_appendix_shown(monkeypatch, language).find_all("table")


def test_data_appendix_field_tables_are_in_each_edition_s_language(monkeypatch):
    """The data appendix's table of fields of every resource, in the Arabic edition: caption,
    column names, types, the key's word and descriptions in Arabic (the data catalogue), each
    field's name as the file spells it, isolated left to right; in the English edition as the
    package writes them."""
    from cstobook import datapackage_docs

    described = [resource for resource in datapackage_docs.resources() if "schema" in resource]
    for language in ("en", LANGUAGE):
        tables = data_appendix_tables(monkeypatch, language)
        assert len(tables) == len(described), f"{language}: {len(tables)} tables for {len(described)} resources"
        for table, resource in zip(tables, described):
            fields = resource["schema"]["fields"]
            where = f"{language}, fields of {resource['path']}"
            rows = [[cell for cell in row.find_all("td")] for row in table.find("tbody").find_all("tr")]
            assert [row[0].get_text() for row in rows] == [field["name"] for field in fields], where
            if language == "en":
                assert table.caption.get_text() == f"Fields of {resource['path']}", where
                assert [row[1].get_text() for row in rows] == [field["type"] for field in fields], where
                assert [row[3].get_text() for row in rows] == [field.get("description", "") for field in fields], where
                continue
            assert ARABIC_LETTER.search(table.caption.get_text()) and resource["path"] in table.caption.get_text(), where
            assert all(ARABIC_LETTER.search(heading.get_text()) for heading in table.find("thead").find_all("th")), where
            english = [f"{row[0].get_text()}: {cell.get_text()!r}" for row in rows for cell in row[1:]
                       if cell.get_text().strip() and not ARABIC_LETTER.search(cell.get_text())]
            assert english == [], f"{where}: cells left in English: {english[:5]}"
            assert all(row[0].find("bdi", dir="ltr") for row in rows), f"{where}: a field name is not isolated"


def data_appendix_sources(monkeypatch, language: str) -> list:
    """The paragraphs of cited sources of the data appendix, as `language`'s edition keeps them."""
    from cstobook import datapackage_docs

    return data_appendix_shown(monkeypatch, language).find_all("p", class_=datapackage_docs.SOURCES_CLASS)


def test_data_appendix_cites_each_researched_table_s_sources_in_each_edition(monkeypatch):
    """Each researched table's sources are cited as the tables cite them: each source a link to its
    address (where it has one), labelled 'Author Year' in the edition's words, separated by the edition's
    semicolon; no paragraph of titles for a translator to keep (the Arabic one, four thousand
    characters of Latin titles and Arabic names, changed places as it wrapped)."""
    from cstobook import data, datapackage_docs, tables

    cited = [resource for resource in datapackage_docs.resources() if datapackage_docs.cited_keys(resource)]
    assert len(cited) >= 20
    urls = data.bibliography_urls()
    for language, separator in (("en", "; "), (LANGUAGE, "؛ ")):
        paragraphs = data_appendix_sources(monkeypatch, language)
        assert len(paragraphs) == len(cited), f"{language}: {len(paragraphs)} source lines for {len(cited)} tables"
        for paragraph, resource in zip(paragraphs, cited):
            keys = datapackage_docs.cited_keys(resource)
            links = paragraph.find_all("a")
            where = f"{language}, sources of {resource['path']}"
            assert [link.get("href") for link in links] == [urls[key] for key in keys if key in urls], where
            labels = [tables.author_year(key, language) for key in keys]
            assert paragraph.get_text().endswith(separator.join(labels) + "."), where
    assert all(ARABIC_LETTER.search(paragraph.em.get_text()) for paragraph in data_appendix_sources(monkeypatch, LANGUAGE))


def test_the_built_arabic_data_appendix_isolates_each_cited_source(built_book):
    """As built, in the Arabic data appendix, every source cited in a Latin script is one isolated
    unit (<bdi>), and no Latin letter stands in a source line outside one."""
    from cstobook import datapackage_docs

    page = built_page(built_book, FOLDER + "chapters/appendix-data")
    paragraphs = page.find("article").find_all("p", class_=datapackage_docs.SOURCES_CLASS)
    assert paragraphs
    loose = []
    for paragraph in paragraphs:
        for link in paragraph.find_all("a"):
            if re.search("[A-Za-z]", link.get_text()) and not (link.find("bdi") or link.find_parent("bdi")):
                loose.append(link.get_text())
        outside = "".join(text for text in paragraph.find_all(string=True) if not text.find_parent(["a", "bdi"]))
        loose += re.findall("[A-Za-z]+", outside)
    assert loose == [], f"Latin outside an isolated citation: {loose[:10]}"


def english_cells_of_field_tables(page) -> list[str]:
    """The cells (type, key, description), captions and headings of a built data appendix's
    tables of fields that hold no Arabic letter, and the field names not isolated left to right."""
    found = []
    for table in page.find("article").find_all("table"):
        heads = [cell.get_text() for cell in [table.caption, *table.find("thead").find_all("th")]]
        found += [f"heading {text!r}" for text in heads if not ARABIC_LETTER.search(text)]
        for row in table.find("tbody").find_all("tr"):
            name, *cells = row.find_all("td")
            if not name.find("bdi", dir="ltr"):
                found.append(f"field name {name.get_text()!r} not isolated")
            found += [f"{name.get_text()}: {cell.get_text()!r}" for cell in cells
                      if cell.get_text().strip() and not ARABIC_LETTER.search(cell.get_text())]
    return found


def test_arabic_data_appendix_shows_its_field_tables_in_arabic(built_book):
    """As built, the Arabic data appendix shows every resource's table of fields, and none of
    their captions, headings, types, key words or descriptions in English."""
    from cstobook import datapackage_docs

    page = built_page(built_book, FOLDER + "chapters/appendix-data")
    tables = page.find("article").find_all("table")
    assert len(tables) == sum("schema" in resource for resource in datapackage_docs.resources())
    assert english_cells_of_field_tables(page) == []


def test_the_pdf_title_page_gives_the_licences_in_the_edition_s_language():
    """The licences under the title (the citation file's note) are in the edition's words; the
    citation itself names the book as published, in English, in every edition."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_pdf
    finally:
        sys.path.remove(str(ROOT / "tools"))
    english = edition.licence_note()
    arabic = i18n.translate(english, "ar", "edition")
    assert arabic != english and re.search("[\u0600-\u06ff]", arabic)
    assert english in html.unescape(make_pdf.title_page("en"))
    page = html.unescape(make_pdf.title_page("ar"))
    assert arabic in page and english not in page
    assert "Cite as: " in page
