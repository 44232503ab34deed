"""Bring finance's own master up to date: every part carried over byte for byte, only the tool's cells written anew.

The master is finance's workbook, kept in Excel: sheets, columns, notes, fills and
widths of their own must survive a collect and a new year. So the master written is
the input's zip with only what must change replaced, and compressed members are
copied as they are, without inflating them.

* ``collect`` replaces the ``Resultater`` sheet's rows (its columns, view, filter and
  styles kept). Finance's own columns there are kept too, matched by indsats and
  runde: a row that is there before and after keeps its own cells (formulas moved
  with the row), a new row gets them empty, and own cells of a row that goes away
  are named in a note.
* ``new-year`` (`before` given: what the file holds now) also writes the changed
  cells of ``Aftale``, ``Runder`` and ``Indsatser`` in place: the value goes into the
  cell as it stands, its style (and every other attribute of it, its row and its
  columns) kept; a date in a date style. Indsatser left out with ``--only-open`` lose
  their row, and what points into the rows below (filter, merged cells, validations,
  conditional formats, comments, names, tables) moves up with them.

What must change with the cells changes too: the filter's defined name, a calculation
chain that points into a changed sheet (dropped; Excel rebuilds it), Excel told to
recalculate on load when the workbook holds formulas (their cached values may be
stale), a date or quote-prefix style appended to styles.xml when a cell needs one,
and the results sheet's part, rel and content type when the input had none. Strings
are written as inline strings: sharedStrings.xml stays as it was.

A workbook this cannot patch safely (not a zip of the usual shape, Strict Open XML,
zip64, encrypted; rows to drop that formulas, charts or pictures point into) raises
:class:`Unpatchable`; the caller writes the master afresh and says what was not kept.

The pieces: :class:`_Package` is the input's parts and the workbook-wide edits
(relationships, names, calculation, styles through :class:`_Styles`), :class:`_Sheet`
one worksheet split around its rows; the jobs are :class:`_Results` (the results
sheet's rows), :class:`_YearCells` (new-year's cells in place) and ``_drop_rows``
with its helpers (rows removed, what points below them moved up).
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from datetime import date, datetime
from html import unescape  # XML text: the five entities and character references ("&#248;", as openpyxl writes ø)
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name, xl_range, xl_range_abs

from .atomic import atomic_output, read_cause
from .danish import listed, quoted
from .extent import column_number
from .fastxlsx.cells import any_cell, escape_text, serial
from .fastxlsx.worksheet import FastSheet
from .fastxlsx.zipwriter import Deflated
from .master import (
    AGREEMENT_FIELDS,
    AGREEMENT_SHEET,
    DATE_FORMAT,
    ELEMENT_COLUMNS,
    ELEMENTS_SHEET,
    RESULT_COLUMNS,
    RESULT_WIDTHS,
    RESULTS_SHEET,
    ROUNDS_SHEET,
    SHEET_COLUMNS,
    STAMP_FORMAT,
    MasterError,
    element_row,
    read_master,
    result_row,
    write_master,
)
from .model import Agreement
from .xlsxio import needs_quote

_ZIP_DATE = (0, (1 << 5) | 1)  # dos time, dos date of 1980-01-01: new members, as the lean writer dates them
_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"|([\w:]+)\s*=\s*\'([^\']*)\'')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d*)"')
_OLD_VALUE = re.compile(rb'\s(?:r|t|cm|vm)="[^"]*"')  # a cell's attributes that describe the value it held
_STYLE = re.compile(r'\ss="(\d+)"')
_FORMULA = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>]")
_CELL_XFS = re.compile(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_POINT = re.compile(r"(\$?)([A-Z]{0,3})(\$?)(\d*)")
_LAST_ROW = 1048576
_DAYS_1900_TO_1904 = 1462  # a date's serial number in a workbook that counts from 1904 is this much smaller
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_TYPED = (
    "Nummer",
    "Status",
    "Status økonomi",
    "Kilde",
    "Skabelonversion",
    "Afsender",
)  # texts a person or a file name decides: may start with "="
# Built-in number formats that show a date or a time (ECMA-376 18.8.30, and the East Asian ones).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# Elements in a sheet that go when the rows they stand on all go.
_REMOVABLE = (b"mergeCell", b"hyperlink", b"dataValidation", b"conditionalFormatting")
_CONTAINERS = ((b"mergeCells", b"mergeCell"), (b"dataValidations", b"dataValidation"), (b"hyperlinks", b"hyperlink"))
_LISTED_GONE = 10  # own cells named one by one in a note; more are counted
_COMMENT_GONE = "(kommentar)"  # a comment on a row that went, as the note names it
_DROP_HINT = "; kør new-year uden --only-open, og slet de udeladte indsatsers rækker i Excel"  # rows are only removed for --only-open


class _StyleAttrs:
    """The workbook a FastSheet asks for style attributes: here its formats already are them (' s="3"')."""

    prototype = None
    active = 0

    def style_attr(self, fmt) -> str:
        return fmt or ""

    def register(self, fmt, dxf: bool = False) -> None:
        pass


class Unpatchable(Exception):
    """The input master is not a workbook this module can patch; the message says why (Danish)."""


def write_merged_master(
    agreement: Agreement, path: Path | str, source: Path | str | None, before: Agreement | None = None
) -> tuple[Path, list[str]]:
    """The master at `path`: `source` (finance's master) brought up to date with `agreement`.

    Without `before`, only the results are brought up to date (collect). With `before`
    (what `source` holds, as read_master reads it), every tool cell where `agreement`
    differs is written too (new-year), and the written master is read back to check
    it is `agreement`. Returns the path and notes for finance: what was not kept,
    when `source` could not be patched and the master was written afresh from the
    model, and what finance's own cells lost. Without `source`, written afresh.
    """
    path = Path(path)
    if source is None:
        return write_master(agreement, path), []
    try:
        notes = patch_master(source, agreement, path, before)
        if before is not None:
            _check_reads_back(path, agreement)
        return path, notes
    except Unpatchable as exc:
        write_master(agreement, path)
        return path, [_afresh_note(path, Path(source), str(exc), collect=before is None)]


def patch_master(source: Path | str, agreement: Agreement, path: Path | str, before: Agreement | None = None) -> list[str]:
    """Write `source` to `path` brought up to date with `agreement` (see write_merged_master); return notes for finance.

    The source is closed before the new file takes its place: `path` may be `source` itself.
    """
    with atomic_output(path) as tmp:
        try:
            fh = open(source, "rb")
        except OSError as exc:
            raise Unpatchable(f"filen kan ikke læses igen: {read_cause(exc)}") from None
        with fh:
            try:
                zf = zipfile.ZipFile(fh)
                infos = zf.infolist()
                for info in infos:
                    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                        raise Unpatchable("en del er krypteret eller pakket på en måde Excel ikke bruger")
                    if max(info.file_size, info.compress_size, info.header_offset) >= 0xFFFFFFFF:
                        raise Unpatchable("filen er for stor (zip64)")
                if len({i.filename for i in infos}) != len(infos):
                    raise Unpatchable("en del står to gange i zip-filen")
                package = _Package(zf)
                notes = _update(package, agreement, before)
                with open(tmp, "wb") as out:
                    _write_zip(fh, out, infos, package)
            except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, ValueError, IndexError) as exc:
                raise Unpatchable(f"filen har ikke en .xlsx-projektmappes opbygning: {exc}") from None
    return notes


def _update(package: _Package, agreement: Agreement, before: Agreement | None) -> list[str]:
    """Every job the update asks for, in order; the notes for finance."""
    notes = []
    results, cells = _Results(package), _YearCells(package)
    if before is None or before.results != agreement.results:  # first: rows cleared here are no reason to refuse removing others
        notes += results.rewrite(agreement, clearing=before is not None and not agreement.results)
    if before is not None:
        cells.update(before, agreement)
    package.put_edited_sheets()
    if cells.formulas_replaced:
        notes.append(
            f"{listed(cells.formulas_replaced)} havde en formel; cellen har nu det nye års værdi, ikke formlen. "
            "Skriv formlen igen, hvis den skal bruges"
        )
    if results.formulas_dropped:
        notes.append(
            f"formlen i {listed(results.formulas_dropped)} på arket '{RESULTS_SHEET}' dækker flere celler og kunne ikke flyttes "
            "med sin række; cellen har beholdt sin værdi"
        )
    package.settle(results.own_formulas)
    return notes


def _own_additions(source: Path | str) -> str:
    """What of finance's own a master holds beside the tool's, in Danish: "egne ark (Noter), egne kolonner (…), …".

    Read with the master's reader (sheet names and headings) and the zip's member
    names (comments); formats, fills and widths are always named, they are not looked for.
    """
    from .sheets import SheetsOnDemand

    parts = []
    try:
        sheets = SheetsOnDemand(source)
        own = [name for name in sheets if name not in SHEET_COLUMNS]
        columns = []
        for name, tool in SHEET_COLUMNS.items():
            rows = sheets[name] if name in sheets else []
            extra = [h for h in (str(v).strip() for v in (rows[0] if rows else []) if v is not None) if h and h not in tool]
            if extra:
                columns.append(f"{name}: {', '.join(map(quoted, extra))}")
        if own:
            parts.append(f"egne ark ({', '.join(own)})")
        if columns:
            parts.append(f"egne kolonner ({'; '.join(columns)})")
        with zipfile.ZipFile(source) as z:
            if any("comment" in n.lower() for n in z.namelist()):
                parts.append("kommentarer")
    except Exception:  # a file that could not be patched may not be readable either: name everything
        parts = ["egne ark", "egne kolonner", "kommentarer"]
    return ", ".join(parts + ["formater"]) + ", farver og kolonnebredder"


def _afresh_note(path: Path, source: Path, reason: str, collect: bool) -> str:
    shown = source.name if source.name != path.name else str(source)
    advice = ", eller gem masterfilen som Excel-projektmappe (*.xlsx) før næste runde" if collect else ""
    return (
        f"{path.name} er skrevet forfra ud fra modellen, fordi {shown} ikke kunne opdateres på stedet ({reason}): "
        f"ikke ført med er {_own_additions(source)}; kopiér dem over fra {shown}{advice}"
    )


def _check_reads_back(path: Path, agreement: Agreement) -> None:
    """The patched master, read as every command reads it, must be `agreement`; else it is not used."""
    try:
        back = read_master(path)
    except MasterError as exc:
        raise Unpatchable(f"den rettede fil kunne ikke læses: {exc.problems[0]}") from None
    if back != agreement:
        raise Unpatchable("den rettede fil læses ikke tilbage med de nye værdier")


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1) or m.group(3): unescape(m.group(2) if m.group(1) else m.group(4)) for m in _ATTR.finditer(tag)}


def _resolve(base: str, target: str) -> str:
    """A relationship's target as a zip member name, from the folder of the part that holds it."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))


def _rels_name(part: str) -> str:
    """The zip member that holds a part's relationships."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _cells(row: bytes) -> list[tuple[int, bytes, bytes, int, int]]:
    """A row's cells: (0-based column, attributes, body, start, end in the row's bytes)."""
    out = []
    col = -1
    for m in _CELL.finditer(row):
        ref = _CELL_REF.search(m.group(1))
        col = column_number(ref.group(1)) - 1 if ref else col + 1
        out.append((col, m.group(1), m.group(2) or b"", m.start(), m.end()))
    return out


def _with_style(attrs: str, style: str) -> str:
    """Cell attributes with their s= replaced by `style` (' s="7"')."""
    return _STYLE.sub("", attrs) + style


def _translated(formula: str, origin: str, target: str) -> str:
    """A formula (without "=") as it reads moved from cell `origin` to `target`, as Excel moves it."""
    from openpyxl.formula.translate import Translator, TranslatorError

    if origin == target:
        return formula
    try:
        return Translator("=" + formula, origin=origin).translate_formula(target)[1:]
    except (TranslatorError, ValueError) as exc:
        raise Unpatchable(f"formlen i {origin} kan ikke flyttes til {target}: {exc}") from None


def _shared_first(body: bytes, ref: str) -> tuple[str, tuple[str, str]] | None:
    """(si, (formula, `ref`)) when the cell body holds the first cell of a shared formula; else None."""
    f = _FORMULA.search(body)
    if f is None or not f.group(2):
        return None
    a = _attrs(f.group(1).decode())
    if a.get("t") != "shared" or "ref" not in a:
        return None
    return a.get("si", ""), (unescape(f.group(2).decode()), ref)


def _number_key(text: str, numeric: bool) -> str:
    """An indsats number as read_master reads it: a number cell as its shortest text, without a closing "."."""
    if numeric:
        try:
            value = float(text)
            text = str(int(value)) if value.is_integer() else repr(value)
        except ValueError:
            pass
    return text.strip().rstrip(".")


def _round_key(text: str, _numeric: bool) -> int | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


# --- rows that go: references move up -----------------------------------------------------------


def _shift_area(area: str, gone: list[int]) -> str | None:
    """`area` ("A2:N7", "$A$1", "D:D", "2:5") with the rows in `gone` (sorted) deleted; None when nothing of it is left."""
    ends = area.split(":")
    points = [_POINT.fullmatch(e) for e in ends]
    if len(ends) > 2 or not all(points):
        raise Unpatchable(f"området {area} kan ikke læses")
    rows = [int(p.group(4)) if p.group(4) else None for p in points]
    if rows[0] is None:  # whole columns
        return area
    first = rows[0] - bisect_left(gone, rows[0])
    last = rows[-1] if rows[-1] >= _LAST_ROW else rows[-1] - bisect_right(gone, rows[-1])
    if last < first:
        return None
    out = [f"{p.group(1)}{p.group(2)}{p.group(3)}{n}" for p, n in zip(points, (first, last))]
    return ":".join(out[: len(ends)]) if len(ends) == 2 else out[0]


def _shift_areas(areas: str, gone: list[int]) -> str | None:
    kept = [a for a in (_shift_area(a, gone) for a in areas.split()) if a]
    return " ".join(kept) if kept else None


def _shift_point(point: str, gone: list[int]) -> str:
    """A cell that cannot go (a selection, a pane's top left): onto the row that takes its place."""
    m = _POINT.fullmatch(point)
    if not m or not m.group(4):
        return point
    row = int(m.group(4))
    return f"{m.group(1)}{m.group(2)}{m.group(3)}{max(1, row - bisect_left(gone, row))}"


def _last_row(areas: str) -> int:
    """The lowest row `areas` reach; a whole column reaches the last."""
    rows = [int(p.group(4)) if p.group(4) else _LAST_ROW for a in areas.split() for e in a.split(":") if (p := _POINT.fullmatch(e))]
    return max(rows, default=_LAST_ROW)


def _shift_refs(xml: bytes, gone: list[int], where: str) -> bytes:
    """A sheet's (or table's) XML outside its rows with `gone` rows deleted: every ref, sqref and cell moved up.

    Merged cells, hyperlinks, validations and conditional formats that stood only on
    deleted rows go (and a container left empty with them); an element of another
    kind that would be left with no cells, and extensions or page breaks below the
    first deleted row, make it Unpatchable.
    """
    first = gone[0]
    ext = [_last_row(t.decode()) for t in re.findall(rb"<(?:\w+:)?sqref>([^<]*)<", xml)]
    breaks = [int(b) for b in re.findall(rb'<brk\b[^>]*\bid="(\d+)"', xml)] if b"<rowBreaks" in xml else []
    if any(r >= first for r in ext) or any(b >= first - 1 for b in breaks):
        raise Unpatchable(f"{where} har udvidelser eller sideskift under de rækker, der skulle fjernes{_DROP_HINT}")

    def vanished(m: re.Match) -> bytes:
        ref = re.search(rb'\s(?:sqref|ref)="([^"]*)"', m.group(0)[: m.group(0).index(b">") + 1])
        left = _shift_areas(ref.group(1).decode(), gone) if ref else ""
        one_cell = m.group(0).startswith(b"<mergeCell") and left and len(set(left.split(":"))) == 1  # nothing left to merge
        return b"" if left is None or one_cell else m.group(0)

    for name in _REMOVABLE:
        xml = re.sub(rb"<" + name + rb"\b[^>]*?(?:/>|>.*?</" + name + rb">)", vanished, xml, flags=re.S)
    for box, item in _CONTAINERS:
        count = len(re.findall(rb"<" + item + rb"\b", xml))
        if count:
            xml = re.sub(rb"(<" + box + rb'\b[^>]*?\scount=")\d+"', rb"\g<1>" + str(count).encode() + b'"', xml, count=1)
        else:
            xml = re.sub(rb"<" + box + rb"\b[^>]*?(?:/>|>\s*</" + box + rb">)", b"", xml)

    def tag(m: re.Match) -> bytes:
        name = m.group(1)

        def attr(a: re.Match) -> bytes:
            key, value = a.group(2), a.group(3).decode()
            if key in (b"activeCell", b"topLeftCell") or name.endswith(b"selection"):
                new = " ".join(_shift_point(area.split(":")[0], gone) for area in value.split())
            else:
                new = _shift_areas(value, gone)
                if new is None:
                    raise Unpatchable(f"{where}: <{name.decode()}> står kun på rækker, der skulle fjernes{_DROP_HINT}")
            return a.group(1) + new.encode() + b'"'

        return re.sub(rb'(\s(sqref|ref|activeCell|topLeftCell)=")([^"]*)"', attr, m.group(0))

    return re.sub(rb"<([\w:]+)\b[^>]*>", tag, xml)


def _moved_note(shape: bytes, moved: Callable[[int], int | None]) -> bytes:
    """A comment's note box (a VML shape) onto the row its cell moved to; gone with the cell."""
    if not re.search(rb'ObjectType="Note"', shape):
        return shape
    row = re.search(rb"(<(?:\w+:)?Row>)(\d+)(</(?:\w+:)?Row>)", shape)
    if row is None:
        return shape
    old = int(row.group(2)) + 1
    to = moved(old)
    if to is None:
        return b""
    if to == old:
        return shape
    delta = to - old

    def anchor(m: re.Match) -> bytes:
        parts = [p.strip() for p in m.group(2).decode().split(",")]
        if len(parts) == 8:
            for k in (2, 6):
                parts[k] = str(max(0, int(parts[k]) + delta))
        return m.group(1) + ", ".join(parts).encode() + m.group(3)

    shape = shape[: row.start(2)] + str(to - 1).encode() + shape[row.end(2) :]
    return re.sub(rb"(<(?:\w+:)?Anchor>)([^<]*)(</(?:\w+:)?Anchor>)", anchor, shape)


# --- the package -----------------------------------------------------------------------------------


class _Sheet:
    """One worksheet of the package, split around its sheetData; its rows read when first asked for."""

    def __init__(self, package: _Package, index: int):
        self.name, self.sheet_id, rid = package.sheets[index]
        kind, self.part = package.targets.get(rid, ("", ""))
        if not kind.endswith("/worksheet") or self.part not in package.names:
            raise Unpatchable(f"arket '{self.name}' er ikke et almindeligt regneark")
        xml = package.current(self.part)
        start = xml.find(b"<sheetData")
        if start < 0:
            raise Unpatchable(f"arket '{self.name}' har ingen celler, som kan læses")
        open_end = xml.index(b">", start) + 1
        if xml[open_end - 2 : open_end] == b"/>":
            self.inner, end = b"", open_end
        else:
            close = xml.index(b"</sheetData>", open_end)
            self.inner, end = xml[open_end:close], close + len(b"</sheetData>")
        self.head, self.tail = xml[:start], xml[end:]
        self._rows: list[list] | None = None
        self.orphans: dict[str, tuple[str, str]] = {}  # shared formulas whose first cell was written over: si -> (formula, cell)
        self.edited = False

    def _parsed(self) -> Iterator[list]:
        before = 0
        for m in _ROW.finditer(self.inner):
            row = m.group(0)
            number = _ROW_NUMBER.match(row)
            if number is None:  # a row without r is the one after the row before
                before += 1
                yield [before, row.replace(b"<row", f'<row r="{before}"'.encode(), 1)]
            else:
                before = int(number.group(1))
                yield [before, row]

    def first_rows(self, count: int) -> list[list]:
        """The first `count` rows as [number, bytes], without reading the rest."""
        return self._rows[:count] if self._rows is not None else list(islice(self._parsed(), count))

    @property
    def rows(self) -> list[list]:
        """Every row as [number, bytes], in order."""
        if self._rows is None:
            self._rows = list(self._parsed())
        return self._rows

    @rows.setter
    def rows(self, rows: list[list]) -> None:
        self._rows = rows
        self.edited = True

    def expand_orphans(self) -> None:
        """Cells that shared a formula whose first cell was written over get the formula as their own."""
        if not self.orphans:
            return
        for item in self.rows:
            n, row = item

            def own(m: re.Match, n=n) -> bytes:
                f = _FORMULA.search(m.group(0))
                a = _attrs(f.group(1).decode()) if f else {}
                if not f or a.get("t") != "shared" or f.group(2) or a.get("si") not in self.orphans:
                    return m.group(0)
                ref = _CELL_REF.search(m.group(1))
                text, origin = self.orphans[a["si"]]
                formula = _translated(text, origin, f"{ref.group(1).decode()}{n}")
                return m.group(0)[: f.start()] + f"<f>{escape(formula)}</f>".encode() + m.group(0)[f.end() :]

            item[1] = _CELL.sub(own, row)

    def xml(self) -> bytes:
        return self.head + b"<sheetData>" + b"".join(row for _, row in self.rows) + b"</sheetData>" + self.tail


class _Styles:
    """styles.xml's cell formats, read once; a format appended when a written cell needs one."""

    def __init__(self, name: str, text: str):
        self.name, self.text = name, text
        m = _CELL_XFS.search(text)
        if m is None:
            raise Unpatchable("typografierne mangler cellXfs")
        self.xfs: list[str] = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", m.group(1), re.S)

    def xf(self, style: str) -> str:
        """The <xf> a style attribute (' s="3"', or "" for the default) names."""
        m = _STYLE.search(style)
        i = int(m.group(1)) if m else 0
        return self.xfs[i] if i < len(self.xfs) else ""

    def shows_date(self, style: str) -> bool:
        """Whether a cell in this style shows its number as a date."""
        fmt = int(_attrs(self.xf(style).split(">", 1)[0]).get("numFmtId", "0") or 0)
        if fmt in _DATE_FORMAT_IDS:
            return True
        m = re.search(r'<numFmt\b(?=[^>]*numFmtId="' + str(fmt) + r'")[^>]*formatCode="([^"]*)"', self.text)
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", unescape(m.group(1))) if m else ""
        return bool(re.search(r"[dDyY]", code))

    def append(self, num_format: str | None, quote: bool, base: str = "") -> str:
        """A cell format (a date format, or a base style with a quote prefix), appended unless there; its style attribute."""
        styles = self.text
        base_index = int(base.split('"')[1]) if base else 0
        xf = self.xfs[base_index] if base_index < len(self.xfs) else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        if num_format:
            same = re.search(r'<numFmt\b(?=[^>]*formatCode="' + re.escape(num_format) + r'")[^>]*numFmtId="(\d+)"', styles)
            ids = [int(i) for i in re.findall(r'<numFmt\b[^>]*numFmtId="(\d+)"', styles)]
            fmt_id = int(same.group(1)) if same else max([163, *ids]) + 1
            entry = f'<numFmt numFmtId="{fmt_id}" formatCode="{num_format}"/>'
            if not same and "<numFmts" in styles:
                styles = re.sub(r"<numFmts\b[^>]*>", lambda t: t.group(0) + entry, styles, count=1)
                styles = re.sub(r'(<numFmts\b[^>]*count=")(\d+)"', lambda t: f'{t.group(1)}{int(t.group(2)) + 1}"', styles, count=1)
            elif not same:
                styles = re.sub(r"(<styleSheet\b[^>]*>)", lambda t: t.group(1) + f'<numFmts count="1">{entry}</numFmts>', styles, count=1)
            xf = re.sub(r'\s(?:numFmtId|applyNumberFormat)="[^"]*"', "", xf)
            xf = xf.replace("<xf", f'<xf numFmtId="{fmt_id}" applyNumberFormat="1"', 1)
        if quote:
            xf = re.sub(r'\squotePrefix="[^"]*"', "", xf).replace("<xf", '<xf quotePrefix="1"', 1)
        if xf in self.xfs:  # made by an earlier round: used again, so styles.xml does not grow round by round
            return f' s="{self.xfs.index(xf)}"'
        m = _CELL_XFS.search(styles)
        styles = styles[: m.end(1)] + xf + styles[m.end(1) :]
        self.text = re.sub(r'(<cellXfs\b[^>]*count=")(\d+)"', lambda t: f'{t.group(1)}{int(t.group(2)) + 1}"', styles, count=1)
        self.xfs.append(xf)
        return f' s="{len(self.xfs) - 1}"'


class _Package:
    """The parts of the input that the update touches, read as text; what changes, is added or dropped.

    Also the workbook-wide edits every job may need: the workbook's relationships,
    names and calculation, the content types, styles.xml, and comments moved with
    their rows.
    """

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.names = {i.filename for i in zf.infolist()}
        self.changed: dict[str, bytes | list[Deflated]] = {}  # a part's new bytes, or a sheet's deflated pieces
        self.added: dict[str, bytes | list[Deflated]] = {}  # new parts, written after the input's
        self.dropped: set[str] = set()
        self.types = self.text("[Content_Types].xml")
        if (
            "macroEnabled" in self.types or "template.main" in self.types
        ):  # kept, it would be an .xlsm or .xltx named .xlsx: Excel refuses it
            raise Unpatchable("masterfilen er gemt med makroer eller som skabelon, ikke som Excel-projektmappe (*.xlsx)")
        root_rels = self.text("_rels/.rels")
        office = [a for a in map(_attrs, re.findall(r"<Relationship\b[^>]*>", root_rels)) if a.get("Type", "").endswith("/officeDocument")]
        if not office or "purl.oclc.org" in office[0]["Type"]:
            raise Unpatchable("Strict Open XML eller ingen projektmappe i filen")
        self.book_name = _resolve("", office[0]["Target"])
        self.book = self.text(self.book_name)
        if f'xmlns="{_SHEET_NS}"' not in self.book:
            raise Unpatchable("projektmappen er ikke gemt som Excel-projektmappe (*.xlsx)")
        self.folder = posixpath.dirname(self.book_name)
        self.rels_name = _rels_name(self.book_name)
        self.rels = self.text(self.rels_name)
        self._part_rels: dict[str, dict[str, tuple[str, str]]] = {}  # other parts' relationships, read once
        self.targets = self.part_rels(self.book_name)
        self.sheets = []  # (name, sheetId, rel id), in the workbook's order
        for tag in re.findall(r"<sheet\b[^>]*>", self.book):
            a = _attrs(tag)
            rid = next((v for k, v in a.items() if k.endswith(":id")), "")
            self.sheets.append((a.get("name", ""), a.get("sheetId", ""), rid))
        pr = re.search(r"<workbookPr\b[^>]*>", self.book)
        self.date1904 = bool(pr and re.search(r'\sdate1904="(?:1|true)"', pr.group(0)))  # old Excel for Mac counts from 1904
        self._strings: list[str] | None = None
        self._styles: _Styles | None = None
        self.opened: dict[int, _Sheet] = {}
        self.touched: set[str] = set()  # sheetIds of the sheets written anew

    # --- reading ---------------------------------------------------------------------------------

    def text(self, name: str) -> str:
        return self.zf.read(name).decode("utf-8")

    def current(self, name: str) -> bytes:
        """A part's bytes as this update leaves them so far; not for a part written as pieces (see rewritten)."""
        data = self.changed.get(name, self.added.get(name))
        return data if isinstance(data, bytes) else self.zf.read(name)

    def rewritten(self, name: str) -> bool:
        """Whether the part is a sheet written anew as deflated pieces (the results sheet): its formulas are not looked for."""
        return isinstance(self.changed.get(name, self.added.get(name)), list)

    def part_rels(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, zip member; an external target is no member)."""
        name = _rels_name(part)
        if name != self.rels_name and name in self._part_rels:
            return self._part_rels[name]
        if name == self.rels_name:  # the workbook's, as this update leaves it
            text = self.rels
        elif name in self.names:
            text = self.text(name)
        else:
            text = ""
        found = {
            a["Id"]: (a.get("Type", ""), _resolve(posixpath.dirname(part), a.get("Target", "")))
            for a in map(_attrs, re.findall(r"<Relationship\b[^>]*>", text))
        }
        if name != self.rels_name:
            self._part_rels[name] = found
        return found

    def shared_strings(self) -> list[str]:
        if self._strings is None:
            name = next((t for typ, t in self.targets.values() if typ.endswith("/sharedStrings")), None)
            self._strings = []
            if name and name in self.names:
                for si in re.findall(r"<si\b[^>]*>(.*?)</si>|<si\s*/>", self.text(name), re.S):
                    si = re.sub(r"<rPh\b.*?</rPh>", "", si, flags=re.S)  # phonetic guides are not the text
                    self._strings.append(unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", si, re.S))))
        return self._strings

    def cell_text(self, attrs: str | bytes, body: bytes) -> str:
        a = _attrs(attrs.decode("utf-8") if isinstance(attrs, bytes) else attrs)
        text = body.decode("utf-8") if body else ""
        if a.get("t") == "inlineStr":
            return unescape("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", text, re.S)))
        v = re.search(r"<v>(.*?)</v>", text, re.S)
        if v is None:
            return ""
        if a.get("t") == "s":
            strings = self.shared_strings()
            i = int(v.group(1))
            return strings[i] if i < len(strings) else ""
        return unescape(v.group(1))

    def index_of(self, name: str) -> int | None:
        return next((i for i, s in enumerate(self.sheets) if s[0] == name), None)

    def sheet(self, name: str) -> _Sheet | None:
        """The named sheet, opened once; None when the workbook has no such sheet."""
        index = self.index_of(name)
        if index is None:
            return None
        if index not in self.opened:
            self.opened[index] = _Sheet(self, index)
        return self.opened[index]

    def headings(self, sheet: _Sheet) -> dict[int, str]:
        """Column -> heading of the sheet's first row (stripped), as read_master reads them."""
        first = sheet.first_rows(1)
        if not first or first[0][0] != 1:
            return {}
        return {col: self.cell_text(attrs, body).strip() for col, attrs, body, _, _ in _cells(first[0][1])}

    def columns(self, sheet: _Sheet) -> dict[str, int]:
        """Heading -> column; a repeated heading: the last, as read_master counts it."""
        return {h: c for c, h in sorted(self.headings(sheet).items()) if h}

    def keyed_rows(self, sheet: _Sheet, col: int | None, key: Callable[[str, bool], object], heading: bool = False) -> dict:
        """key(text, is a number) of each row's cell in `col` -> the row's index in sheet.rows; the last row wins.

        The heading row is left out unless `heading`.
        """
        out = {}
        if col is None:
            return out
        for i, (n, row) in enumerate(sheet.rows):
            if n == 1 and not heading:
                continue
            for c, attrs, body, _, _ in _cells(row):
                if c == col:
                    t = _attrs(attrs.decode()).get("t", "n")
                    k = key(self.cell_text(attrs, body), t == "n")
                    if k not in (None, ""):
                        out[k] = i
                    break
        return out

    def serial(self, value: date) -> float:
        """A date as the number a cell of this workbook holds for it."""
        return serial(value) - (_DAYS_1900_TO_1904 if self.date1904 else 0)

    # --- writing ---------------------------------------------------------------------------------

    def put(self, name: str, data: bytes | list[Deflated]) -> None:
        (self.added if name in self.added else self.changed)[name] = data

    def set_book(self, book: str) -> None:
        self.book = book
        self.changed[self.book_name] = book.encode("utf-8")

    def set_rels(self, rels: str) -> None:
        self.rels = rels
        self.changed[self.rels_name] = rels.encode("utf-8")

    def set_types(self, types: str) -> None:
        self.types = types
        self.changed["[Content_Types].xml"] = types.encode("utf-8")

    def put_edited_sheets(self) -> None:
        """The sheets opened and edited (cells written, rows dropped), back into the package."""
        for sheet in self.opened.values():
            if sheet.edited:
                sheet.expand_orphans()
                self.put(sheet.part, sheet.xml())
                self.touched.add(sheet.sheet_id)

    # --- styles ------------------------------------------------------------------------------

    @property
    def styles(self) -> _Styles:
        if self._styles is None:
            name = next((t for typ, t in self.targets.values() if typ.endswith("/styles")), None)
            if not name or name not in self.names:
                raise Unpatchable("masterfilen har ingen typografier (styles.xml)")
            self._styles = _Styles(name, self.text(name))
        return self._styles

    def append_style(self, num_format: str | None, quote: bool, base: str = "") -> str:
        """A cell format in styles.xml (see _Styles.append); its style attribute."""
        styles = self.styles
        before = styles.text
        style = styles.append(num_format, quote, base)
        if styles.text is not before:
            self.changed[styles.name] = styles.text.encode("utf-8")
        return style

    # --- what changes with the cells ---------------------------------------------------------

    def move_anchored(self, sheet: _Sheet, moved: Callable[[int], int | None]) -> list[str]:
        """Comments of the sheet (their note boxes, threaded replies) onto the rows `moved` gives; gone where it gives None.

        Returns the cells whose comment went.
        """
        gone: list[str] = []
        for typ, target in self.part_rels(sheet.part).values():
            if target not in self.names:
                continue
            data = self.current(target)
            if typ.endswith("/comments") or typ.endswith("/threadedComment"):
                tag = b"comment" if typ.endswith("/comments") else b"threadedComment"

                def comment(m: re.Match, tag=tag) -> bytes:
                    to = moved(int(m.group(3)))
                    if to is None:
                        if tag == b"comment":
                            gone.append(f"{m.group(2).decode()}{m.group(3).decode()}")
                        return b""
                    return m.group(1) + m.group(2) + str(to).encode() + m.group(4)

                pattern = rb"(<" + tag + rb'\b[^>]*?\sref=")([A-Z]+)(\d+)(".*?</' + tag + rb">)"
                new = re.sub(pattern, comment, data, flags=re.S)
            elif typ.endswith("/vmlDrawing"):
                new = re.sub(rb"<(\w+):shape\b.*?</\1:shape>", lambda m: _moved_note(m.group(0), moved), data, flags=re.S)
            else:
                continue
            if new != data:
                self.changed[target] = new
        return gone

    def update_filter_name(self, index: int, area: str) -> None:
        """The hidden _FilterDatabase name of sheet `index`, to the filter's new `area` ("$A$1:$K$19")."""
        pattern = re.compile(
            r'(<definedName\b(?=[^>]*name="_xlnm._FilterDatabase")(?=[^>]*localSheetId="'
            + str(index)
            + r'")[^>]*>)([^<]*)!([^<]*)(</definedName>)'
        )
        m = pattern.search(self.book)
        if m is not None:
            self.set_book(self.book[: m.start()] + f"{m.group(1)}{m.group(2)}!{area}{m.group(4)}" + self.book[m.end() :])

    def settle(self, own_formulas: bool) -> None:
        """What must change with the cells: the calculation chain, and a recalculation when formulas may show old values.

        `own_formulas`: the rewritten results sheet holds finance's formulas (not looked for in its part, now pieces).
        """
        self.drop_calc_chain()
        calc = re.search(r"<calcPr\b[^>]*>", self.book)
        if self.touched and not (calc and 'fullCalcOnLoad="1"' in calc.group(0)) and (own_formulas or self.holds_formulas()):
            self.calculate_on_load()

    def drop_calc_chain(self) -> None:
        """Drop a calculation chain that lists cells of a sheet written anew; Excel rebuilds it on load."""
        found = [(rid, t) for rid, (typ, t) in self.targets.items() if typ.endswith("/calcChain")]
        for rid, name in found:
            if name in self.names:
                chain = self.text(name)
                if not any(f'i="{i}"' in chain for i in self.touched):
                    continue
            self.dropped.add(name)
            self.set_rels(re.sub(r'<Relationship\b[^>]*\bId="' + re.escape(rid) + r'"[^>]*/>', "", self.rels))
            self.set_types(re.sub(r'<Override\b[^>]*PartName="/' + re.escape(name) + r'"[^>]*/>', "", self.types))

    def holds_formulas(self) -> bool:
        for _, _, rid in self.sheets:
            kind, part = self.targets.get(rid, ("", ""))
            if kind.endswith("/worksheet") and part in self.names and not self.rewritten(part):
                if _ANY_FORMULA.search(self.current(part)):
                    return True
        return False

    def calculate_on_load(self) -> None:
        """Excel recalculates every formula when it opens the file: their cached values were made from the old cells."""
        m = re.search(r"<calcPr\b[^>]*?/?>", self.book)
        if m:
            tag = re.sub(r'\sfullCalcOnLoad="[^"]*"', "", m.group(0))
            tag = tag.replace("<calcPr", '<calcPr fullCalcOnLoad="1"', 1)
            self.set_book(self.book[: m.start()] + tag + self.book[m.end() :])
        else:
            later = re.search(
                r"<(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b|</workbook>",
                self.book,
            )
            self.set_book(self.book[: later.start()] + '<calcPr fullCalcOnLoad="1"/>' + self.book[later.start() :])

    def add_results_sheet(self) -> int:
        """A results sheet at the end of the workbook, headings only: its part, rel, content type and entry."""
        if "</sheets>" not in self.book:
            raise Unpatchable("masterfilen har ingen ark-liste")
        if 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"' not in self.book:
            raise Unpatchable("masterfilens relationer kan ikke udvides")
        n = 1
        while f"{self.folder}/worksheets/sheet{n}.xml" in self.names:
            n += 1
        part = f"{self.folder}/worksheets/sheet{n}.xml"
        k = 1
        while f"rId{k}" in self.targets:
            k += 1
        rid = f"rId{k}"
        sheet_id = str(max([0, *(int(s[1]) for s in self.sheets if s[1].isdigit())]) + 1)
        cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>' for c, w in enumerate(RESULT_WIDTHS))
        heads = "".join(
            f'<c r="{xl_col_to_name(c)}1" t="inlineStr"><is><t>{escape_text(h)}</t></is></c>' for c, h in enumerate(RESULT_COLUMNS)
        )
        xml = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_SHEET_NS}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
            f'<sheetData><row r="1">{heads}</row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
        )
        self.added[part] = xml.encode("utf-8")
        self.names.add(part)
        target = posixpath.relpath(part, self.folder)
        self.set_rels(
            self.rels.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{_WORKSHEET_TYPE}" Target="{target}"/></Relationships>')
        )
        self.set_types(self.types.replace("</Types>", f'<Override PartName="/{part}" ContentType="{_WORKSHEET_CT}"/></Types>'))
        self.set_book(self.book.replace("</sheets>", f'<sheet name="{RESULTS_SHEET}" sheetId="{sheet_id}" r:id="{rid}"/></sheets>'))
        self.targets[rid] = (_WORKSHEET_TYPE, part)
        self.sheets.append((RESULTS_SHEET, sheet_id, rid))
        return len(self.sheets) - 1


