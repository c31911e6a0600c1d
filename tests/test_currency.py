"""Current to the record date (record.yml): no row is still "planned" or "announced" with a date
before it; no sentence of the book calls an event "scheduled", "upcoming", "planned" or "will be
held" when the date it names is over; every "latest" year in prose is glued from the latest row of
its table, never typed. Each rule is also shown failing on a planted row or sentence, in a
temporary copy of the data or of a page, never in the book itself (cstobook.currency)."""
from __future__ import annotations

import ast
import datetime as dt
import json
import re
import shutil

import pandas as pd
import pytest

from build_support import ROOT
from cstobook import currency, data, edition, toc
from test_provenance import prose_lines

RECORD = edition.record_complete_to()
DATA = ROOT / "data"
TEXT_COLUMNS = ("event", "description", "label")  # the cells of a status table that pages show


def resources() -> list[dict]:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]


def status_tables(folder=DATA) -> dict[str, pd.DataFrame]:
    """Every table of the data package with a `status` column, read from `folder`."""
    found = {}
    for resource in resources():
        if any(field["name"] == "status" for field in resource.get("schema", {}).get("fields", [])):
            found[resource["name"]] = pd.read_csv(folder / resource["path"], dtype=str, keep_default_na=False)
    return found


def paragraphs(text: str) -> list[tuple[int, str]]:
    """The prose of a page as paragraphs (consecutive prose lines), each with its first line."""
    found: list[tuple[int, str]] = []
    previous = None
    for number, line in prose_lines(text):
        if previous is not None and number == previous + 1 and line.strip() and found:
            found[-1] = (found[-1][0], f"{found[-1][1]} {line.strip()}")
        elif line.strip():
            found.append((number, line.strip()))
        previous = number if line.strip() else None
    return found


def page_texts(page: str, source=None) -> list[tuple[str, str]]:
    source = source or toc.source_file(page)
    return [(f"{source.relative_to(ROOT) if source.is_relative_to(ROOT) else source.name}, line {number}", text)
            for number, text in paragraphs(source.read_text(encoding="utf-8"))]


