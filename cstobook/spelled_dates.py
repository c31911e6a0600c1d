"""Dates spelled in each edition's language: a date of the data as far as it is known, and the
dates English prose spells, in the language of a translated page; and the form an Arabic noun takes
after a count. A leaf of the package: it imports nothing of it (cstobook.i18n re-exports it)."""
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


# Counted nouns in Arabic. After a number written in digits the noun agrees with the number's last
# two digits: 3-10 take the plural ("5 دول"), 11-99 the singular in the accusative ("13 يومًا"),
# a round hundred or thousand the singular in the genitive ("12,000 جندي"). 0, 1 and 2 have no
# form after digits (Arabic writes "يوم واحد", "يومان"): a sentence whose count may be one of them
# gives it in a label form («وعددها 2», «خاطئ: 0»). Each noun (the singular): its plural and its
# singular in the accusative (the alif of the tanwin written, not after a ta marbuta or a hamza).
COUNTED_NOUNS = {
    "يوم": ("أيام", "يومًا"), "دولة": ("دول", "دولة"), "مرة": ("مرات", "مرة"),
    "جندي": ("جنود", "جنديًا"), "شخص": ("أشخاص", "شخصًا"), "دبابة": ("دبابات", "دبابة"),
    "طن": ("أطنان", "طنًا"), "حاوية": ("حاويات", "حاوية"), "قضية": ("قضايا", "قضية"),
    "قطعة": ("قطع", "قطعة"), "ادعاء": ("ادعاءات", "ادعاءً"), "عمل": ("أعمال", "عملًا"),
}


def counted_form(count: int, noun: str) -> str | None:
    """The form `noun` (a key of COUNTED_NOUNS) takes after `count` written in digits ("5 أيام",
    "13 يومًا", "12,000 جندي"), or None where Arabic writes no noun after the digits (0, 1, 2)."""
    plural, accusative = COUNTED_NOUNS[noun]
    if count in (0, 1, 2):
        return None
    last = count % 100
    if 3 <= last <= 10:
        return plural
    if 11 <= last <= 99:
        return accusative
    return noun  # a round hundred or thousand, or 101, 102 ...: the singular, in the genitive