# --- collect's job: the results sheet --------------------------------------------------------------


class _Results:
    """The results sheet's rows written anew from the agreement; finance's own columns there kept by indsats and runde."""

    def __init__(self, package: _Package):
        self.p = package
        self.formulas_dropped: list[str] = []  # own cells kept as values: their formula could not move
        self.own_formulas = False  # the rewritten sheet holds finance's formulas

    def rewrite(self, agreement: Agreement, clearing: bool = False) -> list[str]:
        """The results sheet's rows from `agreement`; notes for finance. `clearing`: new-year empties it."""
        p = self.p
        index = p.index_of(RESULTS_SHEET)
        if index is None:
            index = p.add_results_sheet()
        sheet = _Sheet(p, index)
        first = sheet.first_rows(2)  # the heading and the first result
        if first and first[0][0] != 1:
            raise Unpatchable(f"overskriftsrækken på '{RESULTS_SHEET}' står ikke i række 1")
        header = first[0][1] if first else b""
        headings = p.headings(sheet)
        header_style = next((s.group(0).encode() for _, attrs, *_ in _cells(header) if (s := _STYLE.search(attrs.decode()))), b"")
        positions = p.columns(sheet)  # a repeated heading: the last, as read_master reads it
        extra_cells = b""
        width = max(headings, default=-1) + 1
        for h in RESULT_COLUMNS:
            if h not in positions:
                positions[h] = width
                extra_cells += (
                    f'<c r="{xl_col_to_name(width)}1"'.encode()
                    + header_style
                    + f' t="inlineStr"><is><t>{escape_text(h)}</t></is></c>'.encode()
                )
                width += 1
        if extra_cells:
            header = (
                (header[: header.rindex(b"</row>")] + extra_cells + b"</row>")
                if header.endswith(b"</row>")
                else b'<row r="1">' + extra_cells + b"</row>"
            )
        tool = {positions[h] for h in RESULT_COLUMNS}
        own, gone = self.own_cells(sheet, tool, positions, agreement)
        notes = _gone_notes(headings, tool, gone, clearing)
        styles = self.column_styles(first[1][1] if len(first) > 1 else b"", positions)
        body = self.rows(agreement, positions, styles, width, own)
        last_row = len(agreement.results)  # 0-based: the heading is row 0
        reach = max([width - 1, *(c for cells in own.values() for c in cells)])
        head = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{xl_range(0, 0, last_row, reach)}"'.encode(), sheet.head, count=1)
        tail = re.sub(
            rb'(<autoFilter\b[^>]*?\bref=")[^"]*"', rb"\g<1>" + xl_range(0, 0, last_row, width - 1).encode() + b'"', sheet.tail, count=1
        )
        p.put(sheet.part, [Deflated(head + b"<sheetData>" + header), body, Deflated(b"</sheetData>" + tail, last=True)])
        if b"<autoFilter" in tail:
            p.update_filter_name(index, xl_range_abs(0, 0, last_row, width - 1))
        p.touched.add(sheet.sheet_id)
        return notes

    def own_cells(
        self, sheet: _Sheet, tool: set[int], positions: dict[str, int], agreement: Agreement
    ) -> tuple[dict[int, dict[int, tuple]], list[tuple[str, str, str]]]:
        """Finance's own cells on the results sheet, for the rows they go with now.

        Returns {index of the result in agreement.results: {column: cell for write_rows}}
        and the own cells (and comments) of rows with no result any more as (cell, text,
        "indsats 1.01, runde 2"). Only a sheet with cells outside the tool's columns, or
        with comments, is read row by row.
        """
        p = self.p
        letters = b"|".join(xl_col_to_name(c).encode() for c in sorted(tool))
        outside = re.compile(rb'<c\b[^>]*?\sr="(?!(?:' + letters + rb")\d)")
        has_comments = any(t.endswith(("/comments", "/threadedComment")) for t, _ in p.part_rels(sheet.part).values())
        if not outside.search(sheet.inner) and not has_comments:
            return {}, []
        wanted = {(r.element, r.round): i for i, r in enumerate(agreement.results)}
        found: dict[int, tuple[int, list]] = {}  # result index -> (old row, own cells)
        masters: dict[str, tuple[str, str]] = {}  # shared formulas' first cells: si -> (formula, cell)
        gone: list[tuple[str, str, str]] = []
        number_col, round_col = positions["Nummer"], positions["Runde"]
        for n, row in sheet.rows:
            if n == 1:
                continue
            cells = _cells(row)
            number = next(
                (_number_key(p.cell_text(a, b), _attrs(a.decode()).get("t", "n") == "n") for c, a, b, _, _ in cells if c == number_col),
                "",
            )
            rnd = next((_round_key(p.cell_text(a, b), True) for c, a, b, _, _ in cells if c == round_col), None)
            mine = [(c, a, b) for c, a, b, _, _ in cells if c not in tool]
            for c, _a, b in mine:
                if shared := _shared_first(b, f"{xl_col_to_name(c)}{n}"):
                    masters[shared[0]] = shared[1]
            at = wanted.get((number, rnd))
            if at is not None and at not in found:
                found[at] = (n, mine)
                continue
            what = f"indsats {number}, runde {rnd}" if number and rnd else ""
            for c, a, b in mine:
                text = p.cell_text(a, b)
                if text.strip() or b"<f" in b:
                    gone.append((f"{xl_col_to_name(c)}{n}", text, what))
        own: dict[int, dict[int, tuple]] = {}
        moved_rows = {1: 1}
        for at, (n, mine) in found.items():
            moved_rows[n] = at + 2
            own[at] = {c: self.moved_cell(a, b, f"{xl_col_to_name(c)}{n}", f"{xl_col_to_name(c)}{at + 2}", masters) for c, a, b in mine}
        if has_comments:
            gone += [(ref, _COMMENT_GONE, "") for ref in p.move_anchored(sheet, moved_rows.get)]
        return own, gone

    def moved_cell(self, attrs: bytes, body: bytes, old: str, new: str, masters: dict[str, tuple[str, str]]) -> tuple:
        """An own cell as write_rows takes it to row `new`: a blank pair whose "format" is the cell's own XML.

        write_rows writes a blank (None, format) pair as '<c r="L5"' + format + '></c>'
        and _StyleAttrs gives a format as it is; so the format here is the cell's
        attributes after r and its body without the closing '>' of its last element.
        A formula is moved as Excel moves it with its row (a shared one gets its own text).
        """
        kept = _CELL_REF.sub(b"", attrs)
        f = _FORMULA.search(body)
        if f is not None:
            self.own_formulas = True
            fa = _attrs(f.group(1).decode())
            text = unescape(f.group(2).decode()) if f.group(2) else ""
            kind = fa.get("t", "normal")
            if kind == "shared":
                if not text:
                    if fa.get("si") not in masters:
                        raise Unpatchable(f"cellen {old} på '{RESULTS_SHEET}' deler en formel, hvis første celle ikke findes")
                    text = _translated(masters[fa["si"]][0], masters[fa["si"]][1], old)
                formula = f"<f>{escape(_translated(text, old, new))}</f>".encode()
            elif kind == "normal" or (kind == "array" and fa.get("ref", old) == old):
                extra = re.sub(r'\sref="[^"]*"', f' ref="{new}"', f.group(1).decode()) if kind == "array" else f.group(1).decode()
                formula = f"<f{extra}>{escape(_translated(text, old, new))}</f>".encode() if old != new else f.group(0)
            else:  # an array over several cells, a data table: the value stays, the formula cannot move alone
                self.formulas_dropped.append(old)
                formula = b""
            body = body[: f.start()] + formula + body[f.end() :]
        raw = kept.decode("utf-8") + (">" + body.decode("utf-8")[:-1] if body else "")
        return (None, raw)

    def column_styles(self, first_row: bytes, positions: dict[str, int]) -> dict[str, str]:
        """Each tool column's style attribute as the sheet's first result row has it."""
        by_col = {}
        for col, attrs, _body, _, _ in _cells(first_row):
            a = _attrs(attrs.decode("utf-8"))
            by_col[col] = (a.get("s"), a.get("t"))
        out = {}
        for h, c in positions.items():
            s, t = by_col.get(c, (None, None))
            out[h] = f' s="{s}"' if s else ""
            if h == "Modtaget" and (not s or t not in (None, "n")):  # no number cell there yet: its style may not show a date
                out[h] = ""
        return out

    def rows(
        self, agreement: Agreement, positions: dict[str, int], styles: dict[str, str], width: int, own: dict[int, dict[int, tuple]]
    ) -> Deflated:
        """The results as <row> elements from row 2, deflated, written by the lean writer's write_rows; own cells among them."""
        p = self.p
        rows = [result_row(r) for r in agreement.results]
        stamp = RESULT_COLUMNS.index("Modtaget")
        if not styles["Modtaget"] and any(len(row) > stamp and isinstance(row[stamp], (datetime, date)) for row in rows):
            styles["Modtaget"] = p.append_style(STAMP_FORMAT, False)
        if p.date1904:  # the lean writer counts days from 1900, as almost every workbook does
            rows = [row[:stamp] + (p.serial(row[stamp]),) + row[stamp + 1 :] if len(row) > stamp and row[stamp] else row for row in rows]
        formats = [""] * width
        quoted_styles = [""] * width
        for j, h in enumerate(RESULT_COLUMNS):
            formats[positions[h]] = quoted_styles[positions[h]] = styles[h]
            if h not in _TYPED:
                continue
            firsts = {
                row[j][:1] for row in rows if len(row) > j and row[j].__class__ is str
            }  # one pass; needs_quote looks at the first character
            if any(needs_quote(f) for f in firsts):
                quoted_styles[positions[h]] = p.append_style(None, True, styles[h])
        order = [positions[h] for h in RESULT_COLUMNS]
        if order != list(range(len(RESULT_COLUMNS))) or own:  # columns moved, or finance's own cells: each value to its column
            placed = []
            for i, row in enumerate(rows):
                mine = own.get(i, {})
                cells = [None] * max(width, max(mine, default=-1) + 1)
                for c, v in zip(order, row):
                    cells[c] = v
                for c, v in mine.items():
                    cells[c] = v
                placed.append(cells)
            rows = placed
        sheet = FastSheet(_StyleAttrs(), RESULTS_SHEET, 0)
        sheet.write_rows(1, rows, formats, quoted_styles, needs_quote)
        return sheet.rows_deflated()


