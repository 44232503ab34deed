"""Read the sheets of finance's own workbooks with python-calamine, refusing a sheet too large to load.

The master, the layout and the validation list are read here: values only (cached
results for formulas), one sheet at a time. A file that is not an .xlsx is named
for what it is (:func:`~workbook_tools.filekind.not_xlsx`), and a sheet whose farthest
cell would make calamine allocate gigabytes is refused before calamine sees it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from .danish import thousands
from .errors import FollowupError
from .extent import valued_extent
from .filekind import not_xlsx, sniff_workbook_kind
from .ooxml import sheet_parts
from .zipguard import read_zip_member

# Finance's own workbooks (master, layout, validation list) are far larger than a return:
# a thousand-committee master has 900,000 cells on one sheet. About a gigabyte in
# python-calamine; every sheet within A1:Z999999 stays under it.
MAX_BOOK_SHEET_CELLS = 30_000_000
MAX_BOOK_MEMBER_BYTES = 1 << 30
_CHUNK = 1 << 20
# A cell tag not plainly within A1:Z999999, and a cell tag with a namespace prefix.
_BEYOND_Z999999 = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z][0-9]{1,6}")')
_PREFIXED_CELL = re.compile(rb":c[\s>/]")


class SheetUnreadable(FollowupError):
    """python-calamine could not read a sheet (its own error types, wrapped with the sheet's name)."""


class NotXlsx(SheetUnreadable):
    """The file is not an .xlsx at all; the message says what it is and what to do (not_xlsx)."""


def read_sheets(path: Path | str, only: set[str] | None = None) -> dict[str, list[list]]:
    """Every sheet's cell values (cached results for formulas), via python-calamine.

    Empty cells are None; numbers that are whole come back as float as Excel stores them.
    """
    sheets = SheetsOnDemand(path)
    return {name: sheets[name] for name in sheets if only is None or name in only}


class SheetsOnDemand(Mapping):
    """A workbook's sheets as read_sheets gives them, each read when first asked for.

    A thousand-committee master's two big sheets, read all at once, are in memory
    together with calamine's own copy of the second while it loads: that was the
    peak of a whole collect. Read one at a time, and let go (`pop`) once made into
    objects, one big sheet is held at a time.
    """

    def __init__(self, path: Path | str):
        from python_calamine import CalamineWorkbook

        kind = sniff_workbook_kind(path)
        if kind != "xlsx":
            raise NotXlsx(not_xlsx(kind))
        self._path = path
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own types for broken files
            raise SheetUnreadable(str(exc)) from None
        self._names = list(self._book.sheet_names)
        self._parts = sheet_parts(path)  # once: each sheet's extent is checked in its own part
        self._read: dict[str, list[list]] = {}

    def __getitem__(self, name: str) -> list[list]:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._read:
            too_far = check_sheet_extent(self._path, name, self._parts.get(name))
            if too_far:
                raise SheetUnreadable(too_far)
            try:
                rows = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:  # calamine raises its own types for broken files
                raise SheetUnreadable(f"arket '{name}': {exc}") from None
            for i, row in enumerate(rows):  # row by row in place: a copy of a big sheet would be a second sheet in memory
                rows[i] = [None if v == "" else v for v in row]
            self._read[name] = rows
        return self._read[name]

    def pop(self, name: str) -> list[list]:
        """The sheet's rows, no longer kept here."""
        rows = self[name]
        self._names.remove(name)
        del self._read[name]
        return rows

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._names


def check_sheet_extent(path: Path | str, sheet: str, part: str | None) -> str | None:
    """Refuse a sheet of finance's own workbook that python-calamine would need gigabytes to load.

    calamine allocates every cell from A1 to a sheet's farthest one, so a value typed
    by mistake in XFD1048576 asks for 17 billion cells and ends the process with an
    abort, not an error. One pass over the inflated sheet, a chunk at a time, finds
    that every cell stands within A1:Z999999 (all a master needs); only a sheet where
    one may not is read whole and measured. Returns the reason (Danish), naming the
    farthest cell and how to find it, or None. `part` is the zip part that holds the
    sheet (sheet_parts). A damaged zip is left to the reader's own error.
    """
    try:
        with zipfile.ZipFile(path) as z:
            if part is None or part not in z.NameToInfo:
                return None
            info = z.getinfo(part)
            if info.file_size > MAX_BOOK_MEMBER_BYTES:
                return f"arket '{sheet}' fylder {thousands(info.file_size)} byte udpakket (højst {thousands(MAX_BOOK_MEMBER_BYTES)})"
            if not _may_stand_far(z, info):
                return None
            rows, cols = valued_extent(read_zip_member(z, part, MAX_BOOK_MEMBER_BYTES))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        return None
    if rows * cols <= MAX_BOOK_SHEET_CELLS:
        return None
    return (
        f"arket '{sheet}' går til celle {xl_rowcol_to_cell(rows - 1, cols - 1)}, {thousands(rows * cols)} celler fra A1 "
        f"(højst {thousands(MAX_BOOK_SHEET_CELLS)}). Slet det, der står langt fra tabellen "
        "(Ctrl+End i Excel viser den sidste celle), og gem igen"
    )


def _may_stand_far(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with z.open(info) as fh:  # inflates no further than the declared size
        while chunk := fh.read(_CHUNK):
            window = tail + chunk
            cut = window.rfind(b">") + 1  # a cell's tag and reference never hold a ">": never cut in two
            if _BEYOND_Z999999.search(window, 0, cut) or _PREFIXED_CELL.search(window, 0, cut):
                return True
            tail = window[cut:]
    return False
