"""One consistent book: the fixes of issue 19's list of contradictions, each held by a test where a
test can hold it. Every rule is checked by a helper that the tests also run on a planted case, so
that each test is shown able to fail.

- The claims register and the chapters' "In brief" boxes use one verdict scale: a chapter whose
  box tests a claim of the register (`tested_in` in data/claims.csv) opens its verdict with the
  register's verdict.
- "Checkable claims" counts only checkable claims: the verdict chapter's headline count excludes
  opinions and lists every other verdict, so that its numbers add up.
- Map popups never show a raw ISO date or bibliography key (cstobook.maps refuses to draw one), and
  no built page prints a date known only to its month or year as the 1st of a month, or a raw
  bibliography key in its text.
- A glued count is never called "all" of a group (it said "all 4 Central Asian governments" where
  there are five).
- The Kremlin spokesman's statement of June 2022 is quoted in one wording, the source's.
"""
from __future__ import annotations

import calendar
import re
from pathlib import Path

import pytest

from cstobook import data, maps
from conftest import ROOT

SCALE = ("accurate", "imprecise", "wrong", "unverifiable", "opinion")
VERDICT_MARK = re.compile(r"\*\*(?:The )?[Vv]erdict\.\*\*\s*([A-Za-z]+)")


def in_brief(text: str) -> str:
    """The "In brief" box of a chapter's MyST text."""
    match = re.search(r":::\{admonition\} In brief\n(.*?)\n:::", text, re.S)
    assert match, "no In brief box"
    return match.group(1)


def verdict_disagreements(claims, pages: dict[str, str]) -> list[str]:
    """Claims whose register verdict does not open the verdict of a chapter's box that tests them."""
    problems = []
    for claim in claims.dropna(subset=["tested_in"]).itertuples():
        for label in claim.tested_in.split(";"):
            found = VERDICT_MARK.search(in_brief(pages[label]))
            word = found.group(1).lower() if found else None
            if word != claim.verdict:
                problems.append(f"{claim.claim_id}: the register says {claim.verdict!r}, the box of "
                                f"{label} opens its verdict with {word!r}")
    return problems


def chapter_texts() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in (ROOT / "chapters").glob("*.md")}


def test_the_register_and_the_chapters_boxes_give_the_same_verdict():
    claims = data.load_table("claims")
    assert set(claims["verdict"]) <= set(SCALE)
    assert claims["tested_in"].notna().sum() >= 5, "the claims tested by chapters' boxes are not marked"
    assert not verdict_disagreements(claims, chapter_texts())


def test_a_box_with_another_scale_is_caught():
    claims = data.load_table("claims")
    pages = chapter_texts()
    planted = dict(pages, instead=pages["instead"].replace("**Verdict.** Opinion,", "**Verdict.** Partly supported,"))
    assert planted["instead"] != pages["instead"]
    assert any(problem.startswith("c13:") for problem in verdict_disagreements(claims, planted))


def headline_problems(text: str) -> list[str]:
    """The verdict chapter's headline: 'checkable claims' glues a count without opinions, computed
    so, and the box names every verdict but opinion, so that its figures add up."""
    box = in_brief(text)
    problems = [f"{name!r} is called checkable but is not the count without opinions"
                for name in re.findall(r"`(\w+)` checkable", box) if name != "n_checkable"]
    if not re.search(r'glue\("n_checkable", int\(\(claims\["verdict"\] != "opinion"\)\.sum\(\)\)', text):
        problems.append("n_checkable is not computed as the claims whose verdict is not 'opinion'")
    problems += [f"the box does not give the number of {verdict} claims"
                 for verdict in SCALE if f"`n_{verdict}`" not in box]
    return problems


def test_checkable_claims_count_only_checkable_ones():
    assert not headline_problems((ROOT / "chapters" / "verdict.md").read_text(encoding="utf-8"))


def test_a_headline_counting_opinions_as_checkable_is_caught():
    text = (ROOT / "chapters" / "verdict.md").read_text(encoding="utf-8")
    planted = text.replace("`n_checkable` checkable", "`n_claims` checkable", 1)
    assert planted != text and headline_problems(planted)


def test_popups_refuse_raw_dates_and_bibliography_keys():
    with pytest.raises(ValueError, match="ISO date"):
        maps.popup_html("Belarus", [("Bases", "2022-09: troops sent")])
    with pytest.raises(ValueError, match="bibliography key"):
        maps.popup_html("Belarus", [("Bases", "troops sent [rferl_tajik_base_2022]")])
    assert "September 2022" in maps.popup_html("Belarus", [("Bases", f"{maps.when('2022-09')}: troops sent")])


def table_names() -> list[str]:
    import json

    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    return [resource["name"] for resource in package["resources"] if resource["path"].endswith(".csv")]


def partial_dates_in_data() -> set[str]:
    """Every date of the data known only to its month or year ('2022-09', '1993')."""
    found = set()
    for table in table_names():
        frame = data.load_table(table)
        for column in frame.columns:
            if column == "date" or column.endswith("_date"):
                found |= {value for value in frame[column].dropna().astype(str) if re.fullmatch(r"\d{4}(-\d{2})?", value)}
    return found


def full_dates_in_data() -> set[str]:
    found = set()
    for table in table_names():
        frame = data.load_table(table)
        for column in frame.columns:
            if column == "date" or column.endswith("_date") or column == "created":
                found |= {str(value)[:10] for value in frame[column].dropna() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)[:10])}
    return found