def _gone_notes(headings: dict[int, str], tool: set[int], gone: list[tuple[str, str, str]], clearing: bool) -> list[str]:
    """The note on finance's own cells (and comments) of results rows that went."""
    if not gone:
        return []
    if clearing:
        own = [h for c, h in sorted(headings.items()) if h and c not in tool]
        what = f"kolonnen/kolonnerne {', '.join(map(quoted, own))}" if own else "finans' egne celler"
        comments = " og kommentarerne i resultatrækkerne er fjernet" if any(t == _COMMENT_GONE for _, t, _ in gone) else ""
        return [f"{what} på arket '{RESULTS_SHEET}' er tømt sammen med sidste års resultater{comments}; overskrifterne står"]
    shown = [
        (f"kommentaren i {ref}" if text == _COMMENT_GONE else f"{ref} {quoted(text[:40] + ('…' if len(text) > 40 else ''))}")
        + (f" ({what})" if what else "")
        for ref, text, what in gone
    ]
    more = f" og {len(shown) - _LISTED_GONE} flere" if len(shown) > _LISTED_GONE else ""
    return [
        f"på arket '{RESULTS_SHEET}' stod egne celler i rækker, der ikke har et resultat i den nye masterfil; "
        f"de er ikke ført med: {', '.join(shown[:_LISTED_GONE])}{more}"
    ]


