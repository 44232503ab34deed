"""How far a sheet reaches from A1, told from its XML alone: what python-calamine allocates to load it.

calamine sets aside every cell from A1 to a sheet's farthest one, filled or not, so
the farthest cell, not the number of cells, is what a hostile or careless sheet can
make enormous. The zip guard measures a return's sheets with this, the sheet reader
finance's own workbooks. Byte patterns over the raw XML, in slices cut between tags:
no parser, and memory stays small however large the part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r\s*=\s*["']([0-9]{1,7})["']""")
# A cell that may hold a value: its tag, with a reference, not closed on the spot (<c r="B2" s="1"/> is
# formatting only, and calamine leaves it out of the sheet).
_VALUED_CELL_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["'][^>]*(?<!/)>""")


def column_number(letters: str | bytes) -> int:
    """Excel column letters to the column's number, counted from 1 (A -> 1, XFD -> 16384).

    Kept here, not taken from xlsxwriter: its xl_cell_to_rowcol wants a whole cell
    reference as text, and the scans below hold the letters alone, as bytes.
    """
    col = 0
    for ch in letters.encode("ascii") if isinstance(letters, str) else letters:
        col = col * 26 + ch - 64
    return col


def scan_extent(xml: bytes, stop_above: int = 0) -> tuple[int, int, int]:
    """(cell tags, rows, columns) from A1 to the farthest cell a reader would place, by the sheet's XML alone.

    Cells and rows without a reference are placed after the one before, so each
    counts as one more row or column: an upper bound, exact for what Excel writes.
    Stops early once the cell tags alone pass `stop_above`.
    """
    # Rows matter only for cells without a reference (no program writes those), so they are scanned only then.
    tags = last_row = last_col = unplaced = 0
    for piece in slices(xml):
        n = len(_CELL_TAG.findall(piece))
        tags += n
        if stop_above and tags > stop_above:
            return tags, 0, 0
        cells = _CELL_REF.findall(piece)
        if cells:
            columns, numbers = zip(*cells)
            last_row = max(last_row, max(map(int, numbers)))
            last_col = max(last_col, max(map(column_number, set(columns))))
        unplaced += n - len(cells)
    if unplaced:
        row_tags = 0
        for piece in slices(xml):
            refs = _ROW_REF.findall(piece)
            if refs:
                last_row = max(last_row, max(map(int, refs)))
            row_tags += len(_ROW_TAG.findall(piece))
        last_row += row_tags
        last_col += unplaced
    return tags, last_row, last_col


def valued_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell that may hold a value."""
    last_row = last_col = 0
    for piece in slices(xml):
        cells = _VALUED_CELL_REF.findall(piece)
        if cells:
            columns, numbers = zip(*cells)
            last_row = max(last_row, max(map(int, numbers)))
            last_col = max(last_col, max(map(column_number, set(columns))))
    return last_row, last_col


def slices(xml: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    """The XML in pieces of about `size` bytes, each cut right after a ">": no tag is cut in two."""
    start = 0
    while start < len(xml):
        end = xml.find(b">", start + size) + 1 or len(xml)
        yield xml[start:end]
        start = end
