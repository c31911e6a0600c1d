"""The collective forces and the tests of the alliance: the tables hold what the chapters claim,
the decision grid (a table) shows every case, and the chapters agree on Armenia and Kazakhstan."""
from __future__ import annotations

import re

import matplotlib
import pytest

from cstobook import charts, data, decision_table
from colour_vision import contrast_ratio
from conftest import ROOT

matplotlib.use("Agg")

KAZAKHSTAN_AND_ARMENIA = ("Kazakhstan's request of January 2022 was answered under Article 4; "
                          "Armenia's of September 2022 was not")


@pytest.fixture(scope="module")
def cases():
    table = data.load_table("mandate_cases")
    table["when"] = data.partial_dates(table["date"])
    return table


@pytest.fixture(scope="module")
def conditions():
    return data.load_table("mandate_conditions").set_index("condition_id")["condition"].to_dict()


def prose(page: str) -> str:
    return re.sub(r"\s+", " ", (ROOT / "chapters" / f"{page}.md").read_text(encoding="utf-8"))


def test_every_case_is_assessed_on_every_condition(cases, conditions):
    assert cases["case_id"].nunique() >= 10
    for case_id, rows in cases.groupby("case_id"):
        assert sorted(rows["condition_id"]) == sorted(conditions), f"{case_id} is not assessed on every condition"
        assert rows["outcome"].nunique() == 1, f"{case_id} has more than one collective response"
        assert rows["case"].nunique() == 1 and rows["date"].nunique() == 1, case_id


def test_cases_named_by_the_brief_are_all_there(cases):
    wanted = {"Kyrgyzstan, June 2010", "Belarus, August 2020", "second Karabakh war", "Kyrgyzstan and Tajikistan, April 2021",
              "Kyrgyzstan and Tajikistan, September 2022", "Armenia, May 2021", "Armenia, November 2021",
              "Armenia, September 2022", "Armenia, September 2023", "Kazakhstan, January 2022",
              "Russia, 2022", "Russia, August 2024", "Tajikistan, July 2021"}
    names = " | ".join(cases["case"].unique())
    assert not [w for w in wanted if w not in names]