# --- new-year's job: the year's cells in place ------------------------------------------------------


class _YearCells:
    """The tool's cells on Aftale, Runder and Indsatser that differ, written in place; indsatser gone, their rows removed."""

    def __init__(self, package: _Package):
        self.p = package
        self.formulas_replaced: list[str] = []  # cells whose formula gave way to the new value

    def update(self, before: Agreement, after: Agreement) -> None:
        p = self.p
        if (before.committees, before.departments) != (after.committees, after.departments):
            raise Unpatchable("udvalg eller centre er ændret")
        old = {e.number: e for e in before.elements}
        numbers = [e.number for e in after.elements]
        kept = set(numbers)
        if any(n not in old for n in numbers) or [e.number for e in before.elements if e.number in kept] != numbers:
            raise Unpatchable("indsatser er tilføjet eller flyttet")
        fields = {key: getattr(after, attr) for attr, key in AGREEMENT_FIELDS.items() if getattr(before, attr) != getattr(after, attr)}
        sheet = p.sheet(AGREEMENT_SHEET) if fields else None
        if sheet is not None:
            rows = p.keyed_rows(sheet, 0, lambda text, _: text.strip(), heading=True)  # read by its first column, every row
            for key, value in fields.items():
                if key in rows:
                    self.set_cell(sheet, rows[key], 1, value)
        changed = [(a, b) for a, b in zip(before.rounds, after.rounds) if a != b]
        sheet = p.sheet(ROUNDS_SHEET) if changed else None
        if sheet is not None:
            cols = p.columns(sheet)
            rows = p.keyed_rows(sheet, cols.get("Runde"), _round_key)
            for a, b in changed:
                for column, x, y in (("Betegnelse", a.label, b.label), ("Frist", a.deadline, b.deadline)):
                    if x != y and column in cols and b.number in rows:
                        self.set_cell(sheet, rows[b.number], cols[column], y)
        gone = [n for n in old if n not in kept]
        edits = [(old[e.number], e) for e in after.elements if e != old[e.number]]
        if not (gone or edits):
            return
        sheet = p.sheet(ELEMENTS_SHEET)
        if sheet is None:
            raise Unpatchable(f"arket '{ELEMENTS_SHEET}' mangler")
        cols = p.columns(sheet)
        rows = p.keyed_rows(sheet, cols.get("Nummer"), _number_key)
        missing = [n for n in (*gone, *(e.number for _, e in edits)) if n not in rows]
        if missing:
            raise Unpatchable(f"indsats {missing[0]} findes ikke på arket '{ELEMENTS_SHEET}'")
        for was, new in edits:
            for column, x, y in zip(ELEMENT_COLUMNS, element_row(was), element_row(new)):
                if x != y and column in cols:
                    self.set_cell(sheet, rows[new.number], cols[column], y)
        if gone:
            _drop_rows(p, sheet, sorted(sheet.rows[rows[n]][0] for n in gone))

    def set_cell(self, sheet: _Sheet, at: int, col: int, value) -> None:
        """Write `value` into the cell at column `col` of row sheet.rows[at], its style and other attributes kept.

        A blank cell (or none) is left blank: the reader gives it its default, which
        moves with the year ("1. budgetopfølgning 2019"); reading back checks that.
        """
        p = self.p
        n, row = sheet.rows[at]
        cell = next((c for c in _cells(row) if c[0] == col), None)
        if cell is None:
            return
        _, attrs, body, start, end = cell
        if not p.cell_text(attrs, body).strip():
            return
        ref = f"{xl_col_to_name(col)}{n}"
        if _FORMULA.search(body) is not None:
            self.formulas_replaced.append(f"{sheet.name}!{ref}")
            if shared := _shared_first(body, ref):
                sheet.orphans[shared[0]] = shared[1]
        kept = _OLD_VALUE.sub(b"", attrs).decode("utf-8")
        style = s.group(0) if (s := _STYLE.search(kept)) else ""
        if isinstance(value, (date, datetime)):
            if not p.styles.shows_date(style):
                kept = _with_style(kept, p.append_style(DATE_FORMAT, False, style))
            value = p.serial(value)
        quoted_attrs = kept
        if isinstance(value, str) and needs_quote(value) and 'quotePrefix="1"' not in p.styles.xf(style):
            quoted_attrs = _with_style(kept, p.append_style(None, True, style))
        xml = any_cell(ref, value, kept, quoted_attrs, needs_quote, str) if value not in (None, "") else f'<c r="{ref}"{kept}/>'
        sheet.rows[at][1] = row[:start] + xml.encode("utf-8") + row[end:]
        sheet.edited = True