def cell_texts(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    return [(f"data/{name}.csv, row {row.iloc[0]}, column {column}", row[column])
            for name, table in tables.items() for _, row in table.iterrows()
            for column in TEXT_COLUMNS if column in table.columns and row[column]]


# --- the record date ----------------------------------------------------------------------------

def test_the_record_date_is_one_value_beside_the_citation():
    assert isinstance(RECORD, dt.date)
    assert RECORD >= edition.released() or RECORD.year == edition.released().year
    assert "record-complete-to" not in (ROOT / "CITATION.cff").read_text(encoding="utf-8")


# --- rows ---------------------------------------------------------------------------------------

def test_the_tables_of_events_that_can_change_carry_a_status():
    tables = status_tables()
    assert {"aftermath_events", "alliance_events"} <= set(tables)
    for resource in resources():
        if resource["name"] in tables:
            field = next(f for f in resource["schema"]["fields"] if f["name"] == "status")
            assert field["constraints"]["enum"] == list(currency.STATUSES), resource["name"]
            assert field["constraints"].get("required"), resource["name"]
            assert resource["schema"]["fields"][-1]["name"] == "status", \
                f"{resource['name']}: status is the last column (appended, so that rows added elsewhere merge)"


def test_no_row_is_still_planned_or_announced_after_its_date():
    problems = currency.overtaken_rows(status_tables(), RECORD)
    assert not problems, "\n".join(problems)


def test_a_planted_stale_row_fails(tmp_path):
    """A copy of the data with one row "planned" before the record date fails, naming the row."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    table = copy / "aftermath_events.csv"
    columns = pd.read_csv(table, nrows=0).columns
    planted = {c: "" for c in columns} | {"event_id": "planted01", "date": "2026-06-30",
                                          "event": "A planted summit", "status": "planned"}
    with table.open("a", encoding="utf-8", newline="") as handle:
        pd.DataFrame([planted], columns=columns).to_csv(handle, header=False, index=False, lineterminator="\n")
    problems = currency.overtaken_rows(status_tables(copy), RECORD)
    assert len(problems) == 1 and "aftermath_events, row planted01 (date 2026-06-30)" in problems[0]
    assert "set the status to reported, confirmed or denied" in problems[0]
    # the same row dated after the record date is a plan, not a stale one
    assert not currency.overtaken_rows({"t": pd.DataFrame([planted | {"date": "2027-01"}])}, RECORD)
    # a month is over only when it is past: "planned" for the record date's own month still holds
    assert not currency.overtaken_rows({"t": pd.DataFrame([planted | {"date": RECORD.strftime("%Y-%m")}])}, RECORD)


# --- sentences ----------------------------------------------------------------------------------

@pytest.mark.parametrize("page", toc.documents())
def test_no_page_calls_an_overtaken_event_future(page):
    problems = currency.overtaken_sentences(page_texts(page), RECORD)
    assert not problems, "\n".join(problems)


def test_no_table_cell_shown_calls_an_overtaken_event_future():
    problems = currency.overtaken_sentences(cell_texts(status_tables()), RECORD)
    assert not problems, "\n".join(problems)


def test_a_planted_scheduled_sentence_fails(tmp_path):
    """A copy of a chapter with one "scheduled" sentence about an overtaken date fails, naming it."""
    page = "chapters/alliance-on-paper"
    copy = tmp_path / "alliance-on-paper.md"
    shutil.copyfile(toc.source_file(page), copy)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write("\nThe next summit is scheduled for Moscow on 11 November 2026.\n")
    problems = currency.overtaken_sentences(page_texts(page, copy), RECORD)
    assert len(problems) == 1
    assert "'The next summit is scheduled for Moscow on 11 November 2026.'" in problems[0]
    assert "calls it 'scheduled'" in problems[0] and "say what happened" in problems[0]


@pytest.mark.parametrize("sentence, stale", [
    ("Its planned size in February 2009 was ten thousand.", False),
    ("The next session will be held in Moscow on 11 November 2026.", True),
    ("A summit is planned for November 2026.", True),
    ("The upcoming exercise (2026-09-14) will test the force.", True),
    ("The summit, which had been scheduled for 11 November 2026, took place.", False),
    ("The summit was scheduled for 11 November 2026.", False),
    ("Preparations for the summit, then scheduled for November 2026, were discussed.", False),
    ("A summit is planned for March 2027.", False),
    ("Exercises are planned for December 2026.", False),  # the record date's month is not over
    ("The summit of 11 November 2026 adopted a declaration.", False),
])
def test_overtaken_sentence_rule_on_examples(sentence, stale):
    assert (currency.overtaken_sentence(sentence, dt.date(2026, 12, 5)) is not None) == stale


# --- "latest" ---------------------------------------------------------------------------------

GLUE = re.compile(r"\{glue(?::text)?\}`(?P<name>[^`:]+)")


def glue_calls(code: str) -> dict[str, ast.Call]:
    """glue("name", value) calls of a page's code, by name (literal names only)."""
    found = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "glue" \
                and node.args and isinstance(node.args[0], ast.Constant):
            found[node.args[0].value] = node
    return found


def loaded_tables(code: str) -> dict[str, str]:
    """Variables assigned data.load_table("T"): variable -> T."""
    return {m["var"]: m["table"] for m in re.finditer(
        r"^(?P<var>\w+)\s*=\s*data\.load_table\(\s*['\"](?P<table>\w+)['\"]\s*\)", code, re.M)}


def page_code(source) -> str:
    """The code of a page's code cells, without their options (:tags: ...)."""
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", source.read_text(encoding="utf-8"), re.S | re.M)
    return "\n".join(line for cell in cells for line in cell.splitlines() if not line.startswith(":"))


def latest_year_problems(page: str, source=None) -> list[str]:
    """Glued "latest years" of a page that are not computed as the latest row of their table."""
    source = source or toc.source_file(page)
    code = page_code(source)
    calls, tables = glue_calls(code), loaded_tables(code)
    problems = []
    for place, text in page_texts(page, source):
        for name in {m["name"] for m in GLUE.finditer(text) if m["name"].endswith("latest_year")}:
            call = calls.get(name)
            inner = [n for n in ast.walk(call) if isinstance(n, ast.Call)
                     and getattr(n.func, "attr", "") == "latest_year"] if call else []
            if not inner or not isinstance(inner[0].args[0], ast.Name) or inner[0].args[0].id not in tables:
                problems.append(f"{place}: {name} is a latest year but is not glued as "
                                f"currency.latest_year(TABLE, ...) of a table the page loads with "
                                f"data.load_table: compute it from the table's latest row")
                continue
            table = data.load_table(tables[inner[0].args[0].id])
            where = {k.arg: ast.literal_eval(k.value) for k in inner[0].keywords}
            column = where.pop("column", "year")
            rows = table
            for key, value in where.items():
                rows = rows[rows[key] == value]
            if rows.empty or currency.latest_year(table, column, **where) != int(rows[column].max()):
                problems.append(f"{place}: {name} is not the latest {column} of {tables[inner[0].args[0].id]}")
    return problems


@pytest.mark.parametrize("page", toc.documents())
def test_latest_years_in_prose_are_the_latest_rows_of_their_tables(page):
    problems = currency.typed_latest_years(page_texts(page)) + latest_year_problems(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("sentence, flagged", [
    ("Spending rose in 2023, the latest year of the SIPRI data.", True),
    ("The latest year of the data is 2024.", True),
    ("Military expenditure, 1992 to the latest year in the SIPRI data.", False),
    ("In {glue:text}`milex_latest_year`, the latest year of the SIPRI data, it rose.", False),
    ("The popups carry the latest figure up to the eve; the series began in 1992 and was revised often.", False),
])
def test_typed_latest_year_rule_on_examples(sentence, flagged):
    assert bool(currency.typed_latest_years([("example", sentence)])) == flagged


def test_a_planted_typed_latest_year_fails(tmp_path):
    page = "chapters/alliance-on-paper"
    copy = tmp_path / "alliance-on-paper.md"
    text = toc.source_file(page).read_text(encoding="utf-8")
    copy.write_text(text + "\nIn 2023, the latest year of the SIPRI data, Russia spent most.\n", encoding="utf-8")
    problems = currency.typed_latest_years(page_texts(page, copy))
    assert len(problems) == 1 and "'In 2023, the latest year of the SIPRI data" in problems[0]
    assert "glue it" in problems[0]


def test_a_planted_latest_year_glued_from_elsewhere_fails(tmp_path):
    """A latest year glued from a typed number, not from the table's latest row, fails."""
    page = "chapters/alliance-on-paper"
    copy = tmp_path / "alliance-on-paper.md"
    text = toc.source_file(page).read_text(encoding="utf-8")
    assert "milex_latest_year" in text, "the chapter glues the latest year of the SIPRI data"
    planted = re.sub(r'glue\("milex_latest_year",[^\n]*\n', 'glue("milex_latest_year", 2023, display=False)\n', text)
    copy.write_text(planted, encoding="utf-8")
    problems = latest_year_problems(page, copy)
    assert problems and all("milex_latest_year is a latest year but is not glued" in p for p in problems)


# --- where the record date is shown ---------------------------------------------------------------

def test_the_pdf_title_page_and_citations_state_the_record_date():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import make_pdf

    spelled = f"{RECORD.day} {RECORD:%B %Y}"
    assert f"Record complete to <bdi>{spelled}</bdi>" in make_pdf.title_page("en")
    assert f"[Record complete to {spelled}]" in make_pdf.title_page("en")
    assert "5 ديسمبر 2026" in make_pdf.title_page("ar") or RECORD != dt.date(2026, 12, 5)


def test_the_build_shows_the_record_date_on_the_landing_page_and_every_argument_chapter(built_book):
    from build_support import built_page

    spelled = f"{RECORD.day} {RECORD:%B %Y}"
    for page in [toc.documents()[0], *toc.part("The argument")]:
        shown = built_page(built_book, page).select(".cstobook-record-date")
        assert shown and spelled in shown[0].get_text(), page
        if page != toc.documents()[0]:
            assert shown[0].find_parent(class_="in-brief") is not None, f"{page}: in its In brief box"
    cite = built_page(built_book, "chapters/how-to-cite").get_text(" ")
    assert f"Record complete to {spelled}." in cite and f"[Record complete to {spelled}]" in cite