def first_of_month_slips(text: str, partial: set[str], full: set[str]) -> list[str]:
    """Dates known only to the month (or year) printed as the 1st of it ('1 September 1993',
    '1 Sep 1993'), unless the data also hold that 1st as a full date."""
    slips = []
    for iso in partial:
        year, month = int(iso[:4]), int(iso[5:7]) if len(iso) == 7 else 1
        if f"{year:04d}-{month:02d}-01" in full:
            continue
        for name in (calendar.month_name[month], calendar.month_abbr[month]):
            if re.search(rf"(?<!\d)1 {name} {year}\b", text):
                slips.append(f"1 {name} {year} (the data know only {iso})")
    return slips


def test_month_only_dates_are_spelled_without_a_day():
    partial = partial_dates_in_data()
    assert "1993-09" in partial or any(len(iso) == 7 for iso in partial)
    assert not [iso for iso in partial if re.match(r"\d{1,2} ", maps.when(iso))]


def test_a_month_only_date_printed_as_the_first_is_caught():
    assert first_of_month_slips("Armenia: 1 Sep 1993, accession", {"1993-09"}, set())
    assert not first_of_month_slips("Armenia: September 1993, accession", {"1993-09"}, set())
    assert not first_of_month_slips("1 September 1993", {"1993-09"}, {"1993-09-01"})


def visible_text(html: str) -> str:
    """A built page's text as readers see it: without code cells, scripts and styles."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")  # a copy of its own: it is changed below
    for hidden in soup.select("script, style, .cell_input, .highlight"):
        hidden.decompose()
    return soup.get_text(" ")


def popup_texts(html: str) -> list[str]:
    """The popups of a page's maps, as text (folium writes them into scripts, HTML-escaped)."""
    import html as html_module

    unescaped = html_module.unescape(html_module.unescape(html))
    return [re.sub(r"<[^>]+>", " ", popup) for popup in re.findall(r"cstobook-popup.*?</table>", unescaped, re.S)]


def raw_keys(text: str, keys: set[str]) -> list[str]:
    return sorted({word for word in re.findall(r"[A-Za-z0-9_]+", text) if "_" in word and word in keys})


def test_a_raw_bibliography_key_is_caught():
    keys = set(data.bibliography_entries())
    assert raw_keys("Kremlin: not discussed [tass_peskov_csto_2022]", keys) == ["tass_peskov_csto_2022"]
    assert not raw_keys("Kremlin: not discussed [TASS 2022]", keys)
    planted = "<div class='cstobook-popup'><table><tr><td>2022-06-20: x [tass_peskov_csto_2022]</td></tr></table>"
    assert raw_keys(" ".join(popup_texts(planted)), keys)


def built_pages(html: Path) -> list[Path]:
    return sorted(path for path in html.glob("**/*.html")
                  if not path.relative_to(html).parts[0].startswith(("_", "ar")) and path.name not in {"genindex.html", "search.html"})


@pytest.mark.full_build
def test_no_built_page_prints_a_partial_date_as_the_first_or_a_raw_key(built_book):
    partial, full = partial_dates_in_data(), full_dates_in_data()
    keys = set(data.bibliography_entries())
    problems = []
    for path in built_pages(built_book):
        html = path.read_text(encoding="utf-8")
        page = path.relative_to(built_book).as_posix()
        text = visible_text(html)
        popups = " ".join(popup_texts(html))
        problems += [f"{page}: {slip}" for slip in first_of_month_slips(text + " " + popups, partial, full)]
        problems += [f"{page}: raw bibliography key {key}" for key in raw_keys(text + " " + popups, keys)]
    assert not problems, "\n".join(problems)


def all_of_a_count(text: str) -> list[str]:
    return re.findall(r"\b[Aa]ll (?:the )?\{glue:text\}`\w+`[^.]{0,40}", text)


def test_a_glued_count_is_never_called_all_of_a_group():
    problems = {page: found for page, text in chapter_texts().items() if (found := all_of_a_count(text))}
    assert not problems, problems
    assert all_of_a_count("and in all {glue:text}`n_warning_states` Central Asian governments had warned")


PESKOV = "tass_peskov_csto_2022"


def quoted(text: str) -> list[str]:
    """Quoted phrases: a quotation mark after a space or bracket, its closing mark before a space or
    punctuation (an apostrophe inside a word, as in "Kremlin's", opens nothing)."""
    return [q for q in re.findall(r"(?:^|(?<=[\s(]))[\"“‘']([^\"”’]{6,}?)[\"”’'](?=[\s.,;:)]|$)", text) if " " in q]


def misquotations(pages: dict[str, str]) -> list[str]:
    """Quotations of the Kremlin spokesman's June 2022 statement, in tables and in the paragraphs
    that cite it, that are not the source's words."""
    words = " ".join(data.load_table(table).query("source_id == @PESKOV")["evidence"].str.cat(sep=" ")
                     for table in ("russia_alternatives", "aftermath_events"))
    assert words, "the statement's evidence is not in the data"
    problems = []
    for table, column in (("russia_alternatives", "what"), ("aftermath_events", "event"), ("claims", "evidence_summary")):
        frame = data.load_table(table)
        rows = frame[frame[column].str.contains("Peskov|Kremlin", na=False)] if table == "claims" else frame.query("source_id == @PESKOV")
        problems += [f"{table}: {q!r}" for text in rows[column] for q in quoted(text) if q not in words and re.search("discuss|consider", q)]
    for page, text in pages.items():
        for paragraph in text.split("\n\n"):
            if PESKOV in paragraph:
                problems += [f"{page}: {q!r}" for q in quoted(paragraph) if re.search("discuss|consider", q) and q not in words]
    return problems


def test_the_kremlin_statement_is_quoted_in_one_wording():
    assert not misquotations(chapter_texts())


def test_a_second_wording_is_caught():
    pages = chapter_texts()
    planted = dict(pages, verdict=pages["verdict"].replace('"has not been discussed yet"', '"has not been considered"'))
    assert planted["verdict"] != pages["verdict"] and misquotations(planted)