# --- new-year's --only-open: rows that go -----------------------------------------------------------


def _drop_rows(p: _Package, sheet: _Sheet, gone: list[int]) -> None:
    """Delete rows `gone` (1-based, sorted) from the sheet as Excel deletes rows: the rows below move up."""
    _check_nothing_points_into(p, sheet, gone[0])
    dropped = set(gone)

    def moved(r: int) -> int | None:
        return None if r in dropped else r - bisect_left(gone, r)

    rows = []
    for n, row in sheet.rows:
        to = moved(n)
        if to is None:
            continue
        if to != n:
            row = re.sub(rb'^(<row\b[^>]*?\sr=")\d+"', lambda m, to=to: m.group(1) + str(to).encode() + b'"', row, count=1)
            row = re.sub(rb'(<c\b[^>]*?\sr="[A-Z]{1,3})\d+"', lambda m, to=to: m.group(1) + str(to).encode() + b'"', row)
        rows.append([to, row])
    sheet.rows = rows
    where = f"arket '{sheet.name}'"
    sheet.head, sheet.tail = _shift_refs(sheet.head, gone, where), _shift_refs(sheet.tail, gone, where)
    p.move_anchored(sheet, moved)
    for typ, target in p.part_rels(sheet.part).values():
        if typ.endswith("/table") and target in p.names:
            table = _shift_refs(p.current(target), gone, f"tabellen på {where}")
            refs = re.search(rb'<table\b[^>]*\sref="([^"]*)"', table)
            if refs and len({r for r in re.findall(rb"\d+", refs.group(1))}) < 2:
                raise Unpatchable(f"tabellen på {where} ville stå uden rækker")
            p.changed[target] = table
    _shift_names(p, sheet, gone)


