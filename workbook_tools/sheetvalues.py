"""Read a follow-up sheet's values as python-calamine gives them: one cell, its text as typed, where each element begins.

Every check of a return reads the same grid of values; these few readers make sure
they all read it alike (an empty string is an empty cell, 45.0 was typed as 45).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from .danish import DANISH_MONTHS
from .extent import column_number
from .sheetplan import COL_LABEL, COL_TIME


def value_at(values: list[list], row: int, col: int):
    """The value at (row, col), counted from 0; None when empty or outside the sheet."""
    if 0 <= row < len(values) and col < len(values[row]):
        v = values[row][col]
        return None if v == "" else v
    return None


def as_text(value) -> str:
    """A cell value as the text a person typed: 45 not 45.0, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SAND" if value else "FALSK"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def heading_rows(values: list[list]) -> dict[str, int]:
    """Element number -> the row of its heading ("1.01." in the label column), the first when repeated."""
    rows = {}
    for r, row in enumerate(values):
        if row and isinstance(row[COL_LABEL], str) and row[COL_LABEL].endswith(".") and len(row) > COL_TIME:
            rows.setdefault(row[COL_LABEL][:-1], r)
    return rows


def split_ref(ref: str) -> tuple[int, int]:
    """A reference the sender's file holds ("E32", "$E$32") as 1-based (column, row); (0, 0) when it is none.

    Not xlsxwriter's xl_cell_to_rowcol: that one warns about a reference it cannot
    read and places it at A1, where this one places it nowhere.
    """
    m = re.match(r"\$?([A-Z]+)\$?(\d+)", ref)
    if not m:
        return (0, 0)
    return column_number(m.group(1)), int(m.group(2))


# The parts of a number format that show nothing themselves: colours and conditions, locale
# tags, quoted text and escaped characters are kept as text; fill and padding characters dropped.
_FORMAT_NOISE = re.compile(r"\[(?:[A-Za-z]+|[<>=][^\]]*|\$[^\]]*)\]|[_*].")
_DATE_TOKEN = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM', re.IGNORECASE)


def as_shown(value, number_format: str) -> str:
    """A number, date or truth value as Excel shows it with `number_format`, in Danish: the text a person saw.

    The locale rule: the tool writes Danish text, so a number is shown with Danish
    separators whatever the sender's Excel used (1234.5 with ``#,##0.00`` is
    "1.234,50", 0.5 with ``0%`` is "50%"), and a date by its format's own pattern
    (``dd-mm-yyyy`` gives "01-06-2026"). A format this does not know gives
    :func:`as_text`'s reading (45, 0,5, 2026-06-01).
    """
    fmt = _FORMAT_NOISE.sub("", (number_format or "General").split(";")[0]).strip()
    if isinstance(value, bool) or value is None or fmt in ("", "General", "@"):
        return as_text(value)
    if isinstance(value, (date, datetime)):
        return _date_as_shown(value, fmt) or as_text(value)
    if isinstance(value, (int, float)):
        return _number_as_shown(float(value), fmt) or as_text(value)
    return as_text(value)


def _date_as_shown(value, fmt: str) -> str:
    if not re.search(r"[dmy]", fmt, re.IGNORECASE):
        return ""
    at = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    tokens = _DATE_TOKEN.findall(fmt)
    timed = any(t.lower().startswith(("h", "s")) for t in tokens)
    out, last = [], ""

    def piece(token: str, following: str) -> str:
        t = token.lower()
        if token.startswith('"'):
            return token[1:-1]
        if token.startswith("\\"):
            return token[1:]
        if t in ("mm", "m") and (last.startswith("h") or following.startswith("s")) and timed:
            return f"{at.minute:02d}" if t == "mm" else str(at.minute)  # minutes, not months, beside hours or seconds
        return {
            "yyyy": f"{at.year:04d}", "yy": f"{at.year % 100:02d}", "mmmm": DANISH_MONTHS[at.month - 1], "mmm": DANISH_MONTHS[at.month - 1][:3],
            "mm": f"{at.month:02d}", "m": str(at.month), "dd": f"{at.day:02d}", "d": str(at.day),
            "dddd": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")[at.weekday()],
            "ddd": ("man", "tir", "ons", "tor", "fre", "lør", "søn")[at.weekday()],
            "hh": f"{at.hour:02d}", "h": str(at.hour), "ss": f"{at.second:02d}", "s": str(at.second), "am/pm": "AM" if at.hour < 12 else "PM",
        }.get(t, token)  # fmt: skip

    pos = 0
    for i, m in enumerate(_DATE_TOKEN.finditer(fmt)):
        out.append(fmt[pos : m.start()])
        following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        out.append(piece(m.group(), following))
        last = m.group().lower()
        pos = m.end()
    out.append(fmt[pos:])
    return "".join(out)


def _number_as_shown(value: float, fmt: str) -> str:
    body = re.sub(r'"[^"]*"|\\.', "", fmt)
    if not re.search(r"[0#?]", body) or re.search(r"[eE][+-]", body) or re.search(r"[dmyhs]", body, re.IGNORECASE):
        return ""
    if "%" in body:
        value *= 100
    decimals = len(re.search(r"\.([0#?]*)", body).group(1)) if "." in body else 0
    text = f"{abs(value):,.{decimals}f}" if "," in body.split(".")[0] else f"{abs(value):.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")  # Danish: 1.234,50
    number = re.search(r"[#0?,.]*[0#?]([#0?,.]*[0#?])?%?", fmt)
    if number is None:
        return ""
    sign = "-" if value < 0 and not any(c in fmt for c in "()") else ""
    shown = sign + text + ("%" if "%" in body else "")
    return re.sub(r"\\(.)", r"\1", (fmt[: number.start()] + shown + fmt[number.end() :]).replace('"', ""))
