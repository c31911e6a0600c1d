"""Dates spelled in each edition's language: a date of the data as far as it is known, and the
dates English prose spells, in the language of a translated page. A leaf of the package: it imports
nothing of it (cstobook.i18n re-exports it)."""
from __future__ import annotations

import re


# Dates in prose: day, month, year. The Arabic edition names the months as Sky News Arabia does.
MONTHS = {"ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
                 "أكتوبر", "نوفمبر", "ديسمبر")}


def spelled_date(day, language: str) -> str:
    """'29 November 2026', or in Arabic '29 نوفمبر 2026' (Western digits, as the outlet prints them)."""
    return f"{day.day} {spelled_month(day, language)}"


def spelled_month(day, language: str) -> str:
    """'November 2026', or in Arabic 'نوفمبر 2026'."""
    if language in MONTHS:
        return f"{MONTHS[language][day.month - 1]} {day.year}"
    return f"{day:%B %Y}"


def spelled_partial_date(iso: str, language: str) -> str:
    """An ISO date of the data, which may lack its day or month, spelled as far as it is known:
    '2022-02-24' -> '24 فبراير 2022', '2022-06' -> 'يونيو 2022', '2022' -> '2022'."""
    import datetime

    parts = [int(part) for part in str(iso).split("-")]
    if len(parts) == 3:
        return spelled_date(datetime.date(*parts), language)
    if len(parts) == 2:
        return spelled_month(datetime.date(*parts, 1), language)
    return str(parts[0])


WEEKDAYS = {"ar": {"Monday": "الاثنين", "Tuesday": "الثلاثاء", "Wednesday": "الأربعاء", "Thursday": "الخميس",
                   "Friday": "الجمعة", "Saturday": "السبت", "Sunday": "الأحد"}}
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")
_SPELLED_DATE = re.compile(r"\b(?:(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? )?"
                           r"(?:(?P<day>\d{1,2}) )?(?P<month>" + "|".join(ENGLISH_MONTHS) + r")\b(?: (?P<year>\d{4}))?")


def localised_dates(text: str, language: str) -> str:
    """Dates spelled in English inside `text` ('Wednesday 13 April 2022', '11 January', 'May
    2021'), spelled in `language`; the rest of the text as it is."""
    if language not in MONTHS:
        return text

    def spell(match: re.Match) -> str:
        words = [WEEKDAYS[language][match["weekday"]]] if match["weekday"] else []
        words += [match["day"]] if match["day"] else []
        words.append(MONTHS[language][ENGLISH_MONTHS.index(match["month"])])
        words += [match["year"]] if match["year"] else []
        return " ".join(words)
    return _SPELLED_DATE.sub(spell, text)
