"""Read a follow-up sheet's values as python-calamine gives them: one cell, its text as typed, where each element begins.

Every check of a return reads the same grid of values; these few readers make sure
they all read it alike (an empty string is an empty cell, 45.0 was typed as 45).
"""

from __future__ import annotations

import re
from datetime import date, datetime

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
