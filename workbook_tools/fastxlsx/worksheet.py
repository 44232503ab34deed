"""The sheet writer: one worksheet's XML, its cells kept as ready XML or streamed a block of rows at a time.

It speaks the subset of xlsxwriter's Worksheet API that our drawing code uses
(write_string, merge_range, set_column, protect, data_validation, ...), plus
write_cells and write_rows for many cells at once; write_cells and set_rows below
serve either writer, so the same drawing code draws with both and tests compare.

Big tables (the master's 50,000 elements, the overview's rows per element) are
written with :meth:`FastSheet.write_rows`: each block of rows is turned into XML
and deflated at once, so a sheet never holds a cell object per cell.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Protocol

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .cells import (
    BLANK,
    PRESERVE,
    Formula,
    any_cell,
    any_cell_after_ref,
    cell_body,
    element,
    escape_text,
    formula_body,
    markup_or_long,
    needs_care,
    never,
    number_body,
    quote_attr,
    serial,
    string_body,
)
from .zipwriter import Deflated

if TYPE_CHECKING:
    from .charts import FastChart
    from .styles import FastFormat, StylePrototype

_ROWS_PER_BLOCK = 512  # rows turned into XML and deflated together by write_rows


class SheetOwner(Protocol):
    """What a sheet needs of its workbook (a FastWorkbook): style indices, the styles, which sheet is active."""

    prototype: StylePrototype | None
    active: int

    def style_attr(self, fmt: FastFormat | None) -> str: ...

    def register(self, fmt: FastFormat, dxf: bool = False) -> None: ...


def legacy_password_hash(password: str) -> str:
    """Excel's legacy 16-bit hash of a sheet-protection password, as <sheetProtection password="..."> holds it.

    The algorithm of ECMA-376 Part 4 (Transitional Migration Features), "legacy
    password hash" of workbookProtection/sheetProtection, the password verifier of
    MS-OFFCRYPTO 2.3.7.1: the characters from last to first, each XORed in after a
    15-bit rotate left, then the length and 0xCE4B; upper-case hexadecimal. Excel
    takes the characters as bytes of the Windows code page; like xlsxwriter we take
    each character's code point, the same for every Latin-1 character (æ, ø, å).
    It keeps a person from unlocking a cell by mistake, nothing more: 65,536 values.
    """
    digest = 0
    for char in reversed(password):
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password)
    digest ^= 0xCE4B
    return f"{digest:X}"


_COLS = 1 << 15  # a cell's key is row * _COLS + col + 1: above Excel's 16,384 columns, with room for a row tag
_ALL = float("inf")  # FastSheet._serialise(_ALL): every row
_col = itemgetter(1)  # the column of a write_cells cell


class FastSheet:
    """One worksheet; cells kept as ready XML, under keys that sort them, in any order, sorted at save.

    write_rows serialises whole rows at once instead; from then on the rows above
    its last one are written and can no longer change.
    """

    def __init__(self, workbook: SheetOwner, name: str, index: int):
        self.wb = workbook
        self.name = name
        self.index = index
        self.state = "visible"
        self.cells: dict[int, str] = {}  # key (see _COLS) -> the cell's <c> element
        self.row_heights: dict[int, float] = {}
        self.columns: list[tuple[int, int, float, FastFormat | None, bool]] = []
        self.merges: list[str] = []
        self.validations: list[str] = []
        self.conditionals: list[tuple[str, str, FastFormat]] = []
        self.protection: str = ""
        self.selection = ""
        self.paper = 0
        self.orientation = ""
        self.fit: tuple[int, int] | None = None
        self.margins = ""
        self.repeat: tuple[int, int] | None = None
        self.footer = ""
        self.gridlines = 1
        self.breaks: list[int] = []
        self.freeze: tuple[int, int] | None = None
        self.autofilter_ref = ""
        self.autofilter_abs = ""
        self.scale = 0
        self.area: tuple[int, int, int, int] | None = None
        self.charts: list[tuple[int, int, FastChart, dict]] = []
        self._rows = Deflated()  # the <row> elements serialised so far
        self._done = 0  # rows above this one are serialised
        self._last = -1  # the last row serialised
        self._width = 0  # columns up to the farthest cell written

    # cells
    def _put(self, row: int, col: int, fmt: FastFormat | None, xml_body: str) -> None:
        if row < self._done:
            raise ValueError(f"row {row + 1} of sheet {self.name!r} is already written")
        self.cells[row * _COLS + col + 1] = f'<c r="{xl_rowcol_to_cell(row, col)}"{self.wb.style_attr(fmt)}{xml_body}</c>'
        if col >= self._width:
            self._width = col + 1

    def write_string(self, row: int, col: int, text: str, fmt: FastFormat | None = None) -> int:
        self._put(row, col, fmt, string_body(str(text)))
        return 0

    def write_number(self, row: int, col: int, number: float, fmt: FastFormat | None = None) -> int:
        self._put(row, col, fmt, number_body(number))
        return 0

    def write_datetime(self, row: int, col: int, value: datetime | date, fmt: FastFormat | None = None) -> int:
        return self.write_number(row, col, serial(value), fmt)

    def write_rows(
        self,
        first_row: int,
        rows: Sequence[Sequence],
        formats: Sequence[FastFormat | None],
        quoted: Sequence[FastFormat | None] | None = None,
        needs_quote: Callable[[str], bool] | None = None,
    ) -> int:
        """Write rows first_row, first_row+1, ... at once, below every row written so far.

        Row values start at column 0, with formats[c] for column c (the default style past
        the end of formats). A value is None or ""
        (no cell), a str, a number, a date or datetime, or a (value, format) pair for a
        cell in a format of its own. Text in column c for which needs_quote(text) holds
        gets quoted[c] instead (when given), as write_text in the drawing code does.

        The rows are serialised block by block and deflated at once, so a big table
        costs its compressed size in memory, not a cell object per cell; the texts are
        checked a block at a time and only a block with one that needs escaping goes
        cell by cell. Later writes to these rows, or above them, raise ValueError.
        """
        if first_row < self._done:
            raise ValueError(f"row {first_row + 1} of sheet {self.name!r} is already written")
        self._serialise(first_row)
        if self.cells and min(self.cells) < (first_row + len(rows)) * _COLS:  # all left are at first_row or below
            raise ValueError(f"rows {first_row + 1}-{first_row + len(rows)} of sheet {self.name!r} already have cells")
        width = max(len(formats), max(map(len, rows), default=0))
        styles = [self.wb.style_attr(f) for f in formats] + [""] * (width - len(formats))
        quoted_styles = list(styles)
        for c, q in enumerate(quoted or ()):
            if q is not None:
                quoted_styles[c] = self.wb.style_attr(q)
        quote = needs_quote if needs_quote is not None and quoted is not None else never
        letters = [xl_col_to_name(c) for c in range(width)]
        # Deflating (zlib lets go of the GIL) runs beside the making of the next blocks.
        with ThreadPoolExecutor(1, thread_name_prefix="deflate") as deflater:
            pending: deque = deque()
            for start in range(0, len(rows), _ROWS_PER_BLOCK):
                block = rows[start : start + _ROWS_PER_BLOCK]
                strings = [v for row in block for v in row if v.__class__ is str]
                careful = markup_or_long(strings, "\n".join(strings))
                data = self._block(first_row + start, block, letters, styles, quoted_styles, quote, careful)
                if not careful and needs_care(data):
                    data = self._block(first_row + start, block, letters, styles, quoted_styles, quote, True)
                if len(pending) > 2:  # a few blocks ahead at most: memory stays a few blocks
                    pending.popleft().result()
                pending.append(deflater.submit(self._rows.write, data))
            for done in pending:
                done.result()
        self._done = first_row + len(rows)
        return 0

    def _block(self, first_row, block, letters, styles, quoted_styles, quote, careful: bool) -> bytes:
        """Rows as XML; texts go in raw unless `careful`, when every cell is made as write_string makes it."""
        out = []
        heights = self.row_heights
        style_of = self.wb.style_attr
        own = _Memo(lambda pair: any_cell_after_ref(pair, "", "", never, style_of))  # (value, format) cells: a smiley recurs on every row
        for r, row in enumerate(block, start=first_row):
            n = str(r + 1)
            if careful:
                cells = [
                    any_cell(L + n, v, s, q, quote, style_of) for L, s, q, v in zip(letters, styles, quoted_styles, row) if v or v == 0
                ]
            else:  # the common case of any_cell, inline: texts needing no escape
                cells = [
                    f'<c r="{L}{n}"{q if quote(v) else s} t="inlineStr"><is><t{PRESERVE if v.strip() != v else ""}>{v}</t></is></c>'
                    if v.__class__ is str
                    else f'<c r="{L}{n}"{own[v]}</c>'
                    if v.__class__ is tuple
                    else any_cell(L + n, v, s, q, quote, style_of)
                    for L, s, q, v in zip(letters, styles, quoted_styles, row)
                    if v or v == 0  # no cell for None or "", but one for 0
                ]
            ht = heights.get(r)
            if cells or ht is not None:
                out.append(f'<row r="{n}"{_height(ht)}>{"".join(cells)}</row>')
                self._last = r
                if len(row) > self._width:
                    self._width = max(self._width, _width(row))
        return "".join(out).encode("utf-8")

    def write_blank(self, row: int, col: int, _blank=None, fmt: FastFormat | None = None) -> int:
        if fmt is not None:
            self._put(row, col, fmt, BLANK)
        return 0

    def write_formula(self, row: int, col: int, formula: str, fmt: FastFormat | None = None, value="") -> int:
        self._put(row, col, fmt, formula_body(formula, value))
        return 0

    def merge_range(self, r1: int, c1: int, r2: int, c2: int, data, fmt: FastFormat | None = None) -> int:
        cells = [(r, c, fmt, "") for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        if data not in (None, ""):
            cells.append((r1, c1, fmt, str(data)))
        return self.write_cells(cells, [(r1, c1, r2, c2, fmt)])

    def write_cells(
        self,
        cells: Sequence[tuple[int, int, FastFormat | None, str | Formula]],
        merges: Sequence[tuple[int, int, int, int, FastFormat | None]] = (),
    ) -> int:
        """Many cells at once, as write_string, write_blank and write_formula would write them in turn.

        A cell is (row, col, format, value): a text, "" for a blank (no cell without a
        format) or a Formula; a later cell in the same place wins. `merges` are merged
        ranges (first row, first col, last row, last col, format) whose cells are among
        `cells`. Drawing a plan writes ~2,000 cells into each of hundreds of workbooks:
        here their texts are checked for escaping at once, not one by one, and a cell
        costs one string in a dict instead of a few calls.
        """
        if not cells:
            return 0
        if self._done and min(r for r, _, _, _ in cells) < self._done:
            raise ValueError(f"a row of sheet {self.name!r} is already written")
        self.merges += [f"{xl_rowcol_to_cell(r1, c1)}:{xl_rowcol_to_cell(r2, c2)}" for r1, c1, r2, c2, _ in merges]
        style, letter = _Memo(self.wb.style_attr), _LETTERS
        strings = [v for _, _, _, v in cells if v.__class__ is str]
        joined = "\n".join(strings)
        if markup_or_long(strings, joined) or needs_care(joined.encode("utf-8")):
            xml = [element(letter[c] + str(r + 1), style[fmt], cell_body(v, fmt)) for r, c, fmt, v in cells]
        else:  # the common case of cell_body, inline: texts needing no escape
            xml = [
                f'<c r="{letter[c]}{r + 1}"{style[fmt]} t="inlineStr"><is><t{PRESERVE if v.strip() != v else ""}>{v}</t></is></c>'
                if v.__class__ is str and v
                else element(letter[c] + str(r + 1), style[fmt], cell_body(v, fmt))
                for r, c, fmt, v in cells
            ]
        if None in xml:  # blanks without a format: no cell
            cells, xml = [c for c, x in zip(cells, xml) if x is not None], [x for x in xml if x is not None]
        self.cells.update(zip([r * _COLS + c + 1 for r, c, _, _ in cells], xml))
        self._width = max(self._width, max(map(_col, cells), default=-1) + 1)
        return 0

    # layout
    def set_column(
        self, first: int, last: int, width: float | None = None, fmt: FastFormat | None = None, options: dict | None = None
    ) -> int:
        self.columns.append((first, last, 8.43 if width is None else width, fmt, bool((options or {}).get("hidden"))))
        return 0

    def set_row(self, row: int, height: float | None = None, fmt=None, options=None) -> int:
        if row < self._done:
            raise ValueError(f"row {row + 1} of sheet {self.name!r} is already written")
        if height is not None:
            self.row_heights[row] = _whole_pixels(height)
        return 0

    def set_rows(self, heights: dict[int, float]) -> None:
        """set_row for many rows at once: a report's ~700 row heights are a handful of values."""
        if heights and min(heights) < self._done:
            raise ValueError(f"a row of sheet {self.name!r} is already written")
        whole = _Memo(_whole_pixels)
        self.row_heights.update({r: whole[h] for r, h in heights.items() if h is not None})  # None: no height, as set_row

    def freeze_panes(self, row: int, col: int) -> None:
        self.freeze = (row, col)

    def autofilter(self, r1: int, c1: int, r2: int, c2: int) -> None:
        self.autofilter_ref = f"{xl_rowcol_to_cell(r1, c1)}:{xl_rowcol_to_cell(r2, c2)}"
        self.autofilter_abs = f"${xl_col_to_name(c1)}${r1 + 1}:${xl_col_to_name(c2)}${r2 + 1}"

    def activate(self) -> None:
        self.wb.active = self.index

    def set_selection(self, r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> None:
        self.selection = xl_rowcol_to_cell(r1, c1)

    def very_hidden(self) -> None:
        self.state = "veryHidden"

    def hide_gridlines(self, option: int = 1) -> None:
        self.gridlines = option

    # print
    def set_paper(self, paper: int) -> None:
        self.paper = paper

    def set_portrait(self) -> None:
        self.orientation = "portrait"

    def set_landscape(self) -> None:
        self.orientation = "landscape"

    def fit_to_pages(self, width: int, height: int) -> None:
        self.fit = (width, height)
        self.scale = 0

    def set_print_scale(self, scale: int) -> None:
        # as xlsxwriter: a fixed scale turns fit-to-page off
        self.scale = int(scale)
        self.fit = None

    def print_area(self, r1: int, c1: int, r2: int, c2: int) -> None:
        self.area = (r1, c1, r2, c2)

    def get_name(self) -> str:
        return self.name

    def insert_chart(self, row: int, col: int, chart: FastChart, options: dict | None = None) -> int:
        self.charts.append((row, col, chart, dict(options or {})))
        return 0

    def set_margins(self, left=0.7, right=0.7, top=0.75, bottom=0.75) -> None:
        self.margins = f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="0.3" footer="0.3"/>'

    def repeat_rows(self, first: int, last: int | None = None) -> None:
        self.repeat = (first, first if last is None else last)

    def set_footer(self, text: str = "", options=None, margin=None) -> None:
        self.footer = text

    def set_h_pagebreaks(self, breaks: list[int]) -> None:
        self.breaks = sorted(set(breaks))

    # protection and input rules
    def protect(self, password: str = "", options: dict | None = None) -> None:
        o = {
            "objects": False,
            "scenarios": False,
            "format_cells": False,
            "format_columns": False,
            "format_rows": False,
            "insert_columns": False,
            "insert_rows": False,
            "insert_hyperlinks": False,
            "delete_columns": False,
            "delete_rows": False,
            "select_locked_cells": True,
            "sort": False,
            "autofilter": False,
            "pivot_tables": False,
            "select_unlocked_cells": True,
        }
        o.update(options or {})
        attrs = []
        if password:
            attrs.append(f'password="{legacy_password_hash(password)}"')
        attrs.append('sheet="1"')
        if not o["objects"]:
            attrs.append('objects="1"')
        if not o["scenarios"]:
            attrs.append('scenarios="1"')
        for key, attr in (
            ("format_cells", "formatCells"),
            ("format_columns", "formatColumns"),
            ("format_rows", "formatRows"),
            ("insert_columns", "insertColumns"),
            ("insert_rows", "insertRows"),
            ("insert_hyperlinks", "insertHyperlinks"),
            ("delete_columns", "deleteColumns"),
            ("delete_rows", "deleteRows"),
        ):
            if o[key]:
                attrs.append(f'{attr}="0"')
        if not o["select_locked_cells"]:
            attrs.append('selectLockedCells="1"')
        if o["sort"]:
            attrs.append('sort="0"')
        if o["autofilter"]:
            attrs.append('autoFilter="0"')
        if not o["select_unlocked_cells"]:
            attrs.append('selectUnlockedCells="1"')
        self.protection = f"<sheetProtection {' '.join(attrs)}/>"

    def data_validation(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        if options.get("validate") != "list":
            raise ValueError("only list validations are supported by the fast writer")
        words = ",".join(options["source"])
        attrs = ['type="list"']
        if options.get("error_type", "stop") != "stop":
            attrs.append(f'errorStyle="{options["error_type"]}"')
        if options.get("ignore_blank", True):
            attrs.append('allowBlank="1"')
        attrs += ['showInputMessage="1"', 'showErrorMessage="1"']
        for key, attr in (
            ("error_title", "errorTitle"),
            ("error_message", "error"),
            ("input_title", "promptTitle"),
            ("input_message", "prompt"),
        ):
            if options.get(key):
                attrs.append(f"{attr}={quote_attr(options[key])}")
        ref = xl_rowcol_to_cell(r1, c1) if (r1, c1) == (r2, c2) else f"{xl_rowcol_to_cell(r1, c1)}:{xl_rowcol_to_cell(r2, c2)}"
        attrs.append(f'sqref="{ref}"')
        self.validations.append(
            f"<dataValidation {' '.join(attrs)}><formula1>{escape_text(chr(34) + words + chr(34))}</formula1></dataValidation>"
        )
        return 0

    def conditional_format(self, r1: int, c1: int, r2: int, c2: int, options: dict) -> int:
        if options.get("type") != "formula":
            raise ValueError("only formula conditional formats are supported by the fast writer")
        fmt = options["format"]
        self.wb.register(fmt, dxf=True)
        criteria = options["criteria"]
        self.conditionals.append(
            (f"{xl_rowcol_to_cell(r1, c1)}:{xl_rowcol_to_cell(r2, c2)}", criteria[1:] if criteria.startswith("=") else criteria, fmt)
        )
        return 0

    # serialisation
    def _serialise(self, until: float) -> None:
        """Move the cells of rows above `until`, from the dict, into the serialised rows.

        Each row's start tag (after the end tag of the row before) goes in among the
        cells under the key just before its own cells', and one sort of the keys puts
        everything in order: no work per row but its tag.
        """
        done, store, heights = self._done, self.cells, self.row_heights
        if until == _ALL:
            pieces, self.cells = store, {}
        else:
            pieces = {k: store.pop(k) for k in [k for k in store if k < until * _COLS]}
        rows = sorted({k // _COLS for k in pieces}.union([r for r in heights if done <= r < until]))
        if rows:
            height = _Memo(_height)
            tags = [f'</row><row r="{r + 1}"{height[heights.get(r)]}>' for r in rows]
            tags[0] = tags[0][len("</row>") :]
            pieces.update(zip([r * _COLS for r in rows], tags))
            pieces[rows[-1] * _COLS + _COLS - 1] = "</row>"  # after the last row's cells
            self._rows.write("".join(map(pieces.__getitem__, sorted(pieces))).encode("utf-8"))
            self._last = rows[-1]
        if until > self._done:
            self._done = until

    def rows_deflated(self) -> Deflated:
        """The <row> elements alone, deflated: the sheetData of a sheet patched into another workbook (masterpatch)."""
        self._serialise(_ALL)
        self._rows.end()
        return self._rows

    def deflated(self, drawing: str = "") -> list[Deflated]:
        """The sheet's XML as the deflated pieces of its zip member; every row is written by then."""
        self._serialise(_ALL)
        self._rows.end()
        return [Deflated(self._head().encode("utf-8")), self._rows, Deflated(self._tail(drawing).encode("utf-8"), last=True)]

    def _head(self) -> str:
        xf = self.wb.prototype.xf_index
        out = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        ]
        if self.fit:
            out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        last = "" if self._last < 0 else ":" + xl_rowcol_to_cell(self._last, max(self._width - 1, 0))
        out.append(f'<dimension ref="A1{last}"/>')
        grid = ' showGridLines="0"' if self.gridlines == 2 else ""
        selected = ' tabSelected="1"' if self.wb.active == self.index else ""
        view = f'<sheetView{grid}{selected} workbookViewId="0">'
        if self.freeze:
            r, c = self.freeze
            pane = "bottomLeft" if c == 0 else ("topRight" if r == 0 else "bottomRight")
            xs = f' xSplit="{c}"' if c else ""
            ys = f' ySplit="{r}"' if r else ""
            view += f'<pane{xs}{ys} topLeftCell="{xl_rowcol_to_cell(r, c)}" activePane="{pane}" state="frozen"/><selection pane="{pane}"/>'
        elif self.selection:
            view += f'<selection activeCell="{self.selection}" sqref="{self.selection}"/>'
        out.append(f"<sheetViews>{view}</sheetView></sheetViews>")
        out.append('<sheetFormatPr defaultRowHeight="15"/>')
        if self.columns:
            cols = []
            for first, last, width, fmt, hidden in sorted(self.columns, key=lambda c: c[0]):
                w = int((width * 7 + 5) / 7 * 256) / 256 if width >= 1 else width
                style = f' style="{xf[fmt.key]}"' if fmt is not None else ""
                hid = ' hidden="1"' if hidden else ""
                cols.append(f'<col min="{first + 1}" max="{last + 1}" width="{w}"{style}{hid} customWidth="1"/>')
            out.append(f"<cols>{''.join(cols)}</cols>")
        out.append("<sheetData>")
        return "".join(out)

    def _tail(self, drawing: str) -> str:
        proto = self.wb.prototype
        out = ["</sheetData>"]
        if self.protection:
            out.append(self.protection)
        if self.autofilter_ref:
            out.append(f'<autoFilter ref="{self.autofilter_ref}"/>')
        if self.merges:
            out.append(
                f'<mergeCells count="{len(self.merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in self.merges) + "</mergeCells>"
            )
        for priority, (ref, formula, fmt) in enumerate(self.conditionals, start=1):
            out.append(
                f'<conditionalFormatting sqref="{ref}"><cfRule type="expression" dxfId="{proto.dxf_index[fmt.key]}" priority="{priority}">'
                f"<formula>{escape_text(formula)}</formula></cfRule></conditionalFormatting>"
            )
        if self.validations:
            out.append(f'<dataValidations count="{len(self.validations)}">' + "".join(self.validations) + "</dataValidations>")
        out.append(self.margins or '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
        if self.paper or self.orientation or self.fit or self.scale:
            attrs = []
            if self.paper:
                attrs.append(f'paperSize="{self.paper}"')
            if self.scale:
                attrs.append(f'scale="{self.scale}"')
            if self.fit:
                if self.fit[0] != 1:
                    attrs.append(f'fitToWidth="{self.fit[0]}"')
                if self.fit[1] != 1:
                    attrs.append(f'fitToHeight="{self.fit[1]}"')
            if self.orientation:
                attrs.append(f'orientation="{self.orientation}"')
            out.append(f"<pageSetup {' '.join(attrs)}/>")
        if self.footer:
            out.append(f"<headerFooter><oddFooter>{escape_text(self.footer)}</oddFooter></headerFooter>")
        if self.breaks:
            brks = "".join(f'<brk id="{b}" max="16383" man="1"/>' for b in self.breaks)
            out.append(f'<rowBreaks count="{len(self.breaks)}" manualBreakCount="{len(self.breaks)}">{brks}</rowBreaks>')
        out.append(drawing)
        out.append("</worksheet>")
        return "".join(out)


def write_cells(ws, cells: Sequence[tuple], merges: Sequence[tuple] = ()) -> None:
    """FastSheet.write_cells on either writer: at once on a FastSheet, one by one through xlsxwriter's API.

    The drawing code serves both writers (the tests compare what they make), and
    xlsxwriter has no call for many cells.
    """
    if isinstance(ws, FastSheet):
        ws.write_cells(cells, merges)
        return
    for r1, c1, r2, c2, fmt in merges:
        ws.merge_range(r1, c1, r2, c2, "", fmt)
    for r, c, fmt, value in cells:
        if value.__class__ is Formula:
            ws.write_formula(r, c, value.formula, fmt, value.value)
        elif value:
            ws.write_string(r, c, value, fmt)
        else:
            ws.write_blank(r, c, None, fmt)


def set_rows(ws, heights: dict[int, float]) -> None:
    """FastSheet.set_rows on either writer, as write_cells."""
    if isinstance(ws, FastSheet):
        ws.set_rows(heights)
        return
    for r, h in heights.items():
        ws.set_row(r, h)


def _whole_pixels(height: float) -> float:
    """A row height in points, rounded to whole pixels, as xlsxwriter and Excel store it."""
    return int(height * 4.0 / 3.0 + 0.5) * 0.75


def _height(ht: float | None) -> str:
    return f' ht="{ht}" customHeight="1"' if ht is not None else ""


def _width(row: Sequence) -> int:
    """Columns up to the row's last cell."""
    n = len(row)
    while n and not (row[n - 1] or row[n - 1] == 0):
        n -= 1
    return n


class _Memo(dict):
    """make(key), made once per key and then looked up at the speed of a dict, in a comprehension."""

    def __init__(self, make: Callable):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        made = self[key] = self.make(key)
        return made


_LETTERS = _Memo(xl_col_to_name)  # column number -> its letters, for every sheet
