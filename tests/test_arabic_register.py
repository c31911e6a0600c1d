"""The claims register in the Arabic edition: every claim of the register, in the Arabic part of
the register the verdict chapter writes, with the article's own words, an Arabic verdict from the
glossary's verdict scale and a translated evidence summary; and a complete data catalogue.

The register is built by running the verdict chapter's own register cell (with the chapter's own
`moves`), so what is checked is what the chapter shows, before any edition's build step."""
from __future__ import annotations

import ast
import os
import csv
import re
from functools import lru_cache

import jupytext
import pandas as pd
import polib
import pytest
from bs4 import BeautifulSoup

from build_support import ROOT
from cstobook import catalogues, data, i18n, tables

import build_integrity  # noqa: E402 - on sys.path through build_support

VERDICT_CHAPTER = ROOT / "chapters" / "verdict.md"
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
LANGUAGE = "ar"
VERDICTS = ("accurate", "imprecise", "wrong", "unverifiable", "opinion")


def glossary_verdicts() -> dict[str, str]:
    with (ROOT / "locales" / "ar" / "glossary.csv").open(encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row["kind"] == "the verdict scale"]
    return {row["english"]: row["arabic"] for row in rows if row["english"] in VERDICTS}


def chapter_code() -> list[str]:
    notebook = jupytext.read(VERDICT_CHAPTER)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def chapter_moves() -> dict[int, str]:
    """The `moves` the chapter defines (a literal dict), as its register cell uses them."""
    for source in chapter_code():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["moves"]:
                return ast.literal_eval(node.value)
    raise AssertionError("the verdict chapter no longer defines its moves")


def run_register_cell(claims) -> str:
    """The HTML the chapter's register cell displays (its last expression), run as the chapter
    runs it, with the chapter's claims table and moves."""
    source = next(s for s in chapter_code() if "filterable" in s and "register" in s)
    module = ast.parse(source)
    *body, last = module.body
    assert isinstance(last, ast.Expr), "the register cell no longer ends by showing the register"
    namespace = {"claims": claims, "moves": chapter_moves(), "tables": tables}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(VERDICT_CHAPTER), "exec"), namespace)
    shown = eval(compile(ast.Expression(last.value), str(VERDICT_CHAPTER), "eval"), namespace)
    return shown.data


@lru_cache(maxsize=None)
def register_page() -> BeautifulSoup:
    """The register as the book's build shows it (both editions; a notebook outside the book
    shows the English one only)."""
    from cstobook import notebook

    previous = os.environ.get(notebook.BOOK_BUILD_VARIABLE)
    os.environ[notebook.BOOK_BUILD_VARIABLE] = "1"
    try:
        return BeautifulSoup(run_register_cell(data.load_table("claims")), "html.parser")
    finally:
        if previous is None:
            del os.environ[notebook.BOOK_BUILD_VARIABLE]
        else:
            os.environ[notebook.BOOK_BUILD_VARIABLE] = previous


