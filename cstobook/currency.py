"""The guard against going stale: what the book says about time must hold on the date to which its
record is complete (cstobook.edition.record_complete_to, record.yml).

- A dated row whose `status` says it has not happened yet ("planned", "announced") must not be
  dated before the record date (`overtaken_rows`).
- A sentence must not call an event "scheduled", "upcoming", "planned" or "will be held" when the
  date it names is before the record date (`overtaken_sentences`): prose of the pages of _toc.yml,
  and the text cells of the tables with a status, which pages show.
- A "latest" year in prose is computed from its table by `latest_year`, never typed
  (`typed_latest_years`, and tests/test_currency.py for the glued ones).

The functions take the tables and texts they check, so that the tests can show each one failing
on a planted row or sentence in a temporary copy. Each problem is one line that names the row or
the sentence and says what to do.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

# The status of a dated row where one can change (the `status` column's enum in datapackage.json).
STATUSES = {
    "planned": "due to happen on its date, as a source said before that date",
    "announced": "declared by those who would do it, not yet known to have happened",
    "reported": "a source reports that it happened (the default for a row from a news report)",
    "confirmed": "it happened, on the record of those who acted or of an official document",
    "denied": "reported, but denied by those said to have acted",
    "not_reported": "it was planned or announced for a date before the record date, and no source "
                    "read reports whether it took place; the book says so",
}
DEFAULT_STATUS = "reported"
NOT_YET = ("planned", "announced")

MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
_DAY_MONTH_YEAR = re.compile(r"\b(?P<day>\d{1,2})(?:\s*(?:–|-|or|and)\s*\d{1,2})?\s+(?P<month>"
                             + "|".join(MONTHS) + r")\s+(?P<year>(?:19|20)\d\d)\b")
_MONTH_YEAR = re.compile(r"\b(?P<month>" + "|".join(MONTHS) + r")\s+(?P<year>(?:19|20)\d\d)\b")
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)(?:-(?P<day>\d\d))?\b")
# Words that describe an event as still to come. "scheduled"/"planned" told in the past ("was
# scheduled", "had been planned", "then scheduled", "originally planned") are history, not future.
FUTURE = re.compile(r"\b(scheduled|upcoming|forthcoming|planned|will be held|will take place|is due|"
                    r"are due|is to be held|are to be held|will meet|will convene)\b", re.I)
# "its planned size", "the planned strength": a figure of a plan, not an event said to be coming
ATTRIBUTIVE = re.compile(r"^\s+(size|sizes|strength|number|numbers|figure|figures|total|budget|capacity)\b", re.I)
PAST_FRAME = re.compile(r"\b(was|were|had been|had|then|originally|earlier|once)\s+(\w+\s+)?$", re.I)
LATEST = re.compile(r"\b(latest|most recent|newest|last available)\b", re.I)
TYPED_YEAR = re.compile(r"(?<![\w/.-])(19|20)\d\d(?![\w/-])")
# a typed year called the latest: "2023, the latest year", "2023 is the most recent", or "the
# latest year of the data is 2023" (the year within six words after "latest")
NEAR_LATEST = re.compile(r"(?<![\w/.-])(?:19|20)\d\d(?![\w/-])\s*(?:,|\(|is|was|being)?\s*(?:the\s+)?"
                         r"(?:latest|most recent|newest)\b"
                         r"|\b(?:latest|most recent|newest)\b(?:\W+\w+){0,6}?\W+(?:19|20)\d\d(?![\w/-])", re.I)


def _end_of(year: int, month: int | None = None, day: int | None = None) -> dt.date:
    """The last day of a possibly partial date: a month or a year is over only when it is past."""
    if day:
        return dt.date(year, month, day)
    if month:
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(year, 12, 31)


def end_of_iso(value: str) -> dt.date:
    """The last day of an ISO date of the data, which may lack its day or month."""
    parts = [int(part) for part in str(value).split("-")]
    return _end_of(*parts)


def dates_named(sentence: str) -> list[tuple[str, dt.date]]:
    """The dates a sentence names (spelled, or ISO), each with the last day it can mean."""
    found, taken = [], []
    for pattern in (_DAY_MONTH_YEAR, _MONTH_YEAR, _ISO):
        for match in pattern.finditer(sentence):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            month = match["month"]
            month = MONTHS[month] if month in MONTHS else int(month)
            day = match.groupdict().get("day")
            found.append((match[0], _end_of(int(match["year"]), month, int(day) if day else None)))
    return found


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph of prose (split after . ! ? followed by a space and a capital)."""
    return [s.strip() for s in re.split(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z\"“(])", text) if s.strip()]