def _check_nothing_points_into(p: _Package, sheet: _Sheet, first: int) -> None:
    """Refuse to delete rows that formulas, charts, pivot tables or pictures point into: they would point wrong."""
    if any(_ANY_FORMULA.search(row) for _, row in sheet.rows):
        raise Unpatchable(f"arket '{sheet.name}' har formler, som ville pege forkert, når rækker fjernes{_DROP_HINT}")
    name = re.escape(sheet.name.encode("utf-8"))
    whole_columns = rb"(?!\$?[A-Z]{1,3}:\$?[A-Z]{1,3}(?![\w$]))"  # Indsatser!A:B does not move with rows
    needle = re.compile(rb"(?:(?:'" + name + rb"'|(?<![\w.])" + name + rb")!" + whole_columns + rb'|\ssheet="' + name + rb'")')
    skip = ("sharedStrings", "comments", "threadedComment", "styles", "theme", "docProps", "calcChain", "vmlDrawing", "persons")
    sheet_parts = {t for typ, t in p.targets.values() if typ.endswith("/worksheet")}
    for part in sorted(p.names):
        if part in (sheet.part, p.book_name) or not part.endswith(".xml") or any(s in part for s in skip):
            continue
        if p.rewritten(part):  # the results sheet, rewritten: its formulas are finance's, moved
            continue
        data = p.current(part)
        texts = re.findall(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", data, re.S) if part in sheet_parts else [data]
        if any(needle.search(t) for t in texts):
            raise Unpatchable(f"{part} peger ind i arket '{sheet.name}' og ville pege forkert, når rækker fjernes{_DROP_HINT}")
    for typ, target in p.part_rels(sheet.part).values():
        if typ.endswith("/drawing") and target in p.names:
            anchored = [int(r) for r in re.findall(rb"<(?:\w+:)?row>(\d+)</", p.current(target))]
            if any(r >= first - 1 for r in anchored):
                raise Unpatchable(f"arket '{sheet.name}' har billeder eller figurer ved de rækker, der skulle fjernes{_DROP_HINT}")


def _shift_names(p: _Package, sheet: _Sheet, gone: list[int]) -> None:
    """Defined names that point into the sheet (its filter, a print area), moved up with its rows."""
    quoted_name = re.escape(sheet.name)
    into = re.compile(rf"(?:'{quoted_name}'|(?<![\w.]){quoted_name})!")
    area = r"\$?[A-Z]{0,3}\$?\d*(?::\$?[A-Z]{0,3}\$?\d*)?"
    one = rf"(?:'[^']+'|[^'!,\s]+)!{area}"

    def name(m: re.Match) -> str:
        text = unescape(m.group(2))
        if not into.search(text):
            return m.group(0)
        if not re.fullmatch(rf"{one}(?:,{one})*", text):
            raise Unpatchable(
                f"et navn i masterfilen peger ind i arket '{sheet.name}' med en formel, som ville pege forkert, når rækker fjernes{_DROP_HINT}"
            )

        def shift(r: re.Match) -> str:
            if not into.match(r.group(1)):
                return r.group(0)
            new = _shift_area(r.group(2), gone)
            if new is None:
                raise Unpatchable(f"et navn i masterfilen står kun på rækker, der skulle fjernes fra '{sheet.name}'{_DROP_HINT}")
            return r.group(1) + new

        return m.group(1) + escape(re.sub(rf"((?:'[^']+'|[^'!,\s]+)!)({area})", shift, text)) + m.group(3)

    book = re.sub(r"(<definedName\b[^>]*>)([^<]*)(</definedName>)", name, p.book)
    if book != p.book:
        p.set_book(book)


# --- the zip -----------------------------------------------------------------------------------------


def _write_zip(src, out, infos: list[zipfile.ZipInfo], package: _Package) -> None:
    """The input's members in order, unchanged ones copied compressed as they are, then the added ones."""
    directory = []
    offset = 0

    def member(encoded: bytes, flags: int, method: int, dos: tuple[int, int], crc: int, size: int, data: bytes) -> None:
        nonlocal offset
        fields = (20, flags, method, dos[0], dos[1], crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<4sHHHHHLLLHH", b"PK\x03\x04", *fields) + encoded)
        out.write(data)
        directory.append(struct.pack("<4sHHHHHHLLLHHHHHLL", b"PK\x01\x02", 0x0314, *fields, 0, 0, 0, 0o600 << 16, offset) + encoded)
        offset += 30 + len(encoded) + len(data)

    def packed(data: bytes | list[Deflated]) -> tuple[int, int, bytes]:
        # CRC, size and deflated bytes of a member given whole or as the pieces of a sheet (head, rows, tail).
        pieces = [Deflated(data, last=True)] if isinstance(data, bytes) else data
        crc, size = pieces[0].crc, pieces[0].size
        for piece in pieces[1:]:
            crc, size = piece.crc_after(crc), size + piece.size
        return crc, size, b"".join(c for piece in pieces for c in piece.chunks)

    for info in infos:
        name = info.filename
        if name in package.dropped:
            continue
        encoded = name.encode("utf-8") if info.flag_bits & 0x800 else name.encode("cp437")
        flags = info.flag_bits & 0x800
        if name in package.changed:
            member(encoded, flags, zipfile.ZIP_DEFLATED, _ZIP_DATE, *packed(package.changed[name]))
            continue
        src.seek(info.header_offset)
        head = src.read(30)
        if head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{name}: ødelagt lokal header")
        skip = struct.unpack("<HH", head[26:30])
        src.seek(info.header_offset + 30 + skip[0] + skip[1])
        raw = src.read(info.compress_size)
        d = info.date_time
        dos = ((d[3] << 11) | (d[4] << 5) | (d[5] // 2), ((d[0] - 1980) << 9) | (d[1] << 5) | d[2])
        member(encoded, flags, info.compress_type, dos, info.CRC, info.file_size, raw)
    for name, data in package.added.items():
        member(name.encode("utf-8"), 0x800, zipfile.ZIP_DEFLATED, _ZIP_DATE, *packed(data))
    central = b"".join(directory)
    out.write(central)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), offset, 0))