def edition_table(page: BeautifulSoup, language: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Column names and rows (by claim id, first column) of one edition's register."""
    editions = page.select(f'div.{i18n.EDITION_CLASS}[lang="{language}"]')
    assert len(editions) == 1, f"{len(editions)} {language} editions of the register"
    table = editions[0].select_one("table.cstobook-table")
    assert table is not None, f"no register table in the {language} edition"
    headings = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = {}
    for tr in table.select("tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        rows[cells[0]] = dict(zip(headings, cells))
    return headings, rows


def test_every_claim_is_in_the_arabic_register_with_verdict_and_evidence():
    claims = data.load_table("claims")
    scale = glossary_verdicts()
    assert sorted(scale) == sorted(VERDICTS), "the glossary lacks a verdict of the scale"
    say = {name: i18n.translate(name, "ar") for name in ("Claim", "Move", "Arabic excerpt", "Who",
                                                          "Verdict", "Evidence", "Sources")}
    assert all(ARABIC_LETTER.search(word) for word in say.values()), say
    headings, rows = edition_table(register_page(), "ar")
    assert headings == list(say.values()), headings  # the Arabic register's columns, in order
    assert set(rows) == set(claims["claim_id"]), set(claims["claim_id"]) ^ set(rows)
    moves = chapter_moves()
    for claim in claims.itertuples():
        row = rows[claim.claim_id]
        assert row[say["Verdict"]] == scale[claim.verdict], (claim.claim_id, row[say["Verdict"]])
        assert i18n.is_translated(claim.evidence_summary, "ar"), f"{claim.claim_id}: evidence summary untranslated"
        evidence = row[say["Evidence"]]
        assert evidence == i18n.translate(claim.evidence_summary, "ar") and ARABIC_LETTER.search(evidence), claim.claim_id
        assert row[say["Arabic excerpt"]] == claim.arabic_excerpt, f"{claim.claim_id}: not the article's own words"
        for column, english in (("Who", claim.speaker), ("Move", moves[claim.move])):
            assert i18n.is_translated(english, "ar") and ARABIC_LETTER.search(row[say[column]]), (claim.claim_id, column)
        assert row[say["Sources"]], f"{claim.claim_id}: no sources"


def test_the_english_register_is_unchanged_beside_the_arabic():
    claims = data.load_table("claims")
    headings, rows = edition_table(register_page(), "en")
    assert headings == ["Claim", "Move", "Arabic excerpt", "Translation", "Who", "Verdict", "Evidence", "Sources"]
    for claim in claims.itertuples():
        assert rows[claim.claim_id]["Evidence"] == claim.evidence_summary
        assert rows[claim.claim_id]["Verdict"] == claim.verdict


def test_both_registers_filter_on_one_page_with_their_own_controls():
    """Two filterable tables on one page: unique ids (each script finds its own table), and the
    Arabic one's controls, options and card labels in Arabic, right to left."""
    page = register_page()
    ids = [element["id"] for element in page.select("[id]")]
    assert len(ids) == len(set(ids)), "ids repeat on the page"
    boxes = {box.find_parent("div", class_=i18n.EDITION_CLASS)["lang"]: box for box in page.select("div.cstobook-filter")}
    assert sorted(boxes) == ["ar", "en"]
    assert len({box["id"] for box in boxes.values()}) == 2
    for box in boxes.values():
        assert f'getElementById("{box["id"]}")' in box.script.string
    arabic = boxes["ar"]
    assert arabic.get("dir") == "rtl" and arabic.get("lang") == "ar"
    search = arabic.select_one("input[type=search]")
    words = [search["aria-label"], search["placeholder"], arabic.select_one("label").get_text(" ", strip=True),
             arabic.output["data-shown"]]
    words += [label.find(string=True, recursive=False).strip() for label in arabic.select("label:has(select)")]
    words += [option.get_text() for option in arabic.select("select option")]
    untranslated = [word for word in words if not ARABIC_LETTER.search(word)]
    assert untranslated == [], f"filter controls not in Arabic: {untranslated}"
    assert "{shown}" in arabic.output["data-shown"] and "{total}" in arabic.output["data-shown"]
    labels = re.findall(r'td\.col\d+::before\{content:"([^"]*)"', arabic.style.string)
    assert labels and all(ARABIC_LETTER.search(label) for label in labels), labels  # the phone's cards


def test_filter_options_match_the_cells_they_filter():
    """A drop-down option is kept only by rows whose cell says exactly that (the filter script
    compares text): in Arabic too, every option is the text of some cell of its column."""
    for box in register_page().select("div.cstobook-filter"):
        rows = box.select("tbody tr")
        for select in box.select("select"):
            column = int(select["data-column"])
            cells = {row.find_all("td")[column].get_text(strip=True) for row in rows}
            options = {option["value"] for option in select.select("option") if option["value"]}
            assert options == cells, (box["id"], options ^ cells)


def test_data_catalogue_is_complete():
    """Every message of the data catalogue is translated and none is fuzzy, the catalogue holds
    every message the code extracts, and placeholders survive translation."""
    catalogue = polib.pofile(str(i18n.catalogue_path("ar", "data")))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert not catalogue.metadata_is_fuzzy
    translated = {entry.msgid for entry in catalogue.translated_entries()}
    missing = [message for message in catalogues.messages("data") if message not in translated]
    assert missing == [], f"run tools/build_edition.py --catalogues and translate: {missing[:5]}"
    for entry in catalogue.translated_entries():
        assert set(re.findall(r"\{\w+\}", entry.msgid)) == set(re.findall(r"\{\w+\}", entry.msgstr)), entry.msgid


def test_a_change_of_translation_executes_the_verdict_chapter_again():
    """The Arabic cells are written when the chapter runs: the execution cache must see the data
    catalogue as an input of the chapter, or an edition would show stale translations."""
    inputs = build_integrity.notebook_inputs("\n".join(chapter_code()), ROOT)
    assert str(i18n.catalogue_path("ar", "data").relative_to(ROOT)) in inputs, inputs


def test_claimreview_is_published_once_per_edition_in_its_language():
    """The register is shown once per edition, and so are its ClaimReview data: the English page's
    in English, the Arabic page's in Arabic (the claim in the article's words, the verdict as the
    glossary names it, the evidence as the data catalogue translates it, the people by their
    Arabic names, its own address), with no English sentence left in them."""
    from cstobook import claimreview

    claims = data.load_table("claims")
    english = claimreview.claim_reviews(claims)
    arabic = claimreview.claim_reviews(claims, LANGUAGE)
    assert {review["inLanguage"] for review in english} == {"en"}
    assert {review["inLanguage"] for review in arabic} == {LANGUAGE}
    scale = glossary_verdicts()
    for claim, review in zip(claims.itertuples(), arabic):
        assert review["url"].endswith(f"/{LANGUAGE}/chapters/verdict.html") and review["identifier"] == claim.claim_id
        assert review["claimReviewed"] == review["itemReviewed"]["text"] == claim.arabic_excerpt
        assert review["reviewRating"]["name"] == review["reviewRating"]["alternateName"] == scale[claim.verdict]
        assert review["reviewRating"]["ratingExplanation"] == i18n.translate(claim.evidence_summary, LANGUAGE, "data")
        for name in (review["itemReviewed"]["author"]["name"], review["author"]["name"], review["isPartOf"]["name"],
                     review["itemReviewed"]["appearance"]["publisher"]["name"]):
            assert ARABIC_LETTER.search(name) and not re.search(r"[A-Za-z]{3,}", name), name
        assert "alternativeHeadline" not in review["itemReviewed"]["appearance"]
    assert "ClaimReview" not in str(register_page())
    assert sum("claimreview.json_ld(" in source for source in chapter_code()) == 1


@pytest.mark.parametrize("verdict", VERDICTS)
def test_verdicts_are_translated_as_the_glossary_says(verdict):
    assert i18n.translate(verdict, "ar") == glossary_verdicts()[verdict]


def test_names_catalogue_is_complete():
    """The names catalogue holds every name that cites a source, none fuzzy; every name citing a
    source of a table on a translated page has its Arabic form on record (an outlet's or
    institution's Arabic name, or the name kept in its own script on purpose)."""
    catalogue = polib.pofile(str(i18n.catalogue_path("ar", "names")))
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    held = {entry.msgid for entry in catalogue}
    assert [name for name in catalogues.source_names() if name not in held] == [], \
        "run tools/build_edition.py --catalogues"
    translated = {entry.msgid for entry in catalogue.translated_entries()}
    shown = catalogues.names_on_translated_pages()
    assert "Reuters" in shown
    missing = [name for name in shown if name not in translated]
    assert missing == [], f"translate in locales/ar/LC_MESSAGES/names.po: {missing[:5]}"


def test_an_arabic_table_cites_its_sources_by_their_arabic_names():
    """The Sources column of the Arabic register names an outlet as Arabic readers know it ('رويترز
    2022'), linking to the same source as the English; a scholar keeps the name the bibliography
    lists."""
    names = i18n.catalogue("ar", "names")
    keys = list(data.bibliography_entries())
    outlet = next(k for k in keys if tables.source_name(k) == "Reuters")
    scholar = next(k for k in keys if tables.source_name(k) == "Allison")
    english, arabic = tables.source_links(outlet), tables.source_links(outlet, language="ar")
    assert ">Reuters " in english and f">{names['Reuters']} " in arabic
    assert re.search(r'href="[^"]+"', english)[0] == re.search(r'href="[^"]+"', arabic)[0]
    assert ">Allison " in tables.source_links(scholar, language="ar")
    styled = tables.styled(pd.DataFrame({"Claim": ["x"], "Sources": [outlet]}), "Cap", language="ar").to_html()
    assert f">{names['Reuters']} " in styled