def _future_words(sentence: str) -> list[str]:
    return [m[0] for m in FUTURE.finditer(sentence) if not PAST_FRAME.search(sentence[:m.start()])
            and not ATTRIBUTIVE.match(sentence[m.end():])]


def overtaken_sentence(sentence: str, record: dt.date) -> str | None:
    """Why a sentence is stale on the record date, or None: it calls something future ("scheduled",
    "will be held" ...) and names a date that is over by the record date."""
    words = _future_words(sentence)
    past = [text for text, end in dates_named(sentence) if end < record]
    if words and past:
        return (f"calls it {words[0]!r} but names {past[0]}, before the record date {record.isoformat()}: "
                f"say what happened (with its source), or that no source read reports it")
    return None


def overtaken_sentences(texts: list[tuple[str, str]], record: dt.date) -> list[str]:
    """Problems in (place, text) pairs: a page and line, or a table, row and column."""
    problems = []
    for place, text in texts:
        for sentence in sentences(text):
            why = overtaken_sentence(sentence, record)
            if why:
                problems.append(f"{place}: {sentence!r} {why}")
    return problems


def date_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c == "date" or c.endswith("_date")]


def overtaken_rows(tables: dict[str, pd.DataFrame], record: dt.date) -> list[str]:
    """Rows still "planned" or "announced" whose date is before the record date."""
    problems = []
    for name, table in tables.items():
        if "status" not in table.columns:
            continue
        key = table.columns[0]
        for _, row in table[table["status"].isin(NOT_YET)].iterrows():
            for column in date_columns(table):
                if pd.notna(row[column]) and end_of_iso(row[column]) < record:
                    problems.append(
                        f"{name}, row {row[key]} ({column} {row[column]}): status {row['status']!r}, but "
                        f"that date is before the record date {record.isoformat()}. Find whether it took "
                        f"place and set the status to reported, confirmed or denied with the source that "
                        f"says so (and update its text and the prose), or set not_reported and say in its "
                        f"note and in the prose that no source read reports it")
    return problems


def typed_latest_years(lines: list[tuple[str, str]]) -> list[str]:
    """Sentences that call a typed year the latest ('2023, the latest year of the data'): a latest
    year is glued from its table (latest_year), so that a newer release moves it."""
    problems = []
    for place, text in lines:
        for sentence in sentences(text):
            if NEAR_LATEST.search(re.sub(r"\{glue(?::text)?\}`[^`]*`", "GLUED", sentence)):
                problems.append(f"{place}: {sentence!r} types a year beside 'latest': glue it from "
                                f"currency.latest_year(table, ...), which reads the table's latest row")
    return problems


def latest_year(table: str | pd.DataFrame, column: str = "year", **where) -> int:
    """The year of the latest row of a table (of the rows whose columns equal `where`): what prose
    may call "the latest year" of a table. Raises if no row matches, so a renamed code fails."""
    from cstobook import data

    frame = data.load_table(table) if isinstance(table, str) else table
    for name, value in where.items():
        frame = frame[frame[name] == value]
    if frame.empty:
        raise ValueError(f"latest_year: no row of {table if isinstance(table, str) else 'the table'} "
                         f"where {where}")
    values = frame[column]
    return int(values.max()) if pd.api.types.is_numeric_dtype(values) else \
        max(int(str(v)[:4]) for v in values.dropna())