def test_decision_grid_shows_every_case_condition_and_outcome(cases, conditions):
    """The grid is a table: a row per case, oldest first, headed by its name; a column per
    condition, headed by its id and wording, then the collective response; every cell names its
    value in words and carries its value's class (its colours)."""
    from bs4 import BeautifulSoup

    table = BeautifulSoup(decision_table.decision_table(cases, conditions, "grid"), "html.parser").table
    per_case = cases.sort_values("when", kind="stable").drop_duplicates("case_id")  # the grid's order, ties included
    assert [th.get_text() for th in table.select("tbody th[scope=row]")] == per_case["case"].tolist()
    headings = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert headings == ["Case", *(f"{cid} {wording}" for cid, wording in conditions.items()), "Collective response"]
    rows = [[(td.get_text(), td["class"]) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    for (_, case), row in zip(per_case.iterrows(), rows):
        coded = cases[cases["case_id"] == case["case_id"]].set_index("condition_id")["assessment"]
        assert [word for word, _ in row] == [*(coded[c] for c in conditions), case["outcome"]], case["case_id"]
        assert all(decision_table.code_class(word) in classes for word, classes in row), case["case_id"]
        assert "cstobook-grid-response" in row[-1][1] and not any("cstobook-grid-response" in c for _, c in row[:-1])


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_decision_grid_words_read_on_every_cell(dark):
    """Every value's words on its cell's ground reach WCAG AA (4.5:1), in the light and dark theme."""
    weak = {code: round(contrast_ratio(ground, ink), 2) for code in decision_table.CODE_COLOURS
            for ground, ink, _ in [decision_table.cell_colours(code, dark)] if contrast_ratio(ground, ink) < 4.5}
    assert weak == {}


def test_decision_grid_in_arabic_says_every_word_in_arabic(cases, conditions):
    """The Arabic edition's grid: caption, headings, case names, values and source note all come
    from the catalogues; no Latin letter is left on it."""
    from bs4 import BeautifulSoup

    box = BeautifulSoup(decision_table.decision_table(
        cases, conditions, "Every test of the alliance: the conditions and the collective response", "ar"), "html.parser")
    box.style.decompose()
    assert not re.findall(r"[A-Za-z]+", box.get_text(" ")), box.get_text(" ")


def test_vote_grid_still_draws_a_plain_grid():
    """category_grid's other user, the UN vote grid of the partners chapter, keeps its cells and
    draws no divider."""
    votes = data.load_table("unga_votes")
    rows = ["RUS", "BLR", "KAZ"]
    grid = votes[votes["iso3"].isin(rows)].pivot(index="iso3", columns="resolution", values="vote").loc[rows]
    ax = charts.vote_grid(grid, {r: r for r in rows}, "votes").axes[0]
    assert not ax.lines
    assert len(ax.texts) == grid.size
    assert {t.get_text() for t in ax.texts} <= {name for name, _, _ in charts.VOTE_STYLE.values()}


def test_armenia_2022_is_documented_in_fact_and_disputed_in_qualification(cases):
    """The grid marks the aggression of September 2022 'disputed' and the territory 'met'; the prose
    may call the attack documented only where it also says what was disputed."""
    armenia = cases[cases["case_id"] == "ARM-2022-09"].set_index("condition_id")
    assert armenia.loc["C1", "assessment"] == "disputed"
    assert armenia.loc["C4", "assessment"] == "met"
    assert "documented" in armenia.loc["C1", "explanation"] and "disputed" in armenia.loc["C1", "explanation"]
    paragraphs = (ROOT / "chapters" / "mandate.md").read_text(encoding="utf-8").split("\n\n")
    about_2022 = [p for p in paragraphs if "documented" in p and "Armenia" in p and "2022" in p]
    assert about_2022, "the chapter says what is documented about Armenia in 2022"
    for paragraph in about_2022:
        assert "disputed" in paragraph and "Azerbaijan" in paragraph, paragraph[:200]


@pytest.mark.parametrize("page", ["mandate", "forces"])
def test_chapters_use_the_agreed_wording_on_kazakhstan_and_armenia(page):
    assert KAZAKHSTAN_AND_ARMENIA in prose(page)


def test_forces_table_defines_each_collective_force():
    forces = data.load_table("csto_forces").set_index("force_id")
    assert {"crdf", "crrf", "peacekeeping"} <= set(forces.index)
    assert "UN Security Council" in forces.loc["peacekeeping", "deployment_conditions"]
    sizes = set(data.load_table("force_estimates")["force_id"])
    linked = forces["size_force_id"].dropna()
    assert not set(linked) - sizes, "every linked size exists in force_estimates"
    assert all(forces["evidence"].str.len() > 40)


def test_forces_chapter_opens_with_the_in_brief_box():
    text = (ROOT / "chapters" / "forces.md").read_text(encoding="utf-8")
    body = text.split("\n# ", 1)[1].split("\n", 1)[1].lstrip("\n")
    box = body.split("\n:::\n", 1)[0]  # its paragraphs (a long one split, issue 25), up to the box's end
    assert re.fullmatch(r":::\{admonition\} In brief\n:class: in-brief\n\*\*Claim\.\*\* .+\s\*\*Verdict\.\*\* .+\s"
                        r"\*\*Headline number\.\*\* .*\{glue:text\}`\w+`.*", box, re.S), "In brief box right after the title"


# The legal model in three layers (issue 19): Article 4 (attack, request), the Council's decision on
# the collective forces, and the territorial practice; the grid's columns and the chapters follow it.

def test_conditions_name_their_layer_and_the_territorial_limit_is_a_practice():
    table = data.load_table("mandate_conditions").set_index("condition_id")
    layers = {cid: re.match(r"Layer (\d)", basis).group(1) for cid, basis in table["basis"].items()}
    assert layers == {"C1": "1", "C2": "1", "C3": "2", "C4": "3"}
    assert "not an article" in table.loc["C4", "basis"]
    assert "Not a condition of each member's own obligation" in table.loc["C3", "basis"]


@pytest.mark.parametrize("phrase", ["plainly fitted", "the text refused for them", "The treaty's text was not decisive",
                                    "the text for once fitted", "the treaty's text at last fitted"])
def test_no_chapter_keeps_the_old_reading_of_the_treaty(phrase):
    """Kursk is coded 'disputed' on the attack and 'met' on territory; no chapter may say the
    treaty plainly fitted it, or that the text alone refused Russia."""
    for page in (ROOT / "chapters").glob("*.md"):
        assert phrase.lower() not in prose(page.stem).lower(), f"{page.name}: {phrase!r}"


def test_kursk_is_coded_as_the_chapters_describe_it(cases):
    kursk = cases[cases["case_id"] == "RUS-2024-08"].set_index("condition_id")["assessment"]
    assert kursk.to_dict() == {"C1": "disputed", "C2": "not met", "C3": "not met", "C4": "met"}
    assert "zone of responsibility" in prose("mandate") and "disputed" in prose("mandate")


@pytest.mark.parametrize("occasion", ["Osh", "Rasht", "October 2020", "Gorno-Badakhshan", "Wagner", "Belgorod region",
                                      "Belgorod and Kursk", "Crocus", "deep into Russia", "Kursk region",
                                      "Kazakhstan, January 2022", "Armenia, May 2021", "Armenia, September 2022",
                                      "Kyrgyzstan and Tajikistan, April 2021", "Kyrgyzstan and Tajikistan, September 2022"])
def test_every_occasion_the_codebook_names_is_coded(cases, occasion):
    assert cases["case"].str.contains(occasion, regex=False).any(), occasion


def test_forces_chapter_cites_article_6_for_force_beyond_members_territory():
    assert "Article 6 of the 1992 treaty" in prose("forces")


def test_alliance_clauses_compare_the_four_clauses_in_their_original_language():
    clauses = data.load_table("alliance_clauses").set_index("clause_id")
    assert set(clauses.index) == {"CST-4", "RUS-PRK-4", "RUS-BLR-4", "NAT-5"}
    for column in ["trigger", "who_decides", "territorial_scope", "form_of_help", "when_invoked", "quote", "quote_en",
                   "source_id", "evidence"]:
        assert clauses[column].fillna("").str.strip().ne("").all(), column
    assert clauses.loc[["CST-4", "RUS-PRK-4", "RUS-BLR-4"], "quote_language"].eq("ru").all()
    assert re.search("[а-я]", clauses.loc["CST-4", "quote"]) and "просьбе" in clauses.loc["CST-4", "quote"]
    assert "(alliance-clauses)=" in (ROOT / "chapters" / "mandate.md").read_text(encoding="utf-8")
