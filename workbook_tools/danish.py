"""How Danish writes the things a message holds: a date, a moment, a number, a list, a quotation.

One place for each, used by every text the tool shows (GLOSSARY.md: "2. december 2026
kl. 00.37", "1.073.741.824 byte", "Grøn, Gul eller Rød", »…«). No imports from the
package: the lowest modules (the zip guard, the sheet reader) write their messages with it.
"""

from __future__ import annotations

from datetime import date, datetime

DANISH_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(d: date | None, lang: str = "da") -> str:
    """The seed's way of writing a date: "4. juli 2018" (English: "4 July 2018")."""
    if d is None:
        return ""
    if lang == "en":
        return f"{d.day} {ENGLISH_MONTHS[d.month - 1]} {d.year}"
    return f"{d.day}. {DANISH_MONTHS[d.month - 1]} {d.year}"


def long_datetime(moment: datetime | None, lang: str = "da") -> str:
    """A moment as every message writes it, "2. december 2026 kl. 00.37": the date as the seed writes dates, the time as Danish writes it."""
    if moment is None:
        return ""
    if lang == "en":
        return f"{long_date(moment.date(), lang)} at {moment:%H:%M}"
    return f"{long_date(moment.date())} kl. {moment:%H.%M}"


def thousands(number: int) -> str:
    """A number with its thousands marked the Danish way, as a message writes it: 1.073.741.824."""
    return f"{number:,}".replace(",", ".")


def listed(items, last: str = "og") -> str:
    """Items as a Danish sentence lists them: "2016", "2016 og 2018", "Grøn, Gul eller Rød" (with last="eller")."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}" if items else ""


def quoted(text: str) -> str:
    """A value quoted inside a Danish sentence: »Grøn«, the marks Danish print uses (never «…»)."""
    return f"»{text}«"
